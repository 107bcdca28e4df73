import { isHex, size, type Hex } from "viem";
import { parseTdxQuote } from "../../../coordinator/src/enclave/dstack/parseTdxQuote.js";
import { readSimulatedQuote } from "../../../coordinator/src/enclave/simulated/readSimulatedQuote.js";
import type { ProofCheck } from "../proof/types.js";
import { proofKeyReportData } from "./proofKeyReportData.js";
import { PROOF_KEY_BINDING, type ProofKeyKind } from "./types.js";

/** The checks `verifyAttestation` runs, each reported separately. */
export type AttestationCheckName = "attestation_format" | "attested_key" | "report_data" | "quote" | "measurement";

export interface VerifyAttestationOptions {
  /** The key the proof was signed with (`signature.public_key`): the attestation must name it. */
  publicKey: string;
  /** The enclave measurement you trust (32 bytes, 0x-hex), e.g. the one your Forge or registry allow-lists. */
  measurement?: Hex;
}

export interface VerifyAttestationReturnType {
  /** No check failed. A gateway whose key is not attested (`kind: "none"`) can be valid: see `attested`. */
  valid: boolean;
  /** An enclave quote commits to the key: dstack (hardware) or simulated (vouches for nothing). */
  attested: boolean;
  kind?: ProofKeyKind;
  simulated?: boolean;
  /** The measurement the quote carries. */
  measurement?: Hex;
  checks: Record<AttestationCheckName, ProofCheck>;
  errors: string[];
}

const ORDER: AttestationCheckName[] = ["attestation_format", "attested_key", "report_data", "quote", "measurement"];

/**
 * Check a gateway's proof-key attestation (`GET /v1/attestation`) against the key a proof was
 * signed with: it names that key, its report data is the key's binding (proofKeyReportData), and
 * its quote carries that report data. A TDX quote's own signature chain (Intel's PCK
 * certificates, TCB status) is NOT checked here: that needs Intel's collateral, and is what a DCAP
 * verifier does (on chain, Automata's, behind EnclaveRegistry). A simulated quote is checked to be
 * signed by the public simulated platform key, which proves nothing; the result says so.
 */
export async function verifyAttestation(attestation: unknown, options: VerifyAttestationOptions): Promise<VerifyAttestationReturnType> {
  const checks = {} as Record<AttestationCheckName, ProofCheck>;
  const set = (name: AttestationCheckName, status: ProofCheck["status"], detail: string) => (checks[name] = { status, detail });
  const result = (extra: Partial<VerifyAttestationReturnType>): VerifyAttestationReturnType => {
    for (const name of ORDER) if (!checks[name]) set(name, "skip", "not reached");
    const ordered = Object.fromEntries(ORDER.map((n) => [n, checks[n]])) as Record<AttestationCheckName, ProofCheck>;
    const errors = ORDER.filter((n) => ordered[n].status === "fail").map((n) => `${n}: ${ordered[n].detail}`);
    return { valid: errors.length === 0, attested: false, checks: ordered, errors, ...extra, ...(errors.length > 0 ? { attested: false } : {}) };
  };

  const a = (attestation ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (a.object !== "proof_key_attestation") problems.push(`object is ${JSON.stringify(a.object)}, not "proof_key_attestation"`);
  if (a.algorithm !== "Ed25519") problems.push(`algorithm is ${JSON.stringify(a.algorithm)}, not "Ed25519"`);
  if (typeof a.public_key !== "string" || !/^[0-9a-f]{64}$/.test(a.public_key)) problems.push("public_key is not 64 lowercase hex digits");
  if (a.kind !== "dstack" && a.kind !== "simulated" && a.kind !== "none") problems.push(`kind is ${JSON.stringify(a.kind)}, not dstack, simulated or none`);
  if (a.kind === "dstack" || a.kind === "simulated") {
    if (a.binding !== PROOF_KEY_BINDING) problems.push(`binding is ${JSON.stringify(a.binding)}, not "${PROOF_KEY_BINDING}"`);
    if (!isHex(a.report_data, { strict: true }) || size(a.report_data) !== 64) problems.push("report_data is not 64 bytes of 0x-hex");
    if (!isHex(a.quote, { strict: true })) problems.push("quote is not 0x-hex");
  }
  if (typeof attestation !== "object" || attestation === null || problems.length > 0) {
    set("attestation_format", "fail", typeof attestation !== "object" || attestation === null ? "the attestation is not a JSON object" : problems.join("; "));
    return result({});
  }
  const kind = a.kind as ProofKeyKind;
  const publicKey = a.public_key as string;
  set("attestation_format", "pass", `a ${kind} proof-key attestation`);

  const signedWith = options.publicKey.replace(/^0x/, "").toLowerCase();
  if (publicKey === signedWith) set("attested_key", "pass", `names the key the proof was signed with, ${publicKey}`);
  else set("attested_key", "fail", `names ${publicKey}, but the proof was signed with ${signedWith}`);

  if (kind === "none") {
    const reason = "the gateway's proof key comes from its config: nothing attests it";
    for (const name of ["report_data", "quote", "measurement"] as const) set(name, "skip", reason);
    return result({ kind, simulated: false });
  }

  const reportData = (a.report_data as Hex).toLowerCase() as Hex;
  const expected = proofKeyReportData(publicKey);
  if (reportData === expected) set("report_data", "pass", `SHA-256("${PROOF_KEY_BINDING}:" ‖ public_key) ‖ 32 zero bytes`);
  else set("report_data", "fail", `is ${reportData}, but the key's binding is ${expected}`);

  let quoted: { reportData: Hex; measurement: Hex; debug: boolean };
  try {
    if (kind === "dstack") quoted = parseTdxQuote(a.quote as Hex);
    else {
      const s = await readSimulatedQuote(a.quote as Hex);
      if (!s.signedBySimulatedPlatform) {
        set("quote", "fail", `a simulated quote signed by ${s.platformSigner}, not the simulated platform key`);
        return result({ kind, simulated: true });
      }
      quoted = s;
    }
  } catch (error) {
    set("quote", "fail", (error as Error).message);
    return result({ kind, simulated: kind === "simulated" });
  }
  const measurement = quoted.measurement.toLowerCase() as Hex;
  if (quoted.reportData.toLowerCase() !== reportData) set("quote", "fail", `the quote carries report data ${quoted.reportData}, not the attestation's`);
  else if (quoted.debug) set("quote", "fail", "the quote is from a debug enclave: its host can read its memory");
  else if (kind === "dstack") set("quote", "pass", "a TDX quote carries the report data (its signature chain is not checked here: give the quote to a DCAP verifier)");
  else set("quote", "pass", "SIMULATED: signed by the public simulated platform key, so anyone can make one; it vouches for nothing");

  const claimed = typeof a.measurement === "string" ? a.measurement.toLowerCase() : undefined;
  const trusted = options.measurement?.toLowerCase();
  if (claimed !== undefined && claimed !== measurement) set("measurement", "fail", `the attestation says ${claimed}, the quote ${measurement}`);
  else if (trusted !== undefined && trusted !== measurement) set("measurement", "fail", `the quote's measurement is ${measurement}, not the trusted ${trusted}`);
  else if (trusted !== undefined) set("measurement", "pass", `${measurement}, the one you trust`);
  else set("measurement", "pass", `${measurement} (compare it with the measurement you trust, or pass one)`);

  return result({ kind, simulated: kind === "simulated", measurement, attested: true });
}
