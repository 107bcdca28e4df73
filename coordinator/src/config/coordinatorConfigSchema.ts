import { z } from "zod";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits (32 bytes)");
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const positiveMs = z.number().int().positive();

/** Where content (contributions, sealed holdouts, attribution records) lives. */
export const storageConfigSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("local"),
    /** Default `<dataDir>/store`. */
    dir: z.string().min(1).optional(),
  }).strict(),
  z.object({
    kind: z.literal("zerog"),
    indexerRpc: httpUrl,
    evmRpc: httpUrl,
    /** Pays for uploads. Prefer the environment (INGOTFORGE_ZEROG_PRIVATE_KEY) to a file. */
    privateKey: hex32,
    uploadTimeoutMs: positiveMs.default(600_000),
    downloadTimeoutMs: positiveMs.default(300_000),
  }).strict(),
]);

/** Which TEE the coordinator's keys and quotes come from. */
export const enclaveConfigSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("simulated"),
    /** Seeds the simulated enclave's keys; it is not secret in any real sense (nothing simulated is). */
    secretSeed: hex32.optional(),
    /** Allow a chain other than 31337. The registry there will refuse simulated quotes anyway. */
    forceChain: z.boolean().default(false),
  }).strict(),
  z.object({
    kind: z.literal("dstack"),
    /** A unix socket path or http(s) URL; default: the SDK's (DSTACK_SIMULATOR_ENDPOINT, /var/run/dstack.sock). */
    endpoint: z.string().min(1).optional(),
  }).strict(),
]);

/** The compute pool's nats-server (`compute/nats/`): when set, `run` sends registered workers' jobs over NATS JetStream instead of the file queue. */
export const natsConfigSchema = z.object({
  /** nats://host:port, comma-separated for several. */
  url: z.string().regex(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, "must be nats://host:port (comma-separated for several)"),
  /** The users file's coordinator user. */
  user: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and -").default("coordinator"),
  /** The coordinator's token, one line (never inline: the config is logged and shared). */
  tokenFile: z.string().min(1),
  /** The pool's CA certificate (natsServer --tls <dir> writes <dir>/ca.pem): TLS, the server verified against it. */
  caFile: z.string().min(1).optional(),
}).strict();

export const coordinatorConfigSchema = z.object({
  rpcUrl: httpUrl.or(z.url({ protocol: /^wss?$/, error: "must be an http(s):// or ws(s):// URL" })),
  chainId: z.number().int().positive(),
  /** State the coordinator keeps across restarts (handled events, caches, local content). */
  dataDir: z.string().min(1),
  /** Blocks an event must be buried under before the coordinator acts on it. */
  confirmations: z.number().int().min(0).max(1000).default(2),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  storage: storageConfigSchema.default({ kind: "local" }),
  enclave: enclaveConfigSchema.default({ kind: "simulated", forceChain: false }),
  nats: natsConfigSchema.optional(),
}).strict();

export type CoordinatorConfigInput = z.input<typeof coordinatorConfigSchema>;
export type CoordinatorConfig = z.output<typeof coordinatorConfigSchema>;
export type StorageConfig = z.output<typeof storageConfigSchema>;
export type EnclaveConfig = z.output<typeof enclaveConfigSchema>;
export type NatsConfig = z.output<typeof natsConfigSchema>;
