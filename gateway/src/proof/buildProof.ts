import { buyerFingerprint as fingerprintOf } from "./buyerFingerprint.js";
import { computeChainHash } from "./computeChainHash.js";
import { ProofInputError } from "./errors.js";
import { hashRequest } from "./hashRequest.js";
import { hashResponse } from "./hashResponse.js";
import { proofMetadataMessage } from "./proofMetadataMessage.js";
import { sha256Hex } from "./sha256Hex.js";
import type { GatewayProof, ProofIngot, ProofPayment, ProofSigner, ProofUsage, UnsignedGatewayProof } from "./types.js";

export interface BuildProofParameters {
  /** The request body as received (parsed JSON). Hashed, not stored. */
  request: unknown;
  /** The response body as returned (parsed JSON, or the object that was serialized). Hashed, not stored. */
  response: unknown;
  /**
   * `canonicalJson(response)`, when the caller has it already (a stream's events, canonicalized as
   * they went out): hashed instead of canonicalizing `response` again at the end of the call.
   */
  responseCanonicalJson?: string;
  /** The caller's raw API key; give this or `buyerFingerprint`. */
  apiKey?: string;
  /** SHA-256 hex of the API key (the ledger's `Caller.fingerprint`); give this or `apiKey`. */
  buyerFingerprint?: string;
  /** The gateway's public host name, e.g. `gateway.ingotforge.xyz`. */
  seller: string;
  /** When the response was complete. A Date is truncated to whole seconds; a string must already be `YYYY-MM-DDTHH:MM:SSZ`. */
  timestamp: string | Date;
  payment: Omit<ProofPayment, "amount"> & { amount: string | bigint };
  ingot: Omit<ProofIngot, "id" | "adapter_root"> & { id: string | bigint; adapter_root: string };
  /** The tokens charged (`usage` extension); left out when not given. */
  usage?: { promptTokens: number; completionTokens: number };
  signer: ProofSigner;
  /** Defaults to `prf_<yyyymmdd>_<hhmmss>_<first 12 hex digits of the chain hash>` (deterministic). */
  proofId?: string;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Build and sign the proof of one call (ArkForge spec 2.1, canonical-JSON chain hash): hashes the
 * request and response, binds them with the payment's transaction id, the timestamp, the buyer
 * fingerprint and the seller into the chain hash, signs the chain hash, then signs the metadata
 * message (everything else: proof_id, payment, Ingot).
 *
 * @throws ProofInputError for a malformed timestamp, payment, Ingot, fingerprint, seller or proof id;
 *   CanonicalJsonError when the request or response holds a non-JSON value.
 */
export function buildProof(params: BuildProofParameters): GatewayProof {
  const timestamp = toTimestamp(params.timestamp);
  const buyer = resolveFingerprint(params);
  const seller = nonEmpty("parties.seller", params.seller, "Pass the gateway's public host name");
  const payment = toPayment(params.payment);
  const ingot = toIngot(params.ingot);
  const usage = params.usage === undefined ? undefined : toUsage(params.usage);
  const request = hashRequest(params.request);
  const response = params.responseCanonicalJson !== undefined ? sha256Hex(params.responseCanonicalJson) : hashResponse(params.response);
  const chain = computeChainHash(
    { request_hash: request, response_hash: response, transaction_id: payment.transaction_id, timestamp, buyer_fingerprint: buyer, seller },
    "canonical-json",
  );
  const proofId = params.proofId ?? `prf_${timestamp.slice(0, 10).replaceAll("-", "")}_${timestamp.slice(11, 19).replaceAll(":", "")}_${chain.slice(0, 12)}`;
  if (typeof proofId !== "string" || !/^prf_[A-Za-z0-9_-]{1,120}$/.test(proofId)) {
    throw new ProofInputError("proof_id", proofId, "must be prf_ followed by 1–120 letters, digits, _ or -", "It appears in the URL /v1/proofs/:id; leave it out to derive one");
  }
  const unsigned: UnsignedGatewayProof = {
    proof_id: proofId,
    spec_version: "2.1",
    timestamp,
    hashes: { request: `sha256:${request}`, response: `sha256:${response}`, chain: `sha256:${chain}` },
    parties: { buyer_fingerprint: buyer, seller },
    payment,
    ingot,
    ...(usage ? { usage } : {}),
    signature: { algorithm: "Ed25519", public_key: params.signer.publicKeyHex },
  };
  const value = params.signer.sign(chain);
  const metadataValue = params.signer.signBytes(proofMetadataMessage(unsigned as unknown as Record<string, unknown>));
  return { ...unsigned, signature: { ...unsigned.signature, value, metadata_value: metadataValue } };
}

function toTimestamp(value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ProofInputError("timestamp", value, "an invalid Date", "Pass the time the response completed");
    return value.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  const parsed = typeof value === "string" && TIMESTAMP.test(value) ? new Date(value) : undefined;
  const roundTrips = parsed !== undefined && !Number.isNaN(parsed.getTime()) && parsed.toISOString() === `${value.slice(0, 19)}.000Z`;
  if (!roundTrips) {
    throw new ProofInputError("timestamp", value, "must be ISO 8601 UTC with whole seconds, YYYY-MM-DDTHH:MM:SSZ, and a real date", "Pass a Date, or format as new Date().toISOString().replace(/\\.\\d{3}Z$/, 'Z')");
  }
  return value;
}

function resolveFingerprint(params: BuildProofParameters): string {
  if (params.apiKey !== undefined && params.buyerFingerprint !== undefined) {
    const fromKey = fingerprintOf(params.apiKey);
    if (fromKey !== params.buyerFingerprint) {
      throw new ProofInputError("parties.buyer_fingerprint", params.buyerFingerprint, "does not match SHA-256 of the given apiKey", "Give one of apiKey or buyerFingerprint");
    }
    return fromKey;
  }
  if (params.apiKey !== undefined) return fingerprintOf(params.apiKey);
  if (typeof params.buyerFingerprint === "string" && HEX64.test(params.buyerFingerprint)) return params.buyerFingerprint;
  throw new ProofInputError(
    "parties.buyer_fingerprint",
    params.buyerFingerprint,
    params.buyerFingerprint === undefined ? "neither apiKey nor buyerFingerprint was given" : "must be 64 lowercase hex digits",
    "Pass the caller's API key, or its SHA-256 hex (Caller.fingerprint)",
  );
}

function toPayment(payment: BuildProofParameters["payment"]): ProofPayment {
  if (payment === null || typeof payment !== "object") throw new ProofInputError("payment", payment, "missing", "Pass { provider, transaction_id, amount, currency, status }");
  let amount: string;
  if (typeof payment.amount === "bigint" && payment.amount >= 0n) amount = payment.amount.toString();
  else if (typeof payment.amount === "string" && /^(0|[1-9]\d*)$/.test(payment.amount)) amount = payment.amount;
  else throw new ProofInputError("payment.amount", payment.amount, "must be a non-negative integer in the asset's base unit (bigint or decimal string)", "Pass the charge in wei (or token base units)");
  return {
    provider: nonEmpty("payment.provider", payment.provider, 'Name who holds the money, e.g. "gateway_deposits"'),
    transaction_id: nonEmpty("payment.transaction_id", payment.transaction_id, "Pass the charge id of this call"),
    amount,
    currency: nonEmpty("payment.currency", payment.currency, 'Pass "eth" or the ERC-20 token address'),
    status: nonEmpty("payment.status", payment.status, 'e.g. "charged"'),
  };
}

function toIngot(ingot: BuildProofParameters["ingot"]): ProofIngot {
  if (ingot === null || typeof ingot !== "object") throw new ProofInputError("ingot", ingot, "missing", "Pass { id, model, adapter_root } of the Ingot that served the call");
  let id: string;
  if (typeof ingot.id === "bigint" && ingot.id >= 0n) id = ingot.id.toString();
  else if (typeof ingot.id === "string" && /^(0|[1-9]\d*)$/.test(ingot.id)) id = ingot.id;
  else throw new ProofInputError("ingot.id", ingot.id, "must be a non-negative integer (bigint or decimal string)", "Pass ServedIngot.ingotId");
  if (typeof ingot.adapter_root !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(ingot.adapter_root)) {
    throw new ProofInputError("ingot.adapter_root", ingot.adapter_root, "must be 0x and 64 hex digits", "Pass ServedIngot.adapterRoot");
  }
  return { id, model: nonEmpty("ingot.model", ingot.model, "Pass the model id the call named (ingot-<id>)"), adapter_root: ingot.adapter_root.toLowerCase() as ProofIngot["adapter_root"] };
}

function toUsage(usage: NonNullable<BuildProofParameters["usage"]>): ProofUsage {
  const count = (field: string, v: unknown) => {
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw new ProofInputError(field, v, "must be a non-negative integer", "Pass the token counts the charge was computed from");
    return v as number;
  };
  const prompt = count("usage.prompt_tokens", usage.promptTokens);
  const completion = count("usage.completion_tokens", usage.completionTokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function nonEmpty(field: string, value: unknown, hint: string): string {
  if (typeof value !== "string" || value.length === 0) throw new ProofInputError(field, value, "must be a non-empty string", hint);
  return value;
}
