/**
 * The contracts between the gateway's parts. Each part lives in its own folder and depends on
 * the others only through these types, passed in at construction (no singletons):
 *
 *   chain/       GatewayDeposits + Ingot reads and the settlement transaction (viem)
 *   ledger/      the SQLite ledger: payers, API keys, deposits, reservations, charges, batches, proofs
 *   settlement/  deposit sync and batched settlement into the RevenueSplitter
 *   proof/       ArkForge proof-spec v2.1 proofs, Ed25519-signed
 *   serving/     the base GGUF once, adapters by root, a bounded queue
 *   server/      the OpenAI-compatible HTTP API (fastify)
 */
import type { Address, Hex } from "viem";

/** ETH is `0x0000000000000000000000000000000000000000`, as in the RevenueSplitter. */
export type Asset = Address;

/** A LIVE Ingot the gateway can serve: minted, with an adapter stored under `adapterRoot`. */
export interface ServedIngot {
  ingotId: bigint;
  /** The OpenAI model id: `ingot-<ingotId>`. */
  model: string;
  baseModelName: string;
  baseModelRoot: Hex;
  adapterRoot: Hex;
  metadataURI: string;
}

/** An on-chain deposit into GatewayDeposits, as the gateway attributes it. */
export interface DepositRecord {
  /** `<txHash>:<logIndex>`: unique, so recording it twice is a no-op. */
  depositId: string;
  payer: Address;
  asset: Asset;
  amount: bigint;
  blockNumber: bigint;
}

/**
 * A withdrawal event of GatewayDeposits: a payer's request (which replaces their earlier one in
 * that asset), its cancellation, or the withdrawal that pays it out. The gateway stops spending
 * a requested amount at once, and frees it again on a cancel.
 */
export interface WithdrawalEventRecord {
  /** `<txHash>:<logIndex>`: unique, so recording it twice is a no-op. */
  eventId: string;
  kind: "requested" | "cancelled" | "withdrawn";
  payer: Address;
  asset: Asset;
  /** requested: the amount asked for; cancelled: the request dropped; withdrawn: what was paid out. */
  amount: bigint;
  blockNumber: bigint;
  logIndex: number;
}

/**
 * One payer's debit in a settlement on chain (GatewayDeposits' `Charged` event). The gateway
 * reads them to learn of settlements it did not make itself: batches of a ledger that was lost
 * or restored from an older copy, or of another gateway settling from the same contract.
 */
export interface DebitRecord {
  /** `<txHash>:<logIndex>`: unique, so recording it twice is a no-op. */
  eventId: string;
  batchId: Hex;
  payer: Address;
  asset: Asset;
  amount: bigint;
  blockNumber: bigint;
}

/** A payer's standing in one asset, as `GET /v1/credit` reports it (amounts in the asset's base units). */
export interface PayerCredit {
  /** What the next calls may spend (0 when the credit is below zero). */
  available: bigint;
  /** How far below zero the credit is: calls served that the deposit no longer covers, or a withdrawal request for more than was free. */
  short: bigint;
  /** Held for calls running now. */
  reserved: bigint;
  /** Charged and not yet settled from the deposit on chain, deferred charges included. */
  unsettled: bigint;
  /** Of `unsettled`: charges waiting for the payer's next deposit. */
  deferred: bigint;
  /** The open withdrawal request, which the gateway no longer spends. */
  pendingWithdrawal: bigint;
}

export interface SettlementDebit { payer: Address; amount: bigint }
export interface SettlementCredit { ingotId: bigint; amount: bigint }

/** One settlement transaction: debits from payers' deposits equal credits paid into Ingots. */
export interface SettlementBatch {
  /** bytes32, derived from the batch's charge ids; the contract refuses a batch id twice. */
  batchId: Hex;
  asset: Asset;
  debits: SettlementDebit[];
  credits: SettlementCredit[];
  chargeIds: string[];
}

