/**
 * The per-call proof of the inference gateway: ArkForge proof-spec v2.1 (chain hash over the
 * canonical JSON of request hash, response hash, transaction id, timestamp, buyer fingerprint and
 * seller), signed with Ed25519, plus the Ingot that served the call. The format, and what exactly
 * is hashed and signed, is documented in gateway/docs/proof.md.
 *
 * Field names are snake_case because they are the proof's JSON (the spec's names).
 */
import type { Hex } from "viem";
import type { ProofWitness } from "../witness/types.js";

/**
 * Which chain-hash formula a proof uses, chosen by `spec_version`:
 * - `"canonical-json"`: spec 1.2 / 2.1 — SHA-256 of the canonical JSON of the chain fields.
 * - `"legacy"`: spec 1.1 / 2.0 / absent — SHA-256 of the fields concatenated with no separator.
 */
export type ChainFormula = "canonical-json" | "legacy";

/** The spec versions this implementation verifies. It emits only "2.1". */
export type ProofSpecVersion = "1.1" | "1.2" | "2.0" | "2.1";

/** A SHA-256 digest as the proof JSON writes it. */
export type PrefixedSha256 = `sha256:${string}`;

/**
 * The components of the chain hash, all strings exactly as they enter it. Hashes are bare
 * lowercase hex (64 digits, no `sha256:` prefix).
 */
export interface ChainFields {
  request_hash: string;
  response_hash: string;
  /** `payment.transaction_id` of the proof (the vectors call it `payment_intent_id`). */
  transaction_id: string;
  /** ISO 8601 UTC, `2026-01-15T12:00:00Z`. */
  timestamp: string;
  /** SHA-256 hex of the raw API key. */
  buyer_fingerprint: string;
  seller: string;
  /** Upstream's HTTP `Date` header. Part of the chain only when present and non-empty. */
  upstream_timestamp?: string | null;
  /** SHA-256 hex of a payment receipt; a `sha256:` prefix is stripped. Part of the chain only when present and non-empty. */
  receipt_content_hash?: string | null;
}

/**
 * What the buyer paid for this call. Outside the chain hash except `transaction_id`; covered by
 * the gateway's metadata signature.
 */
export interface ProofPayment {
  /** Who holds the money, e.g. `"gateway_deposits"` (prepaid on-chain credit). */
  provider: string;
  /** The charge this call created; enters the chain hash as-is. */
  transaction_id: string;
  /**
   * A decimal integer string in the asset's base unit (wei for ETH). The spec writes a JSON number;
   * the gateway writes a string because a JSON number cannot carry a uint256 exactly.
   */
  amount: string;
  /** The asset: `"eth"` or an ERC-20 token address. */
  currency: string;
  /**
   * `"charged"`: the whole answer was delivered and charged; `"partial"`: a stream the client left
   * early, charged for what was written to it (see `usage`). Other issuers write e.g. `"settled"`.
   */
  status: string;
}

/** The Ingot that served the call (gateway extension; not in the ArkForge spec). */
export interface ProofIngot {
  /** The Ingot id, a decimal string (a uint256 on chain). */
  id: string;
  /** The OpenAI model id the call named: `ingot-<id>`. */
  model: string;
  /** The 0G root of the LoRA adapter that was applied (lowercase 0x-hex, 32 bytes). */
  adapter_root: Hex;
}

/**
 * The tokens the call was charged for (gateway extension): `payment.amount` is `total_tokens` ×
 * the Ingot's price. For a stream the client left early (`payment.status` `"partial"`), the
 * prompt and the completion tokens written to its socket.
 */
export interface ProofUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The gateway's Ed25519 signatures (see gateway/docs/proof.md, "What is signed"). */
export interface ProofSignature {
  algorithm: "Ed25519";
  /** The gateway's 32-byte public key, 64 lowercase hex digits. */
  public_key: string;
  /**
   * Signature (64 bytes, 128 hex digits) over the UTF-8 bytes of the chain hash's 64 lowercase hex
   * digits — the message ArkForge spec §6 signs.
   */
  value: string;
  /**
   * Signature (128 hex digits) over the proof metadata message (`proofMetadataMessage`): the
   * canonical JSON of the whole proof without the two signature values. Binds what the chain hash
   * leaves out: proof_id, payment amount/currency/status, the Ingot and adapter root.
   */
  metadata_value: string;
}

/** One gateway proof, as `GET /v1/proofs/:id` serves it. */
export interface GatewayProof {
  /** `prf_<yyyymmdd>_<hhmmss>_<first 12 hex digits of the chain hash>` unless given. */
  proof_id: string;
  spec_version: "2.1";
  /** ISO 8601 UTC with seconds: `2026-01-15T12:00:00Z`. */
  timestamp: string;
  hashes: { request: PrefixedSha256; response: PrefixedSha256; chain: PrefixedSha256 };
  parties: { buyer_fingerprint: string; seller: string };
  payment: ProofPayment;
  ingot: ProofIngot;
  /** The tokens charged; present on proofs issued since partial streams are charged. */
  usage?: ProofUsage;
  signature: ProofSignature;
  /**
   * The batch witness (gateway/docs/proof.md, "Witnesses"), added after signing and outside the
   * metadata signature: `pending` with where to fetch the completed proof, or the inclusion path,
   * RFC 3161 token and on-chain anchor of the proof's batch.
   */
  witness?: ProofWitness;
}

/** A GatewayProof before its signature values are set (what the metadata signature covers). */
export type UnsignedGatewayProof = Omit<GatewayProof, "signature" | "witness"> & { signature: Omit<ProofSignature, "value" | "metadata_value"> };

/** Signs proofs with the gateway's Ed25519 key. Holds the key; hand it in, never a global. */
export interface ProofSigner {
  /** 64 lowercase hex digits. */
  readonly publicKeyHex: string;
  /** Ed25519 over the UTF-8 bytes of `chainHashHex` (64 lowercase hex digits); the signature as 128 hex digits. */
  sign(chainHashHex: string): string;
  /** Ed25519 over arbitrary bytes (the metadata message); the signature as 128 hex digits. */
  signBytes(message: Uint8Array): string;
}

/** Names of the checks `verifyProof` runs, each reported separately. */
export type ProofCheckName =
  | "format"
  | "spec_version"
  | "chain_hash"
  | "signature"
  | "public_key"
  | "metadata_signature"
  | "proof_id"
  | "request_hash"
  | "response_hash"
  | "buyer_fingerprint"
  | "ingot_model";

/** `skip`: the check does not apply, or its input was not given. */
export type ProofCheckStatus = "pass" | "fail" | "skip";

export interface ProofCheck {
  status: ProofCheckStatus;
  /** One line a person can read: what was compared, or why it was skipped. */
  detail: string;
}
