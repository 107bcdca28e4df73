import type { Hex } from "viem";
import type { InRunCheckpointFeatures, InRunPreconditioner } from "../../eval/train/computeInRunFeatures.js";
import type { HpkeKeyPair } from "../../sealing/generateHpkeKeyPair.js";
import type { RunJobOptions, ScoredSequence, TrainingJob } from "../types.js";

/**
 * A training job that also yields in-run attribution features: the served adapter's run, with a
 * checkpoint every `checkpointEvery` steps and every trained example's gradient projected by the
 * seeded projection. Never the holdout. `jobId` hashes every field (planInRunJob).
 */
export interface InRunJob extends TrainingJob {
  kind: "in-run-features";
  checkpointEvery: number;
  projection: { seed: string | number; dim: number };
  preconditioner: InRunPreconditioner;
  /** Features of every example at every checkpoint (planInRunCheckpoints' "uniform"); absent: of the examples trained in its interval (jobs planned before the option keep their ids). */
  exampleWeights?: "uniform";
  /** Features at the end of each checkpoint interval (computeInRunFeatures' checkpointAt); absent: at its start (jobs planned before the option, whose ids do not change). */
  checkpointAt?: "end";
}

/** What a worker returns: the signed claim, and the features it claims (checked against the claim). */
export interface InRunJobResult {
  jobId: Hex;
  computeId: number;
  workerPublicKey: Hex;
  /** 0x + hashAdapter of the run's adapter (the same as the plain training job's). */
  adapterHash: Hex;
  /** 0x + hashInRunFeatures(paramNames, checkpoints): binds every checkpoint hash and feature bit. */
  featuresHash: Hex;
  trainedTokens: number;
  /** Ed25519 over inRunResultMessage(fields above). */
  signature: Hex;
  paramNames: string[];
  checkpoints: InRunCheckpointFeatures[];
}

export type UnsignedInRunJobResult = Omit<InRunJobResult, "signature">;

/** A worker that runs in-run feature jobs (in-process, or behind a transport). */
export interface InRunWorker {
  computeId: number;
  publicKey: Hex;
  runInRun(job: InRunJob, sequences: readonly ScoredSequence[], options?: RunJobOptions): Promise<InRunJobResult>;
}

/**
 * The key pair a transport client names as `resultRecipient` for a Forge's in-run jobs to one
 * worker, and opens that worker's sealed features with: the enclave's `inRunResultKey` (derived
 * from its secret, the same after a restart: deriveInRunResultKey). Keep the private key in the
 * enclave process.
 */
export type InRunResultKeyFor = (p: { forge: Hex; computeId: number }) => Promise<HpkeKeyPair>;

/** Told the root of a sealed features envelope a transport client opened with its result key (the answer taken). */
export type InRunFeaturesListener = (p: { forge: Hex; jobId: Hex; computeId: number; featuresRoot: Hex }) => void | Promise<void>;
