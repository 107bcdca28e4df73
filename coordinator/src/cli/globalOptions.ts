import path from "node:path";
import { isHex, size } from "viem";
import { defaultStoreDir } from "../util/defaultStoreDir.js";
import { CliUsageError } from "./errors.js";
import { parseIntegerOption } from "./parseOption.js";
import type { GlobalOptions, OptionsConfig } from "./types.js";

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
export const DEFAULT_STORE_DIR = ".ingotforge/store";
export const PRIVATE_KEY_ENV = "INGOTFORGE_PRIVATE_KEY";
/** The node every command talks to when --rpc is not given (the coordinator, worker and `--network localhost` read it too). */
export const RPC_URL_ENV = "INGOTFORGE_RPC_URL";

/** Options every command takes, before or after the command words. */
export const GLOBAL_OPTIONS = {
  rpc: { type: "string" },
  account: { type: "string" },
  "private-key": { type: "string" },
  store: { type: "string" },
  deployments: { type: "string" },
  artifacts: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionsConfig;

export const GLOBAL_USAGE = [
  "global options:",
  `  --rpc <url>            JSON-RPC endpoint (default ${RPC_URL_ENV}, else ${DEFAULT_RPC_URL})`,
  "  --account <index>      send as this account of the hardhat node's test mnemonic (default 0; chain 31337 only)",
  `  --private-key <0x..>   send as this key instead (or set ${PRIVATE_KEY_ENV}, which keeps it out of the process list)`,
  `  --store <dir>          local content store (default INGOTFORGE_STORAGE_DIR, else ${DEFAULT_STORE_DIR}: the coordinator's and the worker's too)`,
  "  --deployments <dir>    Ignition deployments folder (default ignition/deployments)",
  "  --artifacts <dir>      Hardhat build output with the ABIs (default artifacts)",
  "  --json                 print the result as one JSON object",
].join("\n");

/** Validate the global options once; `env` supplies INGOTFORGE_PRIVATE_KEY, INGOTFORGE_RPC_URL and the store's variables. */
export function parseGlobalOptions(values: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): GlobalOptions {
  const rpcUrl = typeof values.rpc === "string" ? values.rpc : env[RPC_URL_ENV] || DEFAULT_RPC_URL;
  const rpcSource = typeof values.rpc === "string" ? "--rpc" : RPC_URL_ENV;
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    throw new CliUsageError(`${rpcSource} must be an http(s) URL, got "${rpcUrl}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliUsageError(`${rpcSource} must be an http(s) URL, got a ${url.protocol} URL`);

  const flagKey = typeof values["private-key"] === "string" ? values["private-key"] : undefined;
  const envKey = env[PRIVATE_KEY_ENV] ? env[PRIVATE_KEY_ENV] : undefined;
  let account: GlobalOptions["account"];
  if (typeof values.account === "string") {
    if (flagKey !== undefined) throw new CliUsageError("pass either --account or --private-key, not both");
    account = { kind: "testMnemonic", index: Number(parseIntegerOption(values.account, "--account", { max: 2n ** 31n - 1n })) };
  } else if (flagKey !== undefined || envKey !== undefined) {
    const key = (flagKey ?? envKey) as string;
    const source = flagKey !== undefined ? "flag" : "env";
    // The key itself never goes into a message.
    if (!isHex(key, { strict: true }) || size(key) !== 32) {
      throw new CliUsageError(`${source === "flag" ? "--private-key" : PRIVATE_KEY_ENV} must be 32 bytes of hex (0x followed by 64 hex digits)`);
    }
    account = { kind: "privateKey", privateKey: key, source };
  } else {
    account = { kind: "testMnemonic", index: 0 };
  }

  return {
    rpcUrl,
    account,
    storeDir: path.resolve(typeof values.store === "string" ? values.store : defaultStoreDir(env)),
    deploymentsDir: path.resolve(typeof values.deployments === "string" ? values.deployments : path.join("ignition", "deployments")),
    artifactsDir: path.resolve(typeof values.artifacts === "string" ? values.artifacts : "artifacts"),
    json: values.json === true,
  };
}
