/** The gateway's configuration (zod); `parseGatewayConfig` parses it once at the edge. */
import { z } from "zod";
import { zeroAddress, type Address, type Hex } from "viem";

const wei = z
  .union([z.string().regex(/^(0|[1-9]\d*)$/, { error: "a decimal integer in the asset's base unit (wei)" }), z.number().int().min(0)])
  .transform((v) => BigInt(v));
const root = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { error: "a 0G root: 0x and 64 hex digits" }).transform((v) => v.toLowerCase() as Hex);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, { error: "an address: 0x and 40 hex digits" }).transform((v) => v.toLowerCase() as Address);
const ingotId = z.union([z.string().regex(/^[1-9]\d*$/), z.number().int().min(1)]).transform((v) => BigInt(v));

export const gatewayConfigSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8080),
      /** The gateway's public host name, written into every proof as `parties.seller`. */
      seller: z.string().min(1),
      bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
      /**
       * Least time between two writes to a stream, ms. Tokens that come faster than this go out
       * together in one write; a token after a quiet interval is written at once. 0: every token
       * is written as it comes. The default, 16 ms, is one frame of a 60 Hz display: a reader
       * sees no difference, a model faster than 60 tokens/s costs one socket write (and one
       * wake-up of the client) per frame instead of one per token, and a slower one is written
       * token by token as before.
       */
      streamFlushMs: z.number().min(0).max(1000).default(16),
    }),
  model: z.strictObject({
    /** The base model GGUF every served Ingot's adapter applies to. */
    path: z.string().min(1),
    contextSize: z.number().int().min(16).optional(),
    threads: z.number().int().min(1).optional(),
    gpu: z.union([z.literal(false), z.enum(["auto", "cuda", "vulkan"])]).default(false),
    maxConcurrent: z.number().int().min(1).default(4),
    maxQueue: z.number().int().min(0).default(16),
    maxCompletionTokens: z.number().int().min(1).optional(),
    maxContexts: z.number().int().min(1).default(8),
    adapterCacheDir: z.string().min(1).optional(),
  }),
  storage: z.strictObject({ localDir: z.string().min(1) }),
  ledger: z.strictObject({
    path: z.string().min(1),
    /** How long the serving lease lives unrenewed (renewed every third of it): a second process is refused while it lives. */
    leaseTtlMs: z.number().int().min(1000).default(30_000),
  }),
  /**
   * The key proofs are signed with: a seed in the config or a file (not attested), or derived
   * inside an enclave, whose quote commits to it (`GET /v1/attestation`): `dstack` (Intel TDX;
   * `endpoint` defaults to the guest agent's socket) or `simulated` (development: its quote
   * vouches for nothing).
   */
  proof: z.union([
    z.strictObject({ privateKeyHex: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, { error: "an Ed25519 seed: 64 hex digits" }) }),
    z.strictObject({ privateKeyFile: z.string().min(1) }),
    z.strictObject({
      enclave: z.discriminatedUnion("kind", [
        z.strictObject({ kind: z.literal("dstack"), endpoint: z.string().min(1).optional() }),
        z.strictObject({ kind: z.literal("simulated"), secretSeed: z.string().regex(/^0x[0-9a-fA-F]{64}$/, { error: "32 bytes of 0x-hex" }).transform((v) => v as Hex).optional() }),
      ]),
    }),
  ]),
  billing: z
    .strictObject({
      /** ETH is the zero address. */
      asset: address.default(zeroAddress),
      defaultPricePerTokenWei: wei,
      /** Per-Ingot override, keyed by Ingot id. */
      ingotPricesWei: z.record(z.string().regex(/^[1-9]\d*$/, { error: "an Ingot id" }), wei).default({}),
    }),
  /**
   * The chain the gateway watches and settles on. When set, the LIVE Ingots come from the Ingot
   * contract (refreshed every round, those on this base model), deposits and withdrawal requests
   * are synced into the ledger, and pending charges are settled into the RevenueSplitter.
   */
  chain: z
    .strictObject({
      rpcUrl: z.url(),
      /** GatewayDeposits. */
      deposits: address,
      /** The Ingot (ERC-1155) contract. */
      ingot: address,
      /** A file holding the settler's secp256k1 private key (0x + 64 hex); it holds SETTLER_ROLE. */
      settlerKeyFile: z.string().min(1),
      intervalMs: z.number().int().min(100).default(15_000),
      maxChargesPerBatch: z.number().int().min(1).max(500).default(100),
      /**
       * Charges not yet batched wait while they add up to less than this (in the billing asset's
       * base unit), so that a trickle of small calls is not settled one transaction per round at
       * more gas than it pays. Absent: every round batches whatever is there. Never holds the
       * charges of a payer with an open withdrawal request.
       */
      minBatchAmountWei: wei.optional(),
      /** The longest a charge waits under `minBatchAmountWei`, from its commit (default 1 h). */
      maxBatchDelayMs: z.number().int().min(0).default(3_600_000),
      /** A settlement transaction still not mined this long after it was sent is replaced with one at the same nonce and fees 12.5 % higher (also how long a round waits for a receipt). */
      replaceAfterMs: z.number().int().min(1000).default(180_000),
      /** The most a settlement transaction pays per gas (its max fee; its gas price on a chain without a base fee). No cap when absent: a replacement raises fees by 12.5 % each time. */
      maxFeePerGasWei: wei.optional(),
      /** ProofKeyRegistry: when set and the proof key comes from an enclave, the gateway registers it there at start (the settler pays the gas). */
      proofKeyRegistry: address.optional(),
      /** The block GatewayDeposits was deployed in: a ledger that has never synced (or must resync) reads events from here, not from block 0. */
      fromBlock: z.number().int().min(0).default(0),
    })
    .optional(),
  /**
   * The proofs' independent witnesses (gateway/docs/proof.md, "Witnesses"): proofs are batched
   * into Merkle trees, each root time-stamped by an RFC 3161 TSA and, with `anchor`, appended to
   * the on-chain ProofLog. Absent: proofs carry their signature only.
   */
  witness: z
    .strictObject({
      /** The RFC 3161 time-stamping authority (POST application/timestamp-query). */
      tsaUrl: z.url(),
      /** A batch closes this long after its first proof, if it holds `minProofs`… */
      intervalMs: z.number().int().min(10).max(3_600_000).default(1000),
      /** …or as soon as it holds this many proofs. */
      maxProofs: z.number().int().min(1).max(65_536).default(1024),
      /**
       * A batch past `intervalMs` with fewer proofs than this waits for them, at most until
       * `maxDelayMs` after its first proof: a batch costs the same whatever its size, so at low
       * load this keeps the cost per call under 0.1 ms (`batchSizeAt`; README, "Benchmark").
       */
      minProofs: z.number().int().min(1).max(65_536).default(32),
      /** The longest a proof waits for its batch (≥ intervalMs). */
      maxDelayMs: z.number().int().min(10).max(3_600_000).default(10_000),
      /** The SQLite file of closed batches (default: the ledger's path + `.witness.sqlite`). */
      storePath: z.string().min(1).optional(),
      /** How long one time-stamp request may take. */
      tsaTimeoutMs: z.number().int().min(100).default(10_000),
      /**
       * Append batch roots to a ProofLog (`contracts/ProofLog.sol`) on `chain` (needed), signed with
       * `appenderKeyFile` (it must hold the log's APPENDER_ROLE). One transaction carries every batch
       * not yet anchored, sent once `everyBatches` are waiting or the oldest has waited `maxDelayMs`.
       */
      anchor: z
        .strictObject({
          proofLog: address,
          /**
           * The appender's secp256k1 key (0x + 64 hex, one line). Use a key of its own, not the
           * settler's: settlement waits while its key has a transaction it did not send in flight.
           */
          appenderKeyFile: z.string().min(1),
          everyBatches: z.number().int().min(1).max(1000).default(10),
          maxDelayMs: z.number().int().min(0).default(60_000),
        })
        .optional(),
      /**
       * Sigstore Rekor as a second public log, off by default: each time-stamped batch root is
       * logged there as a `hashedrekord` entry through @sigstore/sign, signed with
       * `signerKeyFile` (an ECDSA P-256 private key, PEM, of its own).
       */
      rekor: z
        .strictObject({
          url: z.url().default("https://rekor.sigstore.dev"),
          signerKeyFile: z.string().min(1),
          timeoutMs: z.number().int().min(100).default(10_000),
          /** After a failed entry, try again this long later (or at the next batch). */
          retryMs: z.number().int().min(100).default(60_000),
        })
        .optional(),
    })
    .optional(),
  /** The LIVE Ingots to serve when no `chain` is configured (or besides it). */
  ingots: z
    .array(
      z.strictObject({
        ingotId,
        baseModelName: z.string().min(1),
        baseModelRoot: root,
        adapterRoot: root,
        metadataURI: z.string().default(""),
      }),
    )
    .default([]),
  log: z.strictObject({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") }).default({ level: "info" }),
}).superRefine((config, ctx) => {
  if (config.witness && config.witness.maxDelayMs < config.witness.intervalMs) {
    ctx.addIssue({ code: "custom", path: ["witness", "maxDelayMs"], message: `must be at least witness.intervalMs (${config.witness.intervalMs})` });
  }
  if (config.witness?.anchor && !config.chain) {
    ctx.addIssue({ code: "custom", path: ["witness", "anchor"], message: "anchoring batch roots needs `chain` (its rpcUrl): add it, or leave out witness.anchor" });
  }
});

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
