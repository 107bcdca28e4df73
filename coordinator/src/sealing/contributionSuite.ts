import { hexToBytes, isAddress } from "viem";
import { ContributionBindingError } from "./errors.js";
import type { ContributionBinding } from "./types.js";

export const CONTRIBUTION_ENVELOPE_MAGIC = new Uint8Array([0x49, 0x46, 0x44, 0x43]); // "IFDC"
export const CONTRIBUTION_ENVELOPE_VERSION = 1;
/** Prefix of the HPKE `info` of every data contribution (the suite is the holdout's: holdoutSuite). */
export const CONTRIBUTION_INFO_PREFIX = "ingotforge/data-contribution/v1";
/** magic 4 + version 1 + suite 6 + chainId 8 + forge 20 + contributor 20 + encLength 2. */
export const CONTRIBUTION_FIXED_HEADER_LENGTH = 61;

/** The 48 binding bytes: chainId u64 ‖ forge (20) ‖ contributor (20), as in the envelope header. */
export function encodeContributionBinding(binding: ContributionBinding): Uint8Array {
  if (!Number.isSafeInteger(binding.chainId) || binding.chainId <= 0) throw new ContributionBindingError(`chain id ${binding.chainId} is not a positive integer`);
  if (!isAddress(binding.forge, { strict: false })) throw new ContributionBindingError(`forge ${binding.forge} is not an address`);
  if (!isAddress(binding.contributor, { strict: false })) throw new ContributionBindingError(`contributor ${binding.contributor} is not an address`);
  const out = new Uint8Array(48);
  new DataView(out.buffer).setBigUint64(0, BigInt(binding.chainId));
  out.set(hexToBytes(binding.forge), 8);
  out.set(hexToBytes(binding.contributor), 28);
  return out;
}

/** RFC 9180 `info` of a contribution: UTF-8 "ingotforge/data-contribution/v1" ‖ the 48 binding bytes. */
export function contributionInfo(binding: ContributionBinding): Uint8Array {
  const prefix = new TextEncoder().encode(CONTRIBUTION_INFO_PREFIX);
  const bound = encodeContributionBinding(binding);
  const out = new Uint8Array(prefix.length + bound.length);
  out.set(prefix, 0);
  out.set(bound, prefix.length);
  return out;
}

/** Same chain, Forge and contributor (addresses compared case-insensitively). */
export function sameBinding(a: ContributionBinding, b: ContributionBinding): boolean {
  return a.chainId === b.chainId && a.forge.toLowerCase() === b.forge.toLowerCase() && a.contributor.toLowerCase() === b.contributor.toLowerCase();
}
