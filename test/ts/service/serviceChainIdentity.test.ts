import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import type { ProtocolContext } from "../../../coordinator/src/chain/types.js";
import type { CoordinatorConfig } from "../../../coordinator/src/config/coordinatorConfigSchema.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createCoordinatorService } from "../../../coordinator/src/service/createCoordinatorService.js";
import { ServiceError, ServiceStateError } from "../../../coordinator/src/service/errors.js";
import { loadServiceState, saveServiceState } from "../../../coordinator/src/service/serviceState.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";

const FACTORY = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const GENESIS_OLD = `0x${"0a".repeat(32)}` as Hex;
const GENESIS_NEW = `0x${"0b".repeat(32)}` as Hex;

/** The little of a node the service reads before anything else: chain id, code, genesis, head. */
function fakeNode(p: { genesis: Hex; head: bigint; code?: Hex }) {
  const calls: string[] = [];
  const publicClient = {
    getChainId: async () => 31337,
    getCode: async () => p.code ?? "0x6080",
    getBlock: async ({ blockNumber }: { blockNumber: bigint }) => (blockNumber === 0n ? { hash: p.genesis, number: 0n } : Promise.reject(new Error("not in this fake"))),
    getBlockNumber: async () => p.head,
    getContractEvents: async () => (calls.push("getContractEvents"), []),
    readContract: async () => Promise.reject(new Error("the fake node has no enclave registry")),
  };
  return { ctx: { publicClient, addresses: { factory: FACTORY }, abis: {} } as unknown as ProtocolContext, calls };
}

describe("coordinator service restarted against a fresh node (same chain id, same factory address)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-chain-identity-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const service = (ctx: ProtocolContext) =>
    createCoordinatorService({
      config: { rpcUrl: "http://127.0.0.1:8545", chainId: 31337, dataDir: dir, confirmations: 1, logLevel: "silent" } as unknown as CoordinatorConfig,
      logger: createLogger({ level: "silent" }),
      ctx,
      enclave: { describe: () => ({}) } as unknown as Enclave,
      store: {} as ContentStore,
    });

  it("refuses to read on from the old chain's last processed block, and reads no events", async () => {
    const file = path.join(dir, "coordinator-state.json");
    const old = await loadServiceState(file, { chainId: 31337, factory: FACTORY, genesisHash: GENESIS_OLD });
    old.lastProcessedBlock = "39";
    await saveServiceState(file, old);

    const node = fakeNode({ genesis: GENESIS_NEW, head: 48n });
    const error = await service(node.ctx).poll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStateError);
    expect((error as Error).message).toContain(GENESIS_NEW);
    expect(node.calls).toEqual([]);
    // The old chain's state is left as it was, for the operator to move away.
    expect((await loadServiceState(file, { chainId: 31337, factory: FACTORY })).genesisHash).toBe(GENESIS_OLD);
  });

  it("refuses a node with no contract at the factory address, saying to deploy", async () => {
    const error = await service(fakeNode({ genesis: GENESIS_NEW, head: 3n, code: "0x" }).ctx).start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toMatch(/no contract at the factory address.*Deploy the protocol/s);
  });

  it("records the node's genesis hash in a fresh state file", async () => {
    // Registering the enclave fails on the fake node; the state is saved before that.
    await service(fakeNode({ genesis: GENESIS_NEW, head: 3n }).ctx).start().catch(() => undefined);
    expect((await loadServiceState(path.join(dir, "coordinator-state.json"), { chainId: 31337, factory: FACTORY })).genesisHash).toBe(GENESIS_NEW);
  });
});
