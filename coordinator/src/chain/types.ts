import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import type { ProtocolAbis } from "./loadProtocolAbis.js";

/** Addresses of one protocol deployment. */
export interface ProtocolAddresses {
  factory: Address;
  ingot: Address;
  splitter: Address;
  enclaveRegistry: Address;
  verifier: Address;
}

/** What every chain action receives: clients, the deployment, its ABIs. */
export interface ProtocolContext {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  addresses: ProtocolAddresses;
  abis: ProtocolAbis;
}

/** Mirrors IForge.Phase. */
export const PHASES = ["Pending", "Open", "Closed", "Live", "Failed"] as const;
export type ForgePhase = (typeof PHASES)[number];

/** Mirrors IForge.ForgeConfig (field names as in Solidity). */
export interface ForgeConfig {
  windowStart: bigint;
  windowEnd: bigint;
  evalDeadline: bigint;
  holdoutExamples: number;
  direction: 0 | 1;
  creator: Address;
  capitalAsset: Address;
  baseModelRoot: Hex;
  holdoutRoot: Hex;
  split: { dataBps: number; computeBps: number; capitalBps: number; creatorBps: number; lineageBps: number };
  caps: { maxData: number; maxCompute: number; maxCapital: number };
  /** Native ETH wei sent with each data contribution (refunded when included or Failed, else forfeited). */
  dataBond: bigint;
  /** Native ETH wei sent with each compute registration. */
  computeBond: bigint;
  /** Capital-asset units: a new capital position below it is refused. */
  minCapital: bigint;
  parentIngotId: bigint;
  allowedMeasurements: readonly Hex[];
  metadataURI: string;
  baseModelName: string;
  task: string;
  fineTuneMethod: string;
  evalMetric: string;
}

/** Mirrors IForge.EvalResult. */
export interface EvalResult {
  forge: Address;
  holdoutRoot: Hex;
  baseModelRoot: Hex;
  adapterRoot: Hex;
  metricBefore: bigint;
  metricAfter: bigint;
  dataIds: readonly bigint[];
  dataScores: readonly bigint[];
  computeIds: readonly bigint[];
  computeWork: readonly bigint[];
  /** Data ids excluded by the enclave (strictly increasing, score 0): their bonds are forfeited. */
  excludedData: readonly bigint[];
  /** Compute ids excluded (proof of possession failed, key already registered): bonds forfeited. */
  excludedCompute: readonly bigint[];
  attributionLogRoot: Hex;
  evalConfigHash: Hex;
  deadline: bigint;
}
