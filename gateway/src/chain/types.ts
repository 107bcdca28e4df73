import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

/** A wallet client with its account and chain fixed, as the settler sends from it. */
export type GatewayWalletClient = WalletClient<Transport, Chain, Account>;

/** What the read actions on GatewayDeposits receive. */
export interface DepositsReadContext {
  publicClient: PublicClient;
  /** The GatewayDeposits contract. */
  deposits: Address;
}

/** What the settlement transaction receives: the reads plus the settler's wallet. */
export interface DepositsWriteContext extends DepositsReadContext {
  /** Holds SETTLER_ROLE on `deposits`. */
  walletClient: GatewayWalletClient;
}

/** An inclusive block range of logs to read. */
export interface BlockRange {
  fromBlock: bigint;
  toBlock: bigint;
}
