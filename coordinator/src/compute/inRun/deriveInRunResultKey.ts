import { hkdfSync } from "node:crypto";
import type { Hex } from "viem";
import { EnclaveInputError } from "../../enclave/errors.js";
import { generateHpkeKeyPair, type HpkeKeyPair } from "../../sealing/generateHpkeKeyPair.js";

/** The HKDF purpose: changing it changes every result key, so it carries a version. */
export const IN_RUN_RESULT_KEY_PURPOSE = "ingotforge/in-run-result-key/v1";

export interface DeriveInRunResultKeyParameters {
  /** At least 32 bytes the enclave holds and that survive a restart (its HPKE key's secret). */
  secret: Uint8Array;
  /** The Forge the in-run jobs are for. */
  forge: Hex;
  /** The worker the jobs go to (its compute registration). */
  computeId: number;
}

/** The HKDF info of the result key of (forge, computeId). */
export function inRunResultKeyInfo(p: { forge: Hex; computeId: number }): string {
  return `${IN_RUN_RESULT_KEY_PURPOSE} forge=${p.forge.toLowerCase()} computeId=${p.computeId}`;
}

/**
 * The X25519 key a worker seals its in-run features to (the job body's `resultRecipient`), derived
 * inside the enclave: HKDF-SHA256(ikm = `secret`, salt = none, info = inRunResultKeyInfo) gives
 * 32 bytes, which RFC 9180 DeriveKeyPair maps to the key pair. The same secret, Forge and computeId
 * always give the same key, so a restarted coordinator opens the answers sealed before the
 * restart; a worker, which never holds `secret`, cannot derive it.
 */
export async function deriveInRunResultKey(params: DeriveInRunResultKeyParameters): Promise<HpkeKeyPair> {
  if (params.secret.length < 32) throw new EnclaveInputError("secret", `is ${params.secret.length} bytes, fewer than 32`);
  if (!Number.isSafeInteger(params.computeId) || params.computeId < 0) throw new EnclaveInputError("computeId", "is not a non-negative integer");
  const ikm = new Uint8Array(hkdfSync("sha256", params.secret, new Uint8Array(0), inRunResultKeyInfo(params), 32));
  return generateHpkeKeyPair({ ikm });
}
