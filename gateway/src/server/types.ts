/**
 * What the HTTP API needs from the rest of the gateway, passed into `createGatewayServer`.
 * The real implementations: the SQLite ledger (gateway/src/ledger, `openLedger`), the proof
 * part (gateway/src/proof, wrapped by `createProofIssuer`), the serving engine
 * (gateway/src/serving) and a catalog of LIVE Ingots.
 */
import type { ProofKeyAttestation } from "../attestation/types.js";
import type { Address } from "viem";
import type { Logger } from "pino";
import type { GatewayProof } from "../proof/types.js";
import type { ProofQueue, TimestampedWitness } from "../witness/types.js";
import type { ServingEngine } from "../serving/types.js";
import type { Asset, Caller, Charge, PayerCredit, ServedIngot } from "../types.js";

type Awaitable<T> = T | Promise<T>;

/** A hold on a payer's credit for the most a call may cost; committed or released exactly once. */
export interface Reservation {
  reservationId: string;
  payer: Address;
  asset: Asset;
  amount: bigint;
}

/** The money side of a call. Every method may be synchronous (node:sqlite) or not. */
export interface GatewayLedger {
  /**
   * The caller behind a bearer API key.
   * @throws UnknownApiKeyError, RevokedApiKeyError, RateLimitedError
   */
  authenticate(apiKey: string): Awaitable<Caller>;
  /**
   * Hold `amount` of the payer's spendable credit in `asset` for a call to `ingotId`.
   * @throws InsufficientCreditError when available credit (deposits − charges − holds − withdrawals requested) is below `amount`.
   */
  reserve(params: { caller: Caller; asset: Asset; amount: bigint; ingotId: bigint }): Awaitable<Reservation>;
  /**
   * Turn the hold into a charge of `amount` (≤ the held amount) for the tokens delivered, and keep
   * the call's proof with it, retrievable by its proof_id: both at once (one transaction) or
   * neither. The rest of the hold is freed. `chargeId` is the id the proof already names as its
   * `payment.transaction_id`; it must be unused.
   */
  commitCharge(params: {
    reservationId: string;
    chargeId: string;
    amount: bigint;
    promptTokens: number;
    completionTokens: number;
    proof: GatewayProof;
    /** Also queue the proof for its batch witness in the same transaction (`witnessQueue`): set when the server has witnesses. */
    queueWitness?: boolean;
  }): Awaitable<Charge>;
  /** Free the hold without charging (the call failed or the client went away). */
  releaseReservation(reservationId: string): Awaitable<void>;
  getProof(proofId: string): Awaitable<GatewayProof | undefined>;
  /** The caller's payer's standing in `asset` (spendable, short, held, unsettled, deferred, withdrawal pending). */
  creditOf(params: { caller: Caller; asset: Asset }): Awaitable<PayerCredit>;
  /**
   * The proofs committed with `queueWitness` and not yet batched, kept durably (the SQLite
   * ledger's): the witness batcher reads it at start so no proof loses its witness to a crash.
   * Absent on a ledger that keeps no such queue (then a crash loses the open batch's witnesses).
   */
  witnessQueue?: ProofQueue;
}

export interface IssueProofParameters {
  /** The request body as parsed from the HTTP body. */
  request: unknown;
  /** The response body without its `proof` field; for a stream, the list of its events before the proof event. */
  response: unknown;
  /** `canonicalJson(response)` when already built (a stream's events are canonicalized as they go out). */
  responseCanonicalJson?: string;
  caller: Caller;
  /** The charge the proof names: issued before the charge is committed, so it can be committed with it. */
  charge: Pick<Charge, "chargeId" | "asset" | "amount">;
  ingot: ServedIngot;
  /** When the response was complete. */
  timestamp: Date;
  /** Chosen before the response is complete when it must be announced early (streams send it as a header first). */
  proofId?: string;
  /** `"charged"` (default): the whole answer was delivered; `"partial"`: a stream the client left early, charged for what it was sent. */
  status?: "charged" | "partial";
  /** The tokens the charge is for (written into the proof as `usage`). */
  usage?: { promptTokens: number; completionTokens: number };
}

/** Builds and signs the per-call proof (ArkForge spec 2.1; see gateway/docs/proof.md). */
export interface ProofIssuer {
  issue(params: IssueProofParameters): Awaitable<GatewayProof>;
}

/** The LIVE Ingots served here. */
export interface IngotCatalog {
  list(): Awaitable<readonly ServedIngot[]>;
  /** The Ingot named by an OpenAI model id (`ingot-<id>`), or undefined. */
  find(model: string): Awaitable<ServedIngot | undefined>;
}

/** Price of a token (prompt or completion) for an Ingot. */
export interface IngotPrice {
  asset: Asset;
  /** Base units of `asset` (wei for ETH) per token. */
  pricePerToken: bigint;
}

export interface PriceBook {
  /** The asset every call is billed in. */
  readonly asset: Asset;
  priceOf(ingot: ServedIngot): IngotPrice;
}

/** The proofs' batch witnesses (gateway/src/witness): queued after each commit, completed asynchronously. */
export interface ProofWitnesses {
  /** Queue a committed proof's chain hash (64 hex) for the next batch; must not block or throw. */
  add(proofId: string, chainHashHex: string): void;
  /** The completed witness (inclusion path, RFC 3161 token, anchor) once the proof's batch is time-stamped. */
  witnessOf(proofId: string): Awaitable<TimestampedWitness | undefined>;
}

export interface GatewayServerDeps {
  engine: Pick<ServingEngine, "prepare" | "generate">;
  catalog: IngotCatalog;
  ledger: GatewayLedger;
  proofs: ProofIssuer;
  prices: PriceBook;
  logger: Logger;
  /** Largest request body accepted, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Least time between two writes to a stream, ms (default 0: every token written as it comes); see createSseWriter. */
  streamFlushMs?: number;
  /** Clock (default `() => new Date()`). */
  now?: () => Date;
  /** What vouches for the proof key, served at GET /v1/attestation (404 there when absent). */
  attestation?: ProofKeyAttestation;
  /** Batch witnesses: when set, proofs are delivered with `witness: { status: "pending", url }` and served completed at GET /v1/proofs/:id. */
  witnesses?: ProofWitnesses;
}
