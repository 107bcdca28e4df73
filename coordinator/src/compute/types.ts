import type { Address, Hex } from "viem";
import type { LoraHyperParameters, ScoredSequence } from "../eval/train/types.js";

/**
 * Everything a worker needs to train one adapter, and nothing more (never the holdout).
 * `jobId` is the hash of every other field (planTrainingJob / computeJobId), so a signature over
 * the jobId commits to the forge, the base, the examples, the hyper-parameters and the seed.
 */
export interface TrainingJob {
  forge: Address;
  jobId: Hex;
  /** 0G root of the base model GGUF; the worker loads the base by it. */
  baseModelRoot: Hex;
  /** The training examples, by content hash, in training order. */
  exampleHashes: readonly string[];
  /** Includes the seed (LoRA initialisation and batch order). */
  hyper: LoraHyperParameters;
  /**
   * hashSequences of the tokenized sequences the job trains on, when the planner had them. With it
   * the jobId (and so the worker's signature) also binds the exact tokens, and pool and worker
   * refuse sequences that differ.
   */
  sequencesHash?: Hex;
}

/** A worker's signed claim: "I trained job `jobId` into the adapter stored under `adapterRoot`". */
export interface TrainingJobResult {
  jobId: Hex;
  computeId: number;
  /** Ed25519 public key (32 bytes), as registered on-chain with the compute contribution. */
  workerPublicKey: Hex;
  /** 0G root of the adapter GGUF the worker put in the store. */
  adapterRoot: Hex;
  /** 0x + hashAdapter(adapter). */
  adapterHash: Hex;
  /** Scored tokens trained on, summed over all steps (TrainMetrics.tokens). */
  trainedTokens: number;
  /** Ed25519 over jobResultMessage(fields above): see signJobResult. */
  signature: Hex;
}

export type UnsignedTrainingJobResult = Omit<TrainingJobResult, "signature">;

export interface RunJobOptions {
  signal?: AbortSignal;
}

/** An untrusted compute worker, in-process or behind a transport. */
export interface ComputeWorker {
  computeId: number;
  /** The worker's registered Ed25519 public key; results must verify against it. */
  publicKey: Hex;
  run(job: TrainingJob, sequences: readonly ScoredSequence[], options?: RunJobOptions): Promise<TrainingJobResult>;
}

export type { ScoredSequence };
