import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { buyerFingerprint } from "./buyerFingerprint.js";
import { chainFormulaForVersion } from "./chainFormulaForVersion.js";
import { computeChainHash } from "./computeChainHash.js";
import { hashRequest } from "./hashRequest.js";
import { hashResponse } from "./hashResponse.js";
import { proofMetadataMessage } from "./proofMetadataMessage.js";
import { describeProofIssues, proofJsonSchema, type ProofJson } from "./proofJsonSchema.js";
import type { ChainFormula, ProofCheck, ProofCheckName } from "./types.js";

export interface VerifyProofOptions {
  /** The gateway's key from a source you trust (64 hex digits or 32 bytes). Without it, a valid signature only shows that the key written in the proof signed it. */
  publicKey?: string | Uint8Array;
  /** The request body you sent: its hash must equal `hashes.request` (and its `model` the Ingot's). */
  request?: unknown;
  /** The response body you received: its hash must equal `hashes.response`. */
  response?: unknown;
  /** Your API key: its SHA-256 must equal `parties.buyer_fingerprint`. */
  apiKey?: string;
  /** The id you asked for: must equal `proof_id`. */
  proofId?: string;
  /** Whether a proof with no signature at all fails (default true). False verifies unsigned ArkForge proofs by chain hash alone. */
  requireSignature?: boolean;
}

export interface VerifyProofReturnType {
  /** True when no check failed. */
  valid: boolean;
  /** Every check, in the order run; `skip` when it does not apply or its input was not given. */
  checks: Record<ProofCheckName, ProofCheck>;
  /** `<check>: <detail>` for each failed check. */
  errors: string[];
  /** The chain-hash formula the proof's spec_version selected, when known. */
  formula?: ChainFormula;
}

/**
 * Verify an untrusted proof: structure, chain hash (by spec_version: canonical JSON for 1.2 / 2.1,
 * legacy concatenation for 1.1 / 2.0 / absent), the Ed25519 signature over the chain hash
 * (gateway `signature` or ArkForge `arkforge_signature`), the pinned key, the gateway's metadata
 * signature, and — when given — the request, response, API key and proof id. Never throws; a
 * check that cannot run fails or is skipped and says why.
 */
export function verifyProof(proof: unknown, options: VerifyProofOptions = {}): VerifyProofReturnType {
  const checks = {} as Record<ProofCheckName, ProofCheck>;
  const set = (name: ProofCheckName, status: ProofCheck["status"], detail: string) => (checks[name] = { status, detail });
  const finish = (formula?: ChainFormula): VerifyProofReturnType => {
    const errors = Object.entries(checks).filter(([, c]) => c.status === "fail").map(([name, c]) => `${name}: ${c.detail}`);
    return { valid: errors.length === 0, checks, errors, ...(formula ? { formula } : {}) };
  };
  const skipRest = (reason: string) => {
    for (const name of CHECK_ORDER) if (!checks[name]) set(name, "skip", reason);
  };

  const parsed = proofJsonSchema.safeParse(proof);
  if (!parsed.success) {
    set("format", "fail", describeProofIssues(parsed.error));
    skipRest("the proof is malformed");
    return finish();
  }
  const p = parsed.data;
  const receipt = receiptContentHash(p);
  if (receipt.conflict) {
    set("format", "fail", "provider_payment.receipt_content_hash and payment_evidence.receipt_content_hash differ");
    skipRest("the proof is malformed");
    return finish();
  }
  set("format", "pass", "all required fields present and well formed");

  const formula = chainFormulaForVersion(p.spec_version);
  if (formula === undefined) {
    set("spec_version", "fail", `unknown spec_version ${JSON.stringify(p.spec_version)}; known: 1.1, 1.2, 2.0, 2.1`);
  } else {
    set("spec_version", "pass", `${p.spec_version ?? "absent"}: ${formula} chain hash`);
  }

  const chain = bare(p.hashes.chain);
  if (formula === undefined) {
    set("chain_hash", "skip", "no formula for this spec_version");
  } else {
    try {
      const computed = computeChainHash(
        {
          request_hash: bare(p.hashes.request),
          response_hash: bare(p.hashes.response),
          transaction_id: p.payment.transaction_id,
          timestamp: p.timestamp,
          buyer_fingerprint: p.parties.buyer_fingerprint,
          seller: p.parties.seller,
          upstream_timestamp: p.upstream_timestamp,
          receipt_content_hash: receipt.value,
        },
        formula,
      );
      if (computed === chain) set("chain_hash", "pass", `recomputes to sha256:${computed}`);
      else set("chain_hash", "fail", `fields hash to sha256:${computed}, the proof says sha256:${chain}: a chained field was changed`);
    } catch (error) {
      set("chain_hash", "fail", `cannot recompute: ${(error as Error).message}`);
    }
  }

  const signers = signatureSources(p);
  if (signers.length === 0) {
    set("signature", options.requireSignature === false ? "skip" : "fail", "the proof carries no signature (neither signature nor arkforge_signature)");
  } else {
    const bad = signers.filter((s) => !(s.publicKey && s.signature && verifyEd25519(s.signature, new TextEncoder().encode(chain), s.publicKey)));
    if (bad.length === 0) set("signature", "pass", `Ed25519 over the chain hash by ${signers.map((s) => bytesToHex(s.publicKey!)).join(", ")}`);
    else set("signature", "fail", `${bad.map((s) => s.field).join(" and ")} does not verify over the chain hash with the proof's public key`);
  }

  const pinned = toPublicKey(options.publicKey);
  if (options.publicKey === undefined) {
    set("public_key", "skip", "no key pinned: pass the gateway's public key to check who signed");
  } else if (pinned === undefined) {
    set("public_key", "fail", "the pinned key is not 64 hex digits (32 bytes)");
  } else if (signers.length === 0) {
    set("public_key", "fail", "the proof carries no public key");
  } else {
    const others = signers.filter((s) => !s.publicKey || bytesToHex(s.publicKey) !== bytesToHex(pinned));
    if (others.length === 0) set("public_key", "pass", `signed by the pinned key ${bytesToHex(pinned)}`);
    else set("public_key", "fail", `${others.map((s) => s.field).join(" and ")} names a key other than the pinned ${bytesToHex(pinned)}`);
  }

  if (p.signature === undefined && p.ingot === undefined) {
    set("metadata_signature", "skip", "an ArkForge proof without the gateway's signature object: proof_id and payment details are not signed");
  } else if (p.signature?.metadata_value === undefined) {
    set("metadata_signature", "fail", "a gateway proof must carry signature.metadata_value (covers proof_id, payment and ingot)");
  } else {
    let ok = false;
    let why = "does not verify: proof_id, payment, ingot or another unchained field was changed or added";
    try {
      ok = verifyEd25519(hexToBytes(p.signature.metadata_value), proofMetadataMessage(proof as Record<string, unknown>), hexToBytes(p.signature.public_key));
    } catch (error) {
      why = `cannot build the metadata message: ${(error as Error).message}`;
    }
    set("metadata_signature", ok ? "pass" : "fail", ok ? "Ed25519 over the proof's unchained fields (proof_id, payment, ingot, …)" : why);
  }

  if (options.proofId === undefined) set("proof_id", "skip", "no proof id asked for");
  else if (options.proofId === p.proof_id) set("proof_id", "pass", `is ${p.proof_id}, the id asked for`);
  else set("proof_id", "fail", `is ${p.proof_id}, but ${options.proofId} was asked for`);

  compareHash(set, "request_hash", "request", options.request, () => hashRequest(options.request), bare(p.hashes.request));
  compareHash(set, "response_hash", "response", options.response, () => hashResponse(options.response), bare(p.hashes.response));
  compareHash(set, "buyer_fingerprint", "API key", options.apiKey, () => buyerFingerprint(options.apiKey!), p.parties.buyer_fingerprint);

  const model = requestModel(options.request);
  if (p.ingot === undefined) set("ingot_model", "skip", "the proof names no Ingot");
  else if (model === undefined) set("ingot_model", "skip", "no request with a model given");
  else if (model === p.ingot.model) set("ingot_model", "pass", `the request asked for ${model}, Ingot ${p.ingot.id} served it`);
  else set("ingot_model", "fail", `the request asked for ${model}, the proof's Ingot is ${p.ingot.model}`);

  return finish(formula);
}

