import type { Account, Chain, Transport, WalletClient } from "viem";
import type { ProtocolContext } from "./types.js";

/** The same deployment and clients, sending as another account. */
export function withAccount(ctx: ProtocolContext, walletClient: WalletClient<Transport, Chain, Account>): ProtocolContext {
  return { ...ctx, walletClient };
}
