import type { Logger } from "pino";
import { DstackResponseError } from "../../../coordinator/src/enclave/adapterErrors.js";
import { connectDstack, type ConnectDstackParameters } from "../../../coordinator/src/enclave/dstack/connectDstack.js";
import { parseTdxQuote } from "../../../coordinator/src/enclave/dstack/parseTdxQuote.js";
import { createProofSigner } from "../proof/createProofSigner.js";
import { deriveProofKeySeed } from "./deriveProofKeySeed.js";
import { proofKeyReportData } from "./proofKeyReportData.js";
import { PROOF_KEY_BINDING, type AttestedProofKey, type ProofKeyAttestation } from "./types.js";

/** dstack key path of the proof key: fixed, so the same app gets the same key after a restart. */
export const GATEWAY_PROOF_KEY_PATH = "ingotforge/gateway-proof/v1";

export interface OpenDstackProofKeyParameters extends ConnectDstackParameters {
  logger: Pick<Logger, "info" | "error">;
}

/**
 * The gateway's proof key inside a dstack TDX enclave: key material from `GetKey` at
 * GATEWAY_PROOF_KEY_PATH (bound to this app's identity by dstack's KMS), the Ed25519 seed derived
 * from it (deriveProofKeySeed), and one `GetQuote` whose report data commits to the public key
 * (proofKeyReportData). The measurement is read from that quote; the app id and compose hash
 * from `/Info`. The seed never leaves the returned signer.
 * @throws DstackUnavailableError (no guest agent), DstackResponseError (an unusable answer, or
 * a quote that does not carry the requested report data).
 */
export async function openDstackProofKey(params: OpenDstackProofKeyParameters): Promise<AttestedProofKey> {
  const { client, call } = connectDstack(params);
  const key = await call("GetKey(gateway proof)", () => client.getKey(GATEWAY_PROOF_KEY_PATH, "ingotforge gateway proof signing key", "secp256k1"));
  if (key.key.length < 32) throw new DstackResponseError("GetKey(gateway proof)", `key is ${key.key.length} bytes, fewer than 32`);
  const signer = createProofSigner(deriveProofKeySeed(key.key));
  const reportData = proofKeyReportData(signer.publicKeyHex);
  const response = await call("GetQuote", () => client.getQuote(Buffer.from(reportData.slice(2), "hex")));
  const raw = typeof response.quote === "string" ? response.quote : "";
  const quote = (raw.startsWith("0x") ? raw : `0x${raw}`).toLowerCase() as `0x${string}`;
  const facts = parseTdxQuote(quote);
  if (facts.reportData !== reportData) {
    throw new DstackResponseError("GetQuote", `the quote carries report data ${facts.reportData}, not the proof key's ${reportData}`);
  }
  const info = await call("Info", () => client.info());
  const attestation: ProofKeyAttestation = {
    object: "proof_key_attestation",
    algorithm: "Ed25519",
    public_key: signer.publicKeyHex,
    kind: "dstack",
    simulated: false,
    binding: PROOF_KEY_BINDING,
    report_data: reportData,
    quote,
    measurement: facts.measurement,
    ...(info.app_id ? { app_id: info.app_id } : {}),
    ...(info.compose_hash ? { compose_hash: info.compose_hash } : {}),
    ...(info.instance_id ? { instance_id: info.instance_id } : {}),
  };
  params.logger.info({ publicKey: signer.publicKeyHex, measurement: facts.measurement, debug: facts.debug, appId: info.app_id }, "proof key from the dstack enclave, attested by its TDX quote");
  if (facts.debug) params.logger.error({ measurement: facts.measurement }, "the TD is a debug TD: its host can read its memory, so its attestation vouches for nothing");
  return { signer, attestation };
}