export type SettleResult =
  | { status: "settled"; txHash: Hex; gasUsed: bigint; blockNumber: bigint }
  | { status: "already-settled" };

/**
 * One transaction the settler sent (or was about to send) for a batch, as the ledger keeps it:
 * recorded before it is broadcast, and again with its hash once the node accepted it. A send not
 * mined in time is replaced by one with the same nonce and higher fees, so at most one nonce of a
 * batch is ever open, the one of its last send.
 */
export interface SettlementSend {
  batchId: Hex;
  /** `settle` carries the batch; `cancel` is a transfer of 0 to the settler itself at the same nonce, sent so that an earlier settle of the batch can no longer be mined. */
  kind: "settle" | "cancel";
  nonce: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** When it was prepared (ms since the epoch). */
  sentAtMs: number;
  /** Set once the node accepted it. */
  txHash?: Hex;
}

/**
 * A settlement transaction as the chain side prepares it: the caller stamps the time when it
 * records it. `legacy`: a chain without a base fee, sent with a gas price (in both fee fields);
 * not recorded, since a chain does not change its kind.
 */
export type PreparedSend = Omit<SettlementSend, "sentAtMs"> & { legacy?: true };

/** How a settlement transaction is sent: in place of an earlier one, and with each send recorded before and after its broadcast. */
export interface SendOptions {
  /** An earlier send whose nonce is still open: this one takes its nonce, with fees at least 12.5 % higher (and at least the current estimate). */
  replacing?: PreparedSend;
  /** Called with the send before it is broadcast, and again with its hash after the node accepted it. */
  onSend?: (send: PreparedSend) => void;
}

/** The chain side settlement needs (implemented in chain/, over viem clients). */
export interface SettlementChain {
  readDeposits(range: { fromBlock: bigint; toBlock: bigint }): Promise<DepositRecord[]>;
  readWithdrawalEvents(range: { fromBlock: bigint; toBlock: bigint }): Promise<WithdrawalEventRecord[]>;
  readDebits(range: { fromBlock: bigint; toBlock: bigint }): Promise<DebitRecord[]>;
  latestBlock(): Promise<bigint>;
  /** Settle one batch, waiting for its receipt; a receipt that does not come in time is a retryable error (the send stays recorded through `onSend`). */
  settleBatch(batch: SettlementBatch, options?: SendOptions): Promise<SettleResult>;
  /** Take `replacing`'s nonce with a transfer of 0 to the settler (fees as for a replacement), so that the settle sent at that nonce can no longer be mined; waits for its receipt like settleBatch. */
  cancelSend(replacing: PreparedSend, options?: Pick<SendOptions, "onSend">): Promise<void>;
  isBatchSettled(batchId: Hex): Promise<boolean>;
  /** Whether the settler has sent transactions not yet mined. */
  hasPendingTransactions(): Promise<boolean>;
  /** The settler's nonce at the latest block: every nonce below it is used by a mined transaction. */
  latestNonce(): Promise<number>;
  /** The first of `hashes` mined with success, if any. */
  findSuccessfulTransaction(hashes: readonly Hex[]): Promise<Hex | undefined>;
}

/** Who called: resolved from the bearer API key by the ledger. */
export interface Caller {
  keyId: string;
  payer: Address;
  /** SHA-256 of the API key, hex without 0x: the ArkForge buyer fingerprint. */
  fingerprint: string;
}

/** A committed charge for one delivered call. */
export interface Charge {
  chargeId: string;
  payer: Address;
  asset: Asset;
  ingotId: bigint;
  amount: bigint;
  promptTokens: number;
  completionTokens: number;
  createdAt: string;
  /** Set once the charge is in a batch confirmed on chain. */
  settlement?: { batchId: Hex; txHash: Hex };
  /** Set while the charge waits for the payer's next deposit (the deposit could not cover it when it was settled). */
  deferredAt?: string;
}
