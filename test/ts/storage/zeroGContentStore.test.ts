import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemData } from "@0glabs/0g-ts-sdk";
import { Wallet } from "ethers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createZeroGContentStore, type ZeroGIndexer } from "../../../coordinator/src/storage/createZeroGContentStore.js";
import {
  ContentNotFoundError,
  ContentRootMismatchError,
  EmptyContentError,
  ZeroGTimeoutError,
  ZeroGTransferError,
} from "../../../coordinator/src/storage/errors.js";

/**
 * The store's own logic, through an injected stand-in for the SDK's Indexer (same method
 * signatures): the local root before upload, the re-hash after download, error mapping and the
 * timeouts. The real SDK's upload and download paths are exercised in zeroGUpload.test.ts and
 * zeroGDownload.test.ts against a local JSON-RPC node and chain.
 */
function fakeIndexer(opts: { tamper?: boolean; hangUpload?: boolean; hangDownload?: boolean; reportRoot?: string } = {}) {
  const held = new Map<string, Uint8Array>();
  const calls: string[] = [];
  const indexer: ZeroGIndexer = {
    async upload(file: MemData, evmRpc) {
      calls.push(`upload ${evmRpc}`);
      if (opts.hangUpload) return new Promise(() => undefined);
      const bytes = Uint8Array.from(file.data as ArrayLike<number>);
      const root = await computeContentRoot(bytes);
      held.set(root, bytes);
      return [{ txHash: "0xabc", rootHash: opts.reportRoot ?? root }, null];
    },
    async download(root, path, proof) {
      calls.push(`download ${root} proof=${proof}`);
      if (opts.hangDownload) return new Promise(() => undefined);
      const bytes = held.get(root);
      if (!bytes) return new Error("failed to get file locations");
      if (existsSync(path)) return new Error("Wrong path, provide a file path which does not exist.");
      const out = bytes.slice();
      if (opts.tamper) out[0] ^= 0xff;
      await writeFile(path, out);
      return null;
    },
    async getFileLocations(root) {
      return held.has(root) ? [{ url: "http://node", config: { numShard: 1, shardId: 0 } }] : [];
    },
  };
  return { indexer, held, calls };
}

const signer = new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const text = (s: string) => new TextEncoder().encode(s);

describe("createZeroGContentStore (against a stand-in Indexer)", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), "ingotforge-0g-test-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const make = (fake: ReturnType<typeof fakeIndexer>, extra: { uploadTimeoutMs?: number; downloadTimeoutMs?: number } = {}) =>
    createZeroGContentStore({ indexerRpc: "http://indexer", evmRpc: "http://evm", signer, indexer: fake.indexer, tmpDir: tmp, ...extra });

  it("uploads through the Indexer, returns the locally computed root, and downloads the same bytes", async () => {
    const fake = fakeIndexer();
    const store = make(fake);
    const bytes = text("contribution 1\n".repeat(300));
    const { root, size } = await store.put(bytes);
    expect(root).toBe(await computeContentRoot(bytes));
    expect(size).toBe(bytes.length);
    expect(await store.has(root)).toBe(true);
    expect(await store.get(root)).toEqual(bytes);
    expect(fake.calls).toEqual(["upload http://evm", `download ${root} proof=true`]);
  });

  it("refuses downloaded bytes whose root differs from the one asked for", async () => {
    const honest = fakeIndexer();
    const { root } = await make(honest).put(text("real data"));
    const lying = fakeIndexer({ tamper: true });
    lying.held.set(root, text("real data"));
    const attempt = make(lying).get(root);
    await expect(attempt).rejects.toBeInstanceOf(ContentRootMismatchError);
    await expect(attempt).rejects.toThrow(/from 0G hashes to 0x[0-9a-f]{64}, not the requested/);
  });

  it("removes its temporary download directory whatever happens", async () => {
    const fake = fakeIndexer({ tamper: true });
    const { root } = await make(fakeIndexer()).put(text("abc"));
    fake.held.set(root, text("abc"));
    await expect(make(fake).get(root)).rejects.toThrow();
    expect(await readdir(tmp)).toEqual([]);
  });

  it("maps the SDK's 'no locations' error to ContentNotFoundError, and has() to false", async () => {
    const store = make(fakeIndexer());
    const root = await computeContentRoot(text("nobody uploaded this"));
    expect(await store.has(root)).toBe(false);
    await expect(store.get(root)).rejects.toBeInstanceOf(ContentNotFoundError);
  });

  it("refuses an upload for which the SDK reports another root", async () => {
    const store = make(fakeIndexer({ reportRoot: `0x${"11".repeat(32)}` }));
    await expect(store.put(text("data"))).rejects.toBeInstanceOf(ContentRootMismatchError);
  });

  it("turns an SDK error tuple into a retryable transfer error", async () => {
    const fake = fakeIndexer();
    fake.indexer.upload = async () => [{ txHash: "", rootHash: "" }, new Error("insufficient funds for gas")];
    const attempt = make(fake).put(text("data"));
    await expect(attempt).rejects.toBeInstanceOf(ZeroGTransferError);
    await expect(attempt).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/insufficient funds/) });
  });

  it("gives up on an upload stuck in the SDK's wait-for-finality loop after the timeout", async () => {
    const store = make(fakeIndexer({ hangUpload: true }), { uploadTimeoutMs: 50 });
    const started = Date.now();
    const attempt = store.put(text("data"));
    await expect(attempt).rejects.toBeInstanceOf(ZeroGTimeoutError);
    await expect(attempt).rejects.toMatchObject({ operation: "upload", timeoutMs: 50, retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("gives up on a stuck download after the timeout", async () => {
    const fake = fakeIndexer({ hangDownload: true });
    const store = make(fake, { downloadTimeoutMs: 50 });
    const { root } = await store.put(text("data"));
    await expect(store.get(root)).rejects.toMatchObject({ name: "ZeroGTimeoutError", operation: "download" });
  });

  it("refuses empty content before calling the network", async () => {
    const fake = fakeIndexer();
    await expect(make(fake).put(new Uint8Array(0))).rejects.toBeInstanceOf(EmptyContentError);
    expect(fake.calls).toEqual([]);
  });
});
