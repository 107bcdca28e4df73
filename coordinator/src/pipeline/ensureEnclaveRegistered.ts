import { registerEnclave, type RegisterEnclaveReturnType } from "../chain/registerEnclave.js";
import type { ProtocolContext } from "../chain/types.js";
import { reportDataFor } from "../enclave/reportDataFor.js";
import type { Enclave } from "../enclave/types.js";

/**
 * Register the enclave's signing key once: its quote carries report data binding the signer, the
 * HPKE key and the chain id. A restarted coordinator (same keys, derived from enclave secrets)
 * finds its key still valid and sends nothing.
 */
export async function ensureEnclaveRegistered(ctx: ProtocolContext, enclave: Enclave): Promise<RegisterEnclaveReturnType> {
  const chainId = await ctx.publicClient.getChainId();
  const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, chainId));
  return registerEnclave(ctx, { quote, signer: enclave.signerAddress, hpkePublicKey: enclave.hpkePublicKey });
}
