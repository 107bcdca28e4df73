import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../coordinator/src/config/loadConfig.js";
import { parseGlobalOptions } from "../../../coordinator/src/cli/globalOptions.js";
import { defaultStoreDir } from "../../../coordinator/src/util/defaultStoreDir.js";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createContentStore } from "../../../coordinator/src/storage/createContentStore.js";
import type { ZeroGIndexer } from "../../../coordinator/src/storage/createZeroGContentStore.js";

describe("createContentStore", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ingotforge-cs-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = (extra: Record<string, string>) => ({ INGOTFORGE_RPC_URL: "http://127.0.0.1:8545", INGOTFORGE_CHAIN_ID: "31337", INGOTFORGE_DATA_DIR: dir, ...extra });

  it("builds the local store under <dataDir>/store by default, the folder the CLI and the worker default to", async () => {
    const config = await loadConfig({ env: env({}) });
    const store = await createContentStore({ config: config.storage });
    expect(store.kind).toBe("local");
    const { root } = await store.put(new TextEncoder().encode("x"));
    expect(await createContentStore({ config: config.storage }).then((s) => s.has(root))).toBe(true);
    expect(config.storage).toEqual({ kind: "local", dir: join(dir, "store") });
    // One store for every command: the CLI's --store and the worker's default resolve to the same folder.
    expect(resolve(defaultStoreDir(env({})))).toBe(config.storage.kind === "local" ? config.storage.dir : "");
    expect(parseGlobalOptions({}, env({})).storeDir).toBe(join(dir, "store"));
  });

  it("builds the 0G store with a signer from the configured key, uploading through the given indexer", async () => {
    const config = await loadConfig({
      env: env({
        INGOTFORGE_STORAGE_KIND: "zerog",
        INGOTFORGE_ZEROG_INDEXER_RPC: "http://127.0.0.1:1",
        INGOTFORGE_ZEROG_EVM_RPC: "http://127.0.0.1:2",
        INGOTFORGE_ZEROG_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
      }),
    });
    const seen: string[] = [];
    const indexer: ZeroGIndexer = {
      async upload(file, evmRpc, signer) {
        seen.push(evmRpc, await signer.getAddress());
        const [tree] = await file.merkleTree();
        return [{ txHash: "0x1", rootHash: tree!.rootHash()! }, null];
      },
      download: async () => new Error("unused"),
      getFileLocations: async () => [],
    };
    const store = await createContentStore({ config: config.storage, indexer });
    expect(store.kind).toBe("zerog");
    const bytes = new TextEncoder().encode("y");
    expect((await store.put(bytes)).root).toBe(await computeContentRoot(bytes));
    expect(seen).toEqual(["http://127.0.0.1:2", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]);
  });
});
