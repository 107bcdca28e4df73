import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../coordinator/src/config/errors.js";
import { loadConfig } from "../../../coordinator/src/config/loadConfig.js";
import { parseConfig } from "../../../coordinator/src/config/parseConfig.js";

const KEY = `0x${"ab".repeat(32)}`;

describe("loadConfig", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ingotforge-config-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeJson = async (value: unknown) => {
    const file = join(dir, "coordinator.json");
    await writeFile(file, JSON.stringify(value));
    return file;
  };

  it("fills the defaults: local storage under the data dir, simulated enclave, 2 confirmations, info logs", async () => {
    const file = await writeJson({ rpcUrl: "http://127.0.0.1:8545", chainId: 31337, dataDir: "state" });
    const config = await loadConfig({ file, env: {} });
    expect(config).toEqual({
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      dataDir: join(dir, "state"),
      confirmations: 2,
      logLevel: "info",
      storage: { kind: "local", dir: join(dir, "state", "store") },
      enclave: { kind: "simulated", forceChain: false },
    });
  });

  it("needs no config on a local node: the given defaults, the chain id asked of the node at rpcUrl, the store under the data dir", async () => {
    const asked: string[] = [];
    const chainIdOf = async (url: string) => (asked.push(url), 31337);
    const defaults = { rpcUrl: "http://127.0.0.1:8545", dataDir: ".ingotforge", devChainConfirmations: 0 };
    const config = await loadConfig({ env: {}, cwd: dir, defaults, chainIdOf });
    expect(config).toMatchObject({ rpcUrl: "http://127.0.0.1:8545", chainId: 31337, confirmations: 0, dataDir: join(dir, ".ingotforge"), storage: { kind: "local", dir: join(dir, ".ingotforge", "store") } });
    expect(asked).toEqual(["http://127.0.0.1:8545"]);
    // What is set wins, and a set chain id asks the node nothing.
    const set = await loadConfig({ env: { INGOTFORGE_RPC_URL: "http://127.0.0.1:18545", INGOTFORGE_CHAIN_ID: "1", INGOTFORGE_DATA_DIR: "/d" }, cwd: dir, defaults, chainIdOf });
    expect(set).toMatchObject({ rpcUrl: "http://127.0.0.1:18545", chainId: 1, dataDir: "/d" });
    expect(asked).toHaveLength(1);
    await loadConfig({ env: { INGOTFORGE_RPC_URL: "http://127.0.0.1:18545" }, cwd: dir, defaults, chainIdOf });
    expect(asked.at(-1)).toBe("http://127.0.0.1:18545");
    // The development default only on chain 31337, and only where nothing sets confirmations.
    expect((await loadConfig({ env: { INGOTFORGE_CONFIRMATIONS: "2" }, cwd: dir, defaults, chainIdOf })).confirmations).toBe(2);
    expect((await loadConfig({ env: { INGOTFORGE_CHAIN_ID: "1" }, cwd: dir, defaults, chainIdOf })).confirmations).toBe(2);
    // Without defaults (a library caller), the required fields are still reported.
    await expect(loadConfig({ env: {}, cwd: dir })).rejects.toThrow(/chainId[\s\S]*dataDir|dataDir[\s\S]*chainId/);
  });

  it("takes a local store's dir alone (INGOTFORGE_STORAGE_DIR, e.g. the CLI's .ingotforge/store) without asking for INGOTFORGE_STORAGE_KIND", async () => {
    const config = await loadConfig({
      cwd: dir,
      env: { INGOTFORGE_RPC_URL: "http://127.0.0.1:8545", INGOTFORGE_CHAIN_ID: "31337", INGOTFORGE_DATA_DIR: "state", INGOTFORGE_STORAGE_DIR: ".ingotforge/store" },
    });
    expect(config.storage).toEqual({ kind: "local", dir: join(dir, ".ingotforge/store") });
    const fromFile = await loadConfig({ file: await writeJson({ rpcUrl: "http://127.0.0.1:8545", chainId: 31337, dataDir: "state", storage: { dir: "store" } }), env: {} });
    expect(fromFile.storage).toEqual({ kind: "local", dir: join(dir, "store") });
  });

  it("reads the NATS section from the file or INGOTFORGE_NATS_*, its files relative to the file or the working dir, user coordinator by default", async () => {
    const file = await writeJson({ rpcUrl: "http://127.0.0.1:8545", chainId: 31337, dataDir: "state", nats: { url: "nats://10.0.0.5:4222", tokenFile: "coordinator.token", caFile: "tls/ca.pem" } });
    expect((await loadConfig({ file, env: {} })).nats).toEqual({ url: "nats://10.0.0.5:4222", user: "coordinator", tokenFile: join(dir, "coordinator.token"), caFile: join(dir, "tls/ca.pem") });
    const fromEnv = await loadConfig({
      cwd: dir,
      env: { INGOTFORGE_RPC_URL: "http://127.0.0.1:8545", INGOTFORGE_CHAIN_ID: "31337", INGOTFORGE_DATA_DIR: "state", INGOTFORGE_NATS_URL: "nats://nats.example.org:4222", INGOTFORGE_NATS_TOKEN_FILE: "c.token", INGOTFORGE_NATS_CA_FILE: "ca.pem", INGOTFORGE_NATS_USER: "coord" },
    });
    expect(fromEnv.nats).toEqual({ url: "nats://nats.example.org:4222", user: "coord", tokenFile: join(dir, "c.token"), caFile: join(dir, "ca.pem") });
    await expect(loadConfig({ file: await writeJson({ rpcUrl: "http://127.0.0.1:8545", chainId: 31337, dataDir: "state", nats: { url: "nats://h:4222" } }), env: {} })).rejects.toThrow(/nats\.tokenFile/);
    await expect(loadConfig({ file: await writeJson({ rpcUrl: "http://127.0.0.1:8545", chainId: 31337, dataDir: "state", nats: { url: "http://h:4222", tokenFile: "t" } }), env: {} })).rejects.toThrow(/nats\.url/);
  });

  it("reads a whole config from the environment alone, converting numbers and booleans", async () => {
    const config = await loadConfig({
      cwd: dir,
      env: {
        INGOTFORGE_RPC_URL: "https://rpc.example",
        INGOTFORGE_CHAIN_ID: "16601",
        INGOTFORGE_DATA_DIR: "/var/lib/ingotforge",
        INGOTFORGE_CONFIRMATIONS: "5",
        INGOTFORGE_LOG_LEVEL: "debug",
        INGOTFORGE_STORAGE_KIND: "zerog",
        INGOTFORGE_ZEROG_INDEXER_RPC: "https://indexer.example",
        INGOTFORGE_ZEROG_EVM_RPC: "https://evm.example",
        INGOTFORGE_ZEROG_PRIVATE_KEY: KEY,
        INGOTFORGE_ENCLAVE_KIND: "simulated",
        INGOTFORGE_ENCLAVE_FORCE_CHAIN: "true",
      },
    });
    expect(config.chainId).toBe(16601);
    expect(config.confirmations).toBe(5);
    expect(config.storage).toEqual({
      kind: "zerog",
      indexerRpc: "https://indexer.example",
      evmRpc: "https://evm.example",
      privateKey: KEY,
      uploadTimeoutMs: 600_000,
      downloadTimeoutMs: 300_000,
    });
    expect(config.enclave).toEqual({ kind: "simulated", forceChain: true });
  });

  it("lets the environment override the file field by field, and replace a backend section of another kind", async () => {
    const file = await writeJson({
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      dataDir: "/data",
      storage: { kind: "local", dir: "/data/blobs" },
      enclave: { kind: "simulated" },
    });
    const config = await loadConfig({
      file,
      env: { INGOTFORGE_CHAIN_ID: "1", INGOTFORGE_ENCLAVE_KIND: "dstack", INGOTFORGE_DSTACK_ENDPOINT: "/run/dstack.sock" },
    });
    expect(config.chainId).toBe(1);
    expect(config.storage).toEqual({ kind: "local", dir: "/data/blobs" });
    expect(config.enclave).toEqual({ kind: "dstack", endpoint: "/run/dstack.sock" });
  });

  it("names every wrong field with its path and source", async () => {
    const file = await writeJson({ rpcUrl: "not a url", chainId: -3, dataDir: "/d", storage: { kind: "zerog", indexerRpc: "https://i" } });
    const error = await loadConfig({ file, env: { INGOTFORGE_CONFIRMATIONS: "many" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).toEqual(["chainId", "confirmations", "rpcUrl", "storage.evmRpc", "storage.privateKey"]);
    expect(byPath.rpcUrl.source).toBe(`file ${file}`);
    expect(byPath.confirmations.source).toBe("env INGOTFORGE_CONFIRMATIONS");
    expect((error as Error).message).toMatch(/confirmations \(env INGOTFORGE_CONFIRMATIONS\)/);
    expect((error as Error).message).toMatch(/storage\.privateKey/);
  });

  it("reports unknown fields (a typo) instead of ignoring them", async () => {
    const file = await writeJson({ rpcUrl: "http://x", chainId: 1, dataDir: "/d", confirmation: 3 });
    await expect(loadConfig({ file, env: {} })).rejects.toThrow(/unknown field "confirmation"/);
  });

  it("reports an unknown storage kind at storage.kind", async () => {
    const error = (await loadConfig({
      env: { INGOTFORGE_RPC_URL: "http://x", INGOTFORGE_CHAIN_ID: "1", INGOTFORGE_DATA_DIR: "/d", INGOTFORGE_STORAGE_KIND: "s3" },
    }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => [i.path, i.source])).toEqual([["storage.kind", "env INGOTFORGE_STORAGE_KIND"]]);
  });

  it("explains a file that is missing or is not JSON", async () => {
    await expect(loadConfig({ file: join(dir, "nope.json"), env: {} })).rejects.toThrow(/cannot read the file/);
    const file = join(dir, "bad.json");
    await writeFile(file, "{ rpcUrl: ");
    await expect(loadConfig({ file, env: {} })).rejects.toThrow(/is not valid JSON/);
  });

  it("rejects a malformed 0G private key without echoing it", async () => {
    const error = (await loadConfig({
      env: {
        INGOTFORGE_RPC_URL: "http://x",
        INGOTFORGE_CHAIN_ID: "1",
        INGOTFORGE_DATA_DIR: "/d",
        INGOTFORGE_STORAGE_KIND: "zerog",
        INGOTFORGE_ZEROG_INDEXER_RPC: "https://i",
        INGOTFORGE_ZEROG_EVM_RPC: "https://e",
        INGOTFORGE_ZEROG_PRIVATE_KEY: "0xdeadbeefsecret",
      },
    }).catch((e: unknown) => e)) as ConfigError;
    expect(error.issues.map((i) => i.path)).toEqual(["storage.privateKey"]);
    expect(error.message).not.toContain("deadbeefsecret");
  });
});

describe("parseConfig", () => {
  it("returns a typed config for valid input", () => {
    const config = parseConfig({ raw: { rpcUrl: "ws://127.0.0.1:8546", chainId: 31337, dataDir: "/d", enclave: { kind: "dstack" } } });
    expect(config.enclave).toEqual({ kind: "dstack" });
  });
});
