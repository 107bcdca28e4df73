import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { hexToBytes } from "viem";
import type { GatewayConfig } from "../config/gatewayConfigSchema.js";
import { createProofSigner } from "../proof/createProofSigner.js";
import { openDstackProofKey } from "./openDstackProofKey.js";
import { openSimulatedProofKey } from "./openSimulatedProofKey.js";
import type { AttestedProofKey } from "./types.js";

/**
 * The gateway's proof signer as `config.proof` names it, with its attestation: a key from the
 * config (hex or a file; `kind: "none"`, nothing attests it), or one derived inside an enclave
 * (dstack, or the simulated one) with a quote that commits to it.
 */
export async function openProofKey(proof: GatewayConfig["proof"], logger: Pick<Logger, "info" | "warn" | "error">): Promise<AttestedProofKey> {
  if ("enclave" in proof) {
    return proof.enclave.kind === "dstack"
      ? openDstackProofKey({ ...(proof.enclave.endpoint !== undefined ? { endpoint: proof.enclave.endpoint } : {}), logger })
      : openSimulatedProofKey({ ...(proof.enclave.secretSeed !== undefined ? { secretSeed: proof.enclave.secretSeed } : {}), logger });
  }
  const keyHex = "privateKeyHex" in proof ? proof.privateKeyHex : (await readFile(proof.privateKeyFile, "utf8")).trim();
  const signer = createProofSigner(hexToBytes(`0x${keyHex.replace(/^0x/, "")}`));
  return { signer, attestation: { object: "proof_key_attestation", algorithm: "Ed25519", public_key: signer.publicKeyHex, kind: "none", simulated: false } };
}