const CHECK_ORDER: ProofCheckName[] = [
  "format",
  "spec_version",
  "chain_hash",
  "signature",
  "public_key",
  "metadata_signature",
  "proof_id",
  "request_hash",
  "response_hash",
  "buyer_fingerprint",
  "ingot_model",
];

function bare(prefixed: string): string {
  return prefixed.slice("sha256:".length);
}

function receiptContentHash(p: ProofJson): { value?: string; conflict: boolean } {
  const current = p.provider_payment?.receipt_content_hash ?? undefined;
  const legacy = p.payment_evidence?.receipt_content_hash ?? undefined;
  if (current && legacy && current !== legacy) return { conflict: true };
  return { value: current || legacy || undefined, conflict: false };
}

interface SignatureSource {
  field: "signature" | "arkforge_signature";
  publicKey?: Uint8Array;
  signature?: Uint8Array;
}

function signatureSources(p: ProofJson): SignatureSource[] {
  const sources: SignatureSource[] = [];
  if (p.signature) sources.push({ field: "signature", publicKey: hexToBytes(p.signature.public_key), signature: hexToBytes(p.signature.value) });
  if (p.arkforge_signature !== undefined || p.arkforge_pubkey !== undefined) {
    sources.push({ field: "arkforge_signature", publicKey: fromBase64Url(p.arkforge_pubkey, 32), signature: fromBase64Url(p.arkforge_signature, 64) });
  }
  return sources;
}

function fromBase64Url(value: string | undefined, length: number): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const bytes = new Uint8Array(Buffer.from(value.slice("ed25519:".length), "base64url"));
  return bytes.length === length ? bytes : undefined;
}

function toPublicKey(key: string | Uint8Array | undefined): Uint8Array | undefined {
  if (key instanceof Uint8Array) return key.length === 32 ? key : undefined;
  if (typeof key !== "string") return undefined;
  const hex = key.trim().replace(/^0x/, "").toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hexToBytes(hex) : undefined;
}

/** RFC 8032 strict verification (zip215: false: non-canonical encodings refused). */
function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function compareHash(
  set: (name: ProofCheckName, status: ProofCheck["status"], detail: string) => void,
  name: ProofCheckName,
  what: string,
  given: unknown,
  compute: () => string,
  expected: string,
): void {
  if (given === undefined) {
    set(name, "skip", `no ${what} given`);
    return;
  }
  let computed: string;
  try {
    computed = compute();
  } catch (error) {
    set(name, "fail", `cannot hash the ${what}: ${(error as Error).message}`);
    return;
  }
  if (computed === expected) set(name, "pass", `the ${what} given hashes to ${expected}`);
  else set(name, "fail", `the ${what} given hashes to ${computed}, the proof says ${expected}`);
}

function requestModel(request: unknown): string | undefined {
  if (request === null || typeof request !== "object" || Array.isArray(request)) return undefined;
  const model = (request as { model?: unknown }).model;
  return typeof model === "string" ? model : undefined;
}
