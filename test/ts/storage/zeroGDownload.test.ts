import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createZeroGContentStore } from "../../../coordinator/src/storage/createZeroGContentStore.js";
import { ContentNotFoundError, ContentRootMismatchError } from "../../../coordinator/src/storage/errors.js";
import { startZeroGStandIn, type ZeroGStandIn } from "./zeroGStandIn.js";

/**
 * The store with the SDK's real `Indexer` (no injected fake) against a JSON-RPC stand-in of an
 * indexer and a storage node: the download path end to end, including the SDK's segment
 * handling, and the store's re-hash catching a node that serves altered bytes.
 */
describe("createZeroGContentStore download through the real 0G SDK Indexer", () => {
  let node: ZeroGStandIn;
  let tmp: string;
  beforeAll(async () => {
    node = await startZeroGStandIn();
    tmp = await mkdtemp(join(tmpdir(), "ingotforge-0g-dl-"));
    vi.spyOn(console, "log").mockImplementation(() => undefined); // the SDK logs every step
  });
  afterEach(() => {
    node.tamper = false;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await node.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const store = () =>
    createZeroGContentStore({ indexerRpc: node.url, evmRpc: "http://127.0.0.1:1", signer: Wallet.createRandom(), tmpDir: tmp, downloadTimeoutMs: 20_000 });

  it("downloads a multi-segment file (600 KiB, 3 segments, padded last chunk) and returns the exact bytes", async () => {
    const bytes = new Uint8Array(600 * 1024 + 77).map((_, i) => (i * 7919) % 251);
    const root = await computeContentRoot(bytes);
    node.hold(root, bytes);
    expect(await store().has(root)).toBe(true);
    expect(await store().get(root)).toEqual(bytes);
    expect(node.calls).toContain("zgs_downloadSegmentByTxSeq");
    expect(await readdir(tmp)).toEqual([]);
  });

  it("refuses what a node serves when it does not hash to the requested root", async () => {
    const bytes = new TextEncoder().encode('{"prompt":"x","response":"y"}\n'.repeat(50));
    const root = await computeContentRoot(bytes);
    node.hold(root, bytes);
    node.tamper = true;
    const attempt = store().get(root);
    await expect(attempt).rejects.toBeInstanceOf(ContentRootMismatchError);
    await expect(attempt).rejects.toThrow(/from 0G hashes to 0x[0-9a-f]{64}, not the requested/);
  });

  it("reports a root no node holds as not found", async () => {
    const root = await computeContentRoot(new TextEncoder().encode("never uploaded"));
    expect(await store().has(root)).toBe(false);
    await expect(store().get(root)).rejects.toBeInstanceOf(ContentNotFoundError);
  });
});
