import type { Logger } from "pino";
import { concatBytes, hexToBytes, isHex, keccak256, size, toBytes, type Hex } from "viem";
import { buildSimulatedQuote, SIMULATION_CHAIN_ID } from "../../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { SIMULATED_DEFAULT_SEED, SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { createProofSigner } from "../proof/createProofSigner.js";
import { deriveProofKeySeed } from "./deriveProofKeySeed.js";
import { GATEWAY_PROOF_KEY_PATH } from "./openDstackProofKey.js";
import { proofKeyReportData } from "./proofKeyReportData.js";
import { PROOF_KEY_BINDING, type AttestedProofKey } from "./types.js";

export interface OpenSimulatedProofKeyParameters {
  /** 32 bytes (hex) the key derives from; default SIMULATED_DEFAULT_SEED (public), as the coordinator's simulated enclave. */
  secretSeed?: Hex;
  logger: Pick<Logger, "warn">;
}

/**
 * The proof key of a gateway in the simulated enclave, for development: the same derivation and
 * binding as in dstack (material for GATEWAY_PROOF_KEY_PATH from a seed, then deriveProofKeySeed),
 * and a quote signed by the PUBLIC simulated platform key. Its attestation says `simulated:
 * true`, and it logs that it vouches for nothing. It exercises the attestation path end to end
 * where no TEE can run.
 */
export async function openSimulatedProofKey(params: OpenSimulatedProofKeyParameters): Promise<AttestedProofKey> {
  const seed = params.secretSeed ?? SIMULATED_DEFAULT_SEED;
  if (!isHex(seed, { strict: true }) || size(seed) !== 32) throw new RangeError(`the simulated enclave's secretSeed is 32 bytes of 0x-hex, got ${JSON.stringify(seed)}`);
  const material = hexToBytes(keccak256(concatBytes([hexToBytes(seed), toBytes(GATEWAY_PROOF_KEY_PATH)])));
  const signer = createProofSigner(deriveProofKeySeed(material));
  const reportData = proofKeyReportData(signer.publicKeyHex);
  const quote = await buildSimulatedQuote({ chainId: SIMULATION_CHAIN_ID, measurement: SIMULATED_MEASUREMENT, reportData });
  params.logger.warn(
    { publicKey: signer.publicKeyHex, defaultSeed: params.secretSeed === undefined },
    "SIMULATED ENCLAVE: the proof key's attestation is signed by a public key; it vouches for nothing. Development only.",
  );
  return {
    signer,
    attestation: {
      object: "proof_key_attestation",
      algorithm: "Ed25519",
      public_key: signer.publicKeyHex,
      kind: "simulated",
      simulated: true,
      binding: PROOF_KEY_BINDING,
      report_data: reportData,
      quote,
      measurement: SIMULATED_MEASUREMENT,
    },
  };
}
