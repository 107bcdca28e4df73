import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import hre from "hardhat";
import { parseEther } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createZeroGContentStore } from "../../../coordinator/src/storage/createZeroGContentStore.js";
import { ZeroGTimeoutError } from "../../../coordinator/src/storage/errors.js";
import { startHttpJsonRpcBridge } from "./httpJsonRpcBridge.js";
import { startZeroGStandIn, type ZeroGStandIn } from "./zeroGStandIn.js";

/**
 * The store's upload through the SDK's real Indexer and Uploader: the SDK asks the stand-in
 * indexer for nodes, submits to a Flow contract (ZeroGFlowMock) on the in-process chain through
 * an HTTP bridge, reads the Submit event, uploads segments to the stand-in node and waits for
 * finality. Then it downloads what it uploaded. Only the 0G network itself is stood in for.
 */
describe("createZeroGContentStore upload through the real 0G SDK against a local chain and node", () => {
  let node: ZeroGStandIn;
  let bridge: Awaited<ReturnType<typeof startHttpJsonRpcBridge>>;
  let tmp: string;
  let signer: Wallet;

  beforeAll(async () => {
    const { viem, provider } = await hre.network.connect();
    const flow = await viem.deployContract("ZeroGFlowMock", []);
    bridge = await startHttpJsonRpcBridge(provider);
    node = await startZeroGStandIn({ flowAddress: flow.address, lengthOfSubmission: async (seq) => Number(await flow.read.lengthOf([BigInt(seq)])) });
    signer = Wallet.createRandom().connect(new JsonRpcProvider(bridge.url, undefined, { staticNetwork: true, pollingInterval: 100 })) as unknown as Wallet;
    const [funder] = await viem.getWalletClients();
    const publicClient = await viem.getPublicClient();
    await publicClient.waitForTransactionReceipt({ hash: await funder.sendTransaction({ to: signer.address as `0x${string}`, value: parseEther("1") }) });
    tmp = await mkdtemp(join(tmpdir(), "ingotforge-0g-up-"));
    vi.spyOn(console, "log").mockImplementation(() => undefined); // the SDK logs every step
  });
  afterEach(() => {
    node.finalize = true;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await node.close();
    await bridge.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const store = (uploadTimeoutMs = 60_000) =>
    createZeroGContentStore({ indexerRpc: node.url, evmRpc: bridge.url, signer, tmpDir: tmp, uploadTimeoutMs, downloadTimeoutMs: 20_000 });

  it("uploads (Flow submit on chain, segments to the node, finality) and downloads the same bytes under the same root", async () => {
    const bytes = new Uint8Array(300 * 1024 + 5).map((_, i) => (i * 31 + 3) % 256);
    const { root, size } = await store().put(bytes);
    expect(root).toBe(await computeContentRoot(bytes));
    expect(size).toBe(bytes.length);
    expect(node.calls).toEqual(expect.arrayContaining(["indexer_getShardedNodes", "zgs_getStatus", "zgs_uploadSegmentsByTxSeq"]));
    expect(await store().has(root)).toBe(true);
    expect(await store().get(root)).toEqual(bytes);
  });

  it("times out when the node never reports the upload finalized (the SDK would wait forever)", async () => {
    node.finalize = false;
    node.calls.length = 0;
    const attempt = store(6_000).put(new TextEncoder().encode("never finalized"));
    await expect(attempt).rejects.toBeInstanceOf(ZeroGTimeoutError);
    await expect(attempt).rejects.toMatchObject({ operation: "upload", timeoutMs: 6_000 });
    // It got as far as the SDK's last step: the segments were uploaded, finality never came.
    expect(node.calls).toContain("zgs_uploadSegmentsByTxSeq");
  });
});
