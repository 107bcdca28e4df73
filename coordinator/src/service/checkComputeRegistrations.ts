import { ed25519 } from "@noble/curves/ed25519";
import { hashTypedData, hexToBytes, size, type Address } from "viem";
import { computeRegistrationTypedData } from "../chain/computeRegistrationTypedData.js";
import type { RegisteredCompute } from "../chain/readComputeRegistrations.js";

export type ExcludedCompute = { computeId: number; reason: string };

export type CheckComputeRegistrationsParameters = { chainId: number; forge: Address; registered: readonly RegisteredCompute[] };

export type CheckComputeRegistrationsReturnType = {
  /** The registrations whose Ed25519 proof verifies, the first per key, by compute id. */
  accepted: RegisteredCompute[];
  /** Every other registration, with why: its bond is forfeited and its work counts 0. */
  excluded: ExcludedCompute[];
};

/**
 * The Ed25519 half of a registration's proof of possession, which the contract cannot check:
 * the key must have signed the 32-byte EIP-712 digest of (worker, signer, key) in the Forge's
 * domain. Per key only the first registration (by compute id) whose proof verifies counts, so
 * a squatter who registers someone's published key first, without its private key, is
 * excluded and the owner's own registration is used; a second valid registration of the same
 * key (the owner registering twice) is excluded as a duplicate.
 */
export function checkComputeRegistrations(p: CheckComputeRegistrationsParameters): CheckComputeRegistrationsReturnType {
  const accepted: RegisteredCompute[] = [];
  const excluded: ExcludedCompute[] = [];
  const firstByKey = new Map<string, number>();
  for (const r of [...p.registered].sort((a, b) => a.computeId - b.computeId)) {
    if (!proofVerifies(p.chainId, p.forge, r)) {
      excluded.push({ computeId: r.computeId, reason: `the Ed25519 proof of possession for key ${r.ed25519PublicKey} does not verify for worker ${r.worker}` });
      continue;
    }
    const key = r.ed25519PublicKey.toLowerCase();
    const first = firstByKey.get(key);
    if (first !== undefined) {
      excluded.push({ computeId: r.computeId, reason: `the Ed25519 key ${r.ed25519PublicKey} is already registered as worker #${first}` });
      continue;
    }
    firstByKey.set(key, r.computeId);
    accepted.push(r);
  }
  return { accepted, excluded };
}

function proofVerifies(chainId: number, forge: Address, r: RegisteredCompute): boolean {
  if (size(r.ed25519Signature) !== 64 || size(r.ed25519PublicKey) !== 32) return false;
  const digest = hashTypedData(computeRegistrationTypedData(chainId, forge, { worker: r.worker, signer: r.signer, ed25519PublicKey: r.ed25519PublicKey }));
  try {
    return ed25519.verify(hexToBytes(r.ed25519Signature), hexToBytes(digest), hexToBytes(r.ed25519PublicKey));
  } catch {
    return false;
  }
}
