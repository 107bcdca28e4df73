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

/** What a reader of GatewayDeposits' logs receives: the contract, a block range, and how much of it one request may cover. */
export type DepositsLogRange = DepositsReadContext &
  BlockRange & {
    /** Largest block range per log request (default 5,000); longer ranges are read in pieces. */
    maxBlockSpan?: bigint;
  };
