import type { Hex } from "viem";
import { ggufToModel } from "../eval/model/ggufToModel.js";
import { modelToGguf } from "../eval/model/modelToGguf.js";
import type { Qwen2Model } from "../eval/model/types.js";
import { computeContentRoot } from "../storage/computeContentRoot.js";
import type { ContentStore } from "../storage/types.js";
import { ComputeError } from "./errors.js";

export interface CreateBaseModelResolverParameters {
  store: ContentStore;
  /** A base already in memory. */
  model?: Qwen2Model;
  /** The root `model`'s GGUF is stored under; when left out it is the root of modelToGguf(model). */
  baseModelRoot?: Hex;
}

/**
 * Finds the base a job names by root: the preloaded model when the root is its own, else the GGUF
 * fetched from the store (which re-hashes it) and parsed. Never trains on a base whose root was
 * not checked, and keeps one fetched base in memory.
 */
export function createBaseModelResolver(params: CreateBaseModelResolverParameters): (root: Hex) => Promise<Qwen2Model> {
  let preloadedRoot: Promise<Hex> | undefined;
  if (params.model) {
    const model = params.model;
    preloadedRoot = params.baseModelRoot ? Promise.resolve(params.baseModelRoot.toLowerCase() as Hex) : computeContentRoot(modelToGguf(model));
  }
  let cached: { root: Hex; model: Promise<Qwen2Model> } | undefined;
  return async (root) => {
    const wanted = root.toLowerCase() as Hex;
    if (params.model && preloadedRoot && (await preloadedRoot) === wanted) return params.model;
    if (cached?.root !== wanted) {
      const model = (async () => {
        try {
          return ggufToModel(await params.store.get(wanted));
        } catch (cause) {
          throw new ComputeError(`Cannot load the base model ${wanted}`, { hint: "Put the base model GGUF in the store the worker reads, or start the worker with that base", cause, retryable: true });
        }
      })();
      cached = { root: wanted, model };
      model.catch(() => {
        if (cached?.model === model) cached = undefined;
      });
    }
    return cached.model;
  };
}
