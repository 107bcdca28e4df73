/**
 * Environment variables the coordinator reads, and the config field each one sets. Values are
 * converted only where the conversion is unambiguous; anything else is passed through as a
 * string so that validation reports it against the variable's name.
 */
export const CONFIG_ENV_VARS = {
  INGOTFORGE_RPC_URL: "rpcUrl",
  INGOTFORGE_CHAIN_ID: "chainId",
  INGOTFORGE_DATA_DIR: "dataDir",
  INGOTFORGE_CONFIRMATIONS: "confirmations",
  INGOTFORGE_LOG_LEVEL: "logLevel",
  INGOTFORGE_STORAGE_KIND: "storage.kind",
  INGOTFORGE_STORAGE_DIR: "storage.dir",
  INGOTFORGE_ZEROG_INDEXER_RPC: "storage.indexerRpc",
  INGOTFORGE_ZEROG_EVM_RPC: "storage.evmRpc",
  INGOTFORGE_ZEROG_PRIVATE_KEY: "storage.privateKey",
  INGOTFORGE_ZEROG_UPLOAD_TIMEOUT_MS: "storage.uploadTimeoutMs",
  INGOTFORGE_ZEROG_DOWNLOAD_TIMEOUT_MS: "storage.downloadTimeoutMs",
  INGOTFORGE_ENCLAVE_KIND: "enclave.kind",
  INGOTFORGE_ENCLAVE_SECRET_SEED: "enclave.secretSeed",
  INGOTFORGE_ENCLAVE_FORCE_CHAIN: "enclave.forceChain",
  INGOTFORGE_DSTACK_ENDPOINT: "enclave.endpoint",
  INGOTFORGE_NATS_URL: "nats.url",
  INGOTFORGE_NATS_USER: "nats.user",
  INGOTFORGE_NATS_TOKEN_FILE: "nats.tokenFile",
  INGOTFORGE_NATS_CA_FILE: "nats.caFile",
} as const;

const NUMERIC = new Set(["chainId", "confirmations", "storage.uploadTimeoutMs", "storage.downloadTimeoutMs"]);
const BOOLEAN = new Set(["enclave.forceChain"]);

export interface ReadConfigEnvReturnType {
  /** A nested partial config. */
  values: Record<string, unknown>;
  /** Config path → the variable that set it. */
  sources: Map<string, string>;
}

/** The config fields set in `env` (pass `process.env`). Empty strings count as unset. */
export function readConfigEnv(env: Readonly<Record<string, string | undefined>>): ReadConfigEnvReturnType {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const [name, path] of Object.entries(CONFIG_ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") continue;
    const text = raw.trim();
    let value: unknown = text;
    if (NUMERIC.has(path) && /^-?\d+$/.test(text)) value = Number(text);
    if (BOOLEAN.has(path) && /^(true|1|yes)$/i.test(text)) value = true;
    if (BOOLEAN.has(path) && /^(false|0|no)$/i.test(text)) value = false;
    setPath(values, path, value);
    sources.set(path, `env ${name}`);
  }
  return { values, sources };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
