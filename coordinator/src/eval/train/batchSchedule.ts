import { createPrng } from "../../util/prng.js";

/**
 * Which sequences each step trains on. Epoch e is one seeded permutation of all n sequences, cut
 * into ⌈n / batchSize⌉ consecutive batches (the last may be smaller); step k is batch k of the
 * concatenation of epochs. Any step's batch is computed from (seed, e) alone, which lets a
 * resumed run pick up mid-epoch.
 */
export interface BatchSchedule {
  batchesPerEpoch: number;
  totalSteps: number;
  /** 0-based step → indices into the sequence list. */
  batch(step: number): number[];
}

export function createBatchSchedule(params: {
  seed: string | number;
  count: number;
  batchSize: number;
  steps?: number;
  epochs?: number;
}): BatchSchedule {
  const { seed, count, batchSize } = params;
  const batchesPerEpoch = Math.ceil(count / batchSize);
  const totalSteps = params.steps ?? batchesPerEpoch * (params.epochs ?? 0);
  let cachedEpoch = -1;
  let perm: number[] = [];
  const identity = Array.from({ length: count }, (_, i) => i);
  return {
    batchesPerEpoch,
    totalSteps,
    batch(step: number): number[] {
      const epoch = Math.floor(step / batchesPerEpoch);
      if (epoch !== cachedEpoch) {
        perm = createPrng(`ingotforge/train/order/${typeof seed}:${seed}/epoch:${epoch}`).shuffle(identity);
        cachedEpoch = epoch;
      }
      const start = (step % batchesPerEpoch) * batchSize;
      return perm.slice(start, Math.min(start + batchSize, count));
    },
  };
}
