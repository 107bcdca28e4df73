import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Hex } from "viem";
import { readGgufHeaderFromFile } from "../../eval/gguf/readGgufHeaderFromFile.js";
import { validateQwen2Gguf } from "../../eval/gguf/validateQwen2Gguf.js";
import { qwen2HeaderFromGguf } from "../../eval/model/qwen2HeaderFromGguf.js";
import type { Qwen2Config } from "../../eval/model/types.js";
import { computeContentRoot } from "../../storage/computeContentRoot.js";
import type { ContentStore } from "../../storage/types.js";
import { ComputeError } from "../errors.js";

export interface BaseModelFile {
  root: Hex;
  /** Absolute path of the GGUF on disk. */
  path: string;
  config: Qwen2Config;
}

export interface CreateBaseModelFileResolverParameters {
  store: ContentStore;
  /** A base GGUF already on disk; its root is computed once, on first use. */
  baseModelPath?: string;
  /** Where bases fetched from the store by root are written (`<dir>/<root>.gguf`). */
  cacheDir: string;
}

/**
 * The base GGUF a job names by root, as a file an external trainer can open: the configured file
 * when its root is the job's, else the store's bytes (re-hashed by the store) written once under
 * cacheDir. Never hands out a file whose root was not checked.
 */
export function createBaseModelFileResolver(params: CreateBaseModelFileResolverParameters): (root: Hex) => Promise<BaseModelFile> {
  const known = new Map<Hex, Promise<BaseModelFile>>();
  let configured: Promise<BaseModelFile> | undefined;
  const describe = async (path: string, root: Hex): Promise<BaseModelFile> => {
    const header = await readGgufHeaderFromFile(path);
    validateQwen2Gguf(header);
    return { root, path, config: qwen2HeaderFromGguf(header).config };
  };
  if (params.baseModelPath) {
    const path = resolve(params.baseModelPath);
    configured = (async () => describe(path, await computeContentRoot(new Uint8Array(await readFile(path)))))();
    configured.catch(() => undefined); // reported when a job asks for it
  }
  return async (root) => {
    const wanted = root.toLowerCase() as Hex;
    if (configured && (await configured).root === wanted) return configured;
    let entry = known.get(wanted);
    if (!entry) {
      entry = (async () => {
        const path = resolve(params.cacheDir, `${wanted.slice(2)}.gguf`);
        if (!(await exists(path))) {
          let bytes: Uint8Array;
          try {
            bytes = await params.store.get(wanted);
          } catch (cause) {
            throw new ComputeError(`Cannot load the base model ${wanted}`, { hint: "Put the base model GGUF in the store the worker reads, or configure the worker with that base", cause, retryable: true });
          }
          await mkdir(params.cacheDir, { recursive: true });
          const tmp = join(params.cacheDir, `.${wanted.slice(2)}.${process.pid}.tmp`);
          await writeFile(tmp, bytes);
          await rename(tmp, path);
        }
        return describe(path, wanted);
      })();
      known.set(wanted, entry);
      entry.catch(() => known.delete(wanted));
    }
    return entry;
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
