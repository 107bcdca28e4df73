import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { CoordinatorConfig } from "./coordinatorConfigSchema.js";
import { ConfigError } from "./errors.js";
import { parseConfig } from "./parseConfig.js";
import { readConfigEnv } from "./readConfigEnv.js";

export interface LoadConfigParameters {
  /** A JSON config file; optional when the environment sets every required field. */
  file?: string;
  /** Usually `process.env`; INGOTFORGE_* variables override the file, field by field. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths from the environment resolve against this; default `process.cwd()`. */
  cwd?: string;
  /**
   * Used where neither the file nor the environment sets the field (`coordinator` passes the local
   * node `http://127.0.0.1:8545` and `.ingotforge`, what every other command defaults to); a
   * relative dataDir resolves against `cwd`. `devChainConfirmations` is the confirmations default
   * on the development chain 31337 (`coordinator`: 0, since a hardhat node mines a block only when
   * sent a transaction and never reorganizes; elsewhere the schema's 2 stays).
   */
  defaults?: { rpcUrl?: string; dataDir?: string; devChainConfirmations?: number };
  /** Asked for the chain id when nothing sets `chainId` (`coordinator`: the node's eth_chainId), so a local node needs no config. */
  chainIdOf?: (rpcUrl: string) => Promise<number>;
}

export type LoadConfigReturnType = CoordinatorConfig;

/** Hardhat's chain id: the development chain, where the simulated enclave is accepted. */
const DEV_CHAIN_ID = 31337;

/**
 * Read, merge and validate the coordinator's config: file, then environment on top. Relative
 * paths resolve against the file's directory (for file values) or `cwd` (for env values), and the
 * local store defaults to `<dataDir>/store` (with the default dataDir, `.ingotforge/store`: the
 * store the CLI and the worker use too).
 */
export async function loadConfig(params: LoadConfigParameters = {}): Promise<LoadConfigReturnType> {
  const cwd = params.cwd ?? process.cwd();
  const fileSource = params.file ? `file ${params.file}` : "default";
  let fromFile: Record<string, unknown> = {};
  if (params.file) {
    let text: string;
    try {
      text = await readFile(params.file, "utf8");
    } catch (cause) {
      throw new ConfigError([{ path: "", source: fileSource, message: `cannot read the file (${(cause as Error).message})` }], { cause });
    }
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError([{ path: "", source: fileSource, message: `is not valid JSON: ${(cause as Error).message}` }], { cause });
    }
    if (typeof fromFile !== "object" || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError([{ path: "", source: fileSource, message: "must be a JSON object" }]);
    }
  }
  const env = readConfigEnv(params.env ?? {});
  const raw = mergeDeep(fromFile, env.values);
  // An environment that switches a backend's kind replaces that section: the file's fields for
  // the other kind would only be reported as unknown.
  for (const section of ["storage", "enclave"] as const) {
    const fromEnv = env.values[section] as Record<string, unknown> | undefined;
    const inFile = fromFile[section] as Record<string, unknown> | undefined;
    if (fromEnv?.kind !== undefined && isPlainObject(inFile) && inFile.kind !== fromEnv.kind) raw[section] = fromEnv;
  }
  if (raw.rpcUrl === undefined && params.defaults?.rpcUrl !== undefined) raw.rpcUrl = params.defaults.rpcUrl;
  if (raw.dataDir === undefined && params.defaults?.dataDir !== undefined) raw.dataDir = resolve(cwd, params.defaults.dataDir);
  if (raw.chainId === undefined && params.chainIdOf && typeof raw.rpcUrl === "string") raw.chainId = await params.chainIdOf(raw.rpcUrl);
  if (raw.confirmations === undefined && params.defaults?.devChainConfirmations !== undefined && raw.chainId === DEV_CHAIN_ID) raw.confirmations = params.defaults.devChainConfirmations;
  // A local store's dir alone (INGOTFORGE_STORAGE_DIR, or { "dir": … }) means a local store: local is the default kind.
  if (isPlainObject(raw.storage) && raw.storage.kind === undefined) raw.storage = { kind: "local", ...raw.storage };
  const config = parseConfig({ raw, sources: env.sources, defaultSource: fileSource });

  const baseOf = (path: string) => (env.sources.has(path) || !params.file ? cwd : dirname(resolve(cwd, params.file)));
  const abs = (path: string, value: string) => (isAbsolute(value) ? value : resolve(baseOf(path), value));
  config.dataDir = abs("dataDir", config.dataDir);
  if (config.storage.kind === "local") {
    config.storage.dir = config.storage.dir === undefined ? join(config.dataDir, "store") : abs("storage.dir", config.storage.dir);
  }
  if (config.nats) {
    config.nats.tokenFile = abs("nats.tokenFile", config.nats.tokenFile);
    if (config.nats.caFile !== undefined) config.nats.caFile = abs("nats.caFile", config.nats.caFile);
  }
  return config;
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
