import { readQuoteBlock } from "../chain/readQuoteBlock.js";
import { registerEnclave, type RegisterEnclaveReturnType } from "../chain/registerEnclave.js";
import type { ProtocolContext } from "../chain/types.js";
import { reportDataFor } from "../enclave/reportDataFor.js";
import type { Enclave } from "../enclave/types.js";

/**
 * Register the enclave's signing key, or renew it once expired: a fresh quote whose report data
 * binds the signer, the HPKE key, the chain id and the hash of the chain's latest block (the
 * registry accepts it for 256 blocks). A restarted coordinator (same keys, derived from enclave
 * secrets) finds its key still valid and sends nothing.
 */
export async function ensureEnclaveRegistered(ctx: ProtocolContext, enclave: Enclave): Promise<RegisterEnclaveReturnType> {
  const chainId = await ctx.publicClient.getChainId();
  const quoteBlock = await readQuoteBlock(ctx.publicClient);
  const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, chainId, quoteBlock.hash));
  return registerEnclave(ctx, { quote, signer: enclave.signerAddress, hpkePublicKey: enclave.hpkePublicKey, quoteBlock: quoteBlock.number });
}
