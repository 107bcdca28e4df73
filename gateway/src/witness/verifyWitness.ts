import { rootImprint } from "./rootImprint.js";
import { rootFromPath } from "./rootFromPath.js";
import { verifyTimeStampToken } from "./verifyTimeStampToken.js";
import { verifyRekorEntry } from "./rekor/verifyRekorEntry.js";
import type { MerklePathStep } from "./types.js";

export type WitnessCheckName = "witness" | "inclusion" | "timestamp_imprint" | "timestamp_signature" | "rekor";

export interface WitnessCheck {
  status: "pass" | "fail" | "skip";
  detail: string;
}

export interface VerifyWitnessReturnType {
  /** Every check that ran passed (a pending witness is not a failure unless `requireTimestamp`). */
  valid: boolean;
  /** `timestamped`, `pending`, or `absent`. */
  status: "timestamped" | "pending" | "absent";
  checks: Record<WitnessCheckName, WitnessCheck>;
  /** The batch root the path leads to (64 hex) and the TSA's genTime, when timestamped. */
  root?: string;
  genTime?: Date;
}

export interface VerifyWitnessOptions {
  /** The TSA's certificate (PEM) to check the token's signature against. */
  tsaCertificatePem?: string;
  /** Fail when the proof has no completed witness (the caller asked for a time-stamp check). */
  requireTimestamp?: boolean;
  /** Rekor's log key (PEM): check the batch root's Rekor entry against it, and require one. */
  rekorPublicKeyPem?: string;
}

const hex64 = /^[0-9a-f]{64}$/;

/**
 * Check a proof's `witness` (gateway/docs/proof.md, "Witnesses"): the inclusion path leads from
 * the proof's chain hash to `witness.root`; the RFC 3161 token imprints SHA-256 of that root's
 * bytes; and, with a pinned TSA certificate, the token's CMS signature verifies to it (pkijs).
 * Does not check the proof's own signature (`verifyProof`) nor the on-chain anchor (`readProofAnchor`).
 * Never throws on untrusted input: failures are checks.
 */
export async function verifyWitness(proof: unknown, { tsaCertificatePem, requireTimestamp = false, rekorPublicKeyPem }: VerifyWitnessOptions = {}): Promise<VerifyWitnessReturnType> {
  const skip = (detail: string): WitnessCheck => ({ status: "skip", detail });
  const checks: Record<WitnessCheckName, WitnessCheck> = {
    witness: skip(""),
    inclusion: skip("no completed witness"),
    timestamp_imprint: skip("no completed witness"),
    timestamp_signature: skip(tsaCertificatePem ? "no completed witness" : "no TSA certificate pinned (--tsa-cert)"),
    rekor: rekorPublicKeyPem ? { status: "fail", detail: "no completed witness to look up in Rekor" } : skip("no Rekor key pinned (--rekor-key)"),
  };
  const p = (proof ?? {}) as { hashes?: { chain?: unknown }; witness?: Record<string, unknown> };
  const w = p.witness;
  const done = (status: VerifyWitnessReturnType["status"], extra: Partial<VerifyWitnessReturnType> = {}): VerifyWitnessReturnType => ({
    valid: Object.values(checks).every((c) => c.status !== "fail"),
    status,
    checks,
    ...extra,
  });
  if (!w || typeof w !== "object") {
    checks.witness = requireTimestamp ? { status: "fail", detail: "the proof carries no witness: it was issued without batching" } : skip("the proof carries no witness");
    return done("absent");
  }
  if (w.status === "pending") {
    const where = typeof w.url === "string" ? ` (fetch the completed proof at ${w.url})` : "";
    checks.witness = requireTimestamp ? { status: "fail", detail: `its batch was not time-stamped yet${where}` } : skip(`pending${where}`);
    return done("pending");
  }
  const chain = typeof p.hashes?.chain === "string" ? p.hashes.chain.replace(/^sha256:/, "") : "";
  const root = typeof w.root === "string" ? w.root.replace(/^sha256:/, "") : "";
  const path = w.path as MerklePathStep[] | undefined;
  const rfc = w.rfc3161 as { token?: unknown } | undefined;
  const pathOk = Array.isArray(path) && path.length <= 64 && path.every((s) => s && (s.side === "left" || s.side === "right") && typeof s.hash === "string" && hex64.test(s.hash));
  if (w.status !== "timestamped" || !hex64.test(chain) || !hex64.test(root) || !pathOk || typeof rfc?.token !== "string") {
    checks.witness = { status: "fail", detail: "malformed: expected status timestamped, root sha256:<64 hex>, path [{side, hash}], rfc3161.token (base64)" };
    return done("timestamped");
  }
  checks.witness = { status: "pass", detail: `batch ${String(w.batch)}, leaf ${String(w.leaf_index)} of ${String(w.leaf_count)}` };
  const reached = rootFromPath(chain, path);
  checks.inclusion = reached === root ? { status: "pass", detail: `the path leads from the chain hash to root ${root}` } : { status: "fail", detail: `the path leads to ${reached}, not the root ${root}` };
  const rootBytes = Buffer.from(root, "hex");
  const expected = Buffer.from(rootImprint(root)).toString("hex");
  let genTime: Date | undefined;
  try {
    const token = Buffer.from(rfc.token, "base64");
    const check = await verifyTimeStampToken(token, rootBytes, tsaCertificatePem);
    genTime = check.genTime;
    checks.timestamp_imprint =
      check.imprintHex === expected ? { status: "pass", detail: `the token time-stamps sha256(root) at ${check.genTime.toISOString()}` } : { status: "fail", detail: `the token imprints ${check.imprintHex}, not sha256(root) ${expected}` };
    if (tsaCertificatePem !== undefined) {
      checks.timestamp_signature = check.signedByPinned ? { status: "pass", detail: "signed by the pinned TSA certificate" } : { status: "fail", detail: `not signed by the pinned TSA certificate: ${check.signatureDetail ?? "invalid"}` };
    }
  } catch (error) {
    checks.timestamp_imprint = { status: "fail", detail: `rfc3161.token is not a time-stamp token: ${(error as Error)?.message ?? String(error)}` };
  }
  if (rekorPublicKeyPem !== undefined) {
    const { status, detail } = w.rekor ? verifyRekorEntry(w.rekor, root, rekorPublicKeyPem) : { status: "fail" as const, detail: "the batch root has no Rekor entry (not logged yet, or witness.rekor is off)" };
    checks.rekor = { status, detail };
  }
  return done("timestamped", { root, ...(genTime ? { genTime } : {}) });
}
