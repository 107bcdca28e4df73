import { hexToBytes, type Address, type Hex } from "viem";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";

export interface SealDataContributionParameters {
  plaintext: Uint8Array;
  forge: Address;
  chainId: number;
  sender: Address;
  /** The Forge's enclave HPKE key (see findForgeEnclaveKey); null when no enclave has registered for it. */
  enclaveKey: { hpkePublicKey: Hex; simulated: boolean } | null;
}

export interface SealDataContributionReturnType {
  /** The sealed envelope: what is stored, and whose root and length go on chain. */
  bytes: Uint8Array;
  sealed: true;
  /** What the page tells the contributor about this step. */
  note: string;
}

/** No enclave can read a contribution to this Forge yet, so it is not sealed or sent. */
export class NoEnclaveKeyError extends Error {
  override name = "NoEnclaveKeyError";
}

/**
 * The sealing step: the file is encrypted in the browser to the Forge's enclave (HPKE, RFC 9180,
 * the coordinator's own `sealContribution`), bound to (chain, Forge, sender), so only the enclave
 * reads it, after the window closes, and a copy sent by anyone else is excluded.
 */
export async function sealDataContribution(p: SealDataContributionParameters): Promise<SealDataContributionReturnType> {
  if (!p.enclaveKey) throw new NoEnclaveKeyError("No enclave allowed by this Forge has registered its key yet, so nothing could read your data; try again once the coordinator is up.");
  const { bytes } = await sealContribution({ plaintext: p.plaintext, recipientPublicKey: hexToBytes(p.enclaveKey.hpkePublicKey), binding: { chainId: p.chainId, forge: p.forge, contributor: p.sender } });
  return { bytes, sealed: true, note: `Sealed to the Forge's ${p.enclaveKey.simulated ? "SIMULATED " : ""}enclave, bound to your address.` };
}
