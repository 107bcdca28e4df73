import type { Hex } from "viem";
import type { Qwen2Model } from "../../eval/model/types.js";
import type { ContentStore } from "../../storage/types.js";
import type { ComputeWorker } from "../types.js";
import { createInProcessInRunWorker } from "./createInProcessInRunWorker.js";
import type { InRunWorker } from "./types.js";

/**
 * An in-process ComputeWorker that also runs in-run feature jobs with the same key. With `store`
 * (and `baseModelRoot`), in-run jobs find their base by root as training jobs do.
 */
export function withInRunFeatures<W extends ComputeWorker>(worker: W, params: { ed25519PrivateKey: Hex | string | Uint8Array; model: Qwen2Model; store?: ContentStore; baseModelRoot?: Hex }): W & InRunWorker {
  const inRun = createInProcessInRunWorker({ computeId: worker.computeId, ...params });
  if (inRun.publicKey !== worker.publicKey) throw new Error(`withInRunFeatures: the key given is not worker ${worker.computeId}'s registered key; pass the same key`);
  return Object.assign(Object.create(null) as object, worker, { runInRun: inRun.runInRun }) as W & InRunWorker;
}
