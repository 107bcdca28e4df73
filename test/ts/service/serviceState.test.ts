import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadServiceState, saveServiceState } from "../../../coordinator/src/service/serviceState.js";
import { ServiceStateError } from "../../../coordinator/src/service/errors.js";

const FACTORY = "0x00000000000000000000000000000000000000F0" as const;
const OTHER = "0x00000000000000000000000000000000000000F1" as const;

describe("service state file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-state-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("starts fresh before the start block when there is no file", async () => {
    const state = await loadServiceState(path.join(dir, "s.json"), { chainId: 31337, factory: FACTORY, startBlock: 5n });
    expect(state).toMatchObject({ chainId: 31337, factory: FACTORY, lastProcessedBlock: "4", forges: {} });
  });

  it("reads back what was saved, Forge statuses included", async () => {
    const file = path.join(dir, "s.json");
    const state = await loadServiceState(file, { chainId: 31337, factory: FACTORY });
    state.lastProcessedBlock = "12";
    state.forges["0xabc"] = { forge: "0x0000000000000000000000000000000000000abc", createdBlock: "3", updatedAt: "t", status: "submitted", ingotId: "1", txHash: `0x${"11".repeat(32)}` };
    await saveServiceState(file, state);
    expect(await loadServiceState(file, { chainId: 31337, factory: FACTORY })).toEqual(state);
  });

  it("refuses a state file of another factory, naming both", async () => {
    const file = path.join(dir, "s.json");
    await saveServiceState(file, await loadServiceState(file, { chainId: 31337, factory: FACTORY }));
    const error = await loadServiceState(file, { chainId: 31337, factory: OTHER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStateError);
    expect((error as Error).message).toContain(FACTORY);
    expect((error as Error).message).toContain(OTHER);
  });

  describe("a node that was reset (same chain id and factory address, a new chain)", () => {
    const GENESIS_A = `0x${"aa".repeat(32)}` as const;
    const GENESIS_B = `0x${"bb".repeat(32)}` as const;

    it("refuses a state file written on a chain with another genesis block, naming both hashes and what to move", async () => {
      const file = path.join(dir, "s.json");
      const state = await loadServiceState(file, { chainId: 31337, factory: FACTORY, genesisHash: GENESIS_A, head: 0n });
      expect(state.genesisHash).toBe(GENESIS_A);
      state.lastProcessedBlock = "39";
      await saveServiceState(file, state);
      const error = await loadServiceState(file, { chainId: 31337, factory: FACTORY, genesisHash: GENESIS_B, head: 60n }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceStateError);
      expect((error as Error).message).toContain(GENESIS_A);
      expect((error as Error).message).toContain(GENESIS_B);
      expect((error as Error).message).toMatch(/coordinator-state\.json.*forges/s);
    });

    it("refuses a state file (made before genesis hashes were recorded) that has processed blocks past the node's head", async () => {
      const file = path.join(dir, "s.json");
      const state = await loadServiceState(file, { chainId: 31337, factory: FACTORY });
      state.lastProcessedBlock = "39";
      delete state.genesisHash;
      await saveServiceState(file, state);
      const error = await loadServiceState(file, { chainId: 31337, factory: FACTORY, genesisHash: GENESIS_B, head: 8n }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceStateError);
      expect((error as Error).message).toMatch(/block 39.*head is block 8/);
    });

    it("adopts the node's genesis hash into a state file made before genesis hashes were recorded, when its blocks are all on the node", async () => {
      const file = path.join(dir, "s.json");
      const state = await loadServiceState(file, { chainId: 31337, factory: FACTORY });
      state.lastProcessedBlock = "7";
      delete state.genesisHash;
      await saveServiceState(file, state);
      expect(await loadServiceState(file, { chainId: 31337, factory: FACTORY, genesisHash: GENESIS_A, head: 9n })).toMatchObject({ lastProcessedBlock: "7", genesisHash: GENESIS_A });
    });
  });

  it("refuses a file that is not JSON instead of starting over", async () => {
    const file = path.join(dir, "s.json");
    await writeFile(file, "{ half");
    await expect(loadServiceState(file, { chainId: 31337, factory: FACTORY })).rejects.toBeInstanceOf(ServiceStateError);
  });
});
