import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { readGguf } from "../../../coordinator/src/eval/gguf/readGguf.js";
import { validateLoraGguf } from "../../../coordinator/src/eval/gguf/validateLoraGguf.js";
import type { GgufFile } from "../../../coordinator/src/eval/gguf/types.js";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { ContentNotFoundError, ContentRootMismatchError } from "../../../coordinator/src/storage/errors.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";
import { AdapterIntegrityError } from "../errors.js";

export interface FetchAdapterParameters {
  store: ContentStore;
  adapterRoot: Hex;
  /** Where verified adapters are kept, one file per root: `<cacheDir>/<root hex>.gguf`. */
  cacheDir: string;
  /** The base GGUF's header: the adapter must target its tensors with matching shapes. */
  base: Pick<GgufFile, "metadata" | "tensors">;
}

/** Path of the verified adapter file (content-addressed: the same root always names the same bytes). */
export type FetchAdapterReturnType = string;

const ROOT = /^0x[0-9a-f]{64}$/;

/**
 * An Ingot's LoRA adapter, ready for llama.cpp: fetched from the content store by its 0G root,
 * re-hashed here (whatever the store claims), checked to be a LoRA adapter for this base, and
 * written atomically to the cache directory. A file already in the cache is re-hashed before it
 * is trusted, and replaced when it differs.
 *
 * @throws AdapterIntegrityError when the root is malformed, the store lacks it or returns other
 *   bytes, or the bytes are not an adapter for this base.
 */
export async function fetchAdapter({ store, adapterRoot, cacheDir, base }: FetchAdapterParameters): Promise<FetchAdapterReturnType> {
  const root = String(adapterRoot).toLowerCase() as Hex;
  if (!ROOT.test(root)) throw new AdapterIntegrityError(String(adapterRoot), "it is not a content root (0x and 64 hex digits)");
  const path = join(cacheDir, `${root.slice(2)}.gguf`);

  const cached = await readFile(path).catch(() => undefined);
  if (cached && cached.length > 0 && (await computeContentRoot(cached)) === root) {
    check(root, cached, base);
    return path;
  }

  let bytes: Uint8Array;
  try {
    bytes = await store.get(root);
  } catch (cause) {
    const reason =
      cause instanceof ContentNotFoundError
        ? `it is not in the ${store.kind} content store`
        : cause instanceof ContentRootMismatchError
          ? `the ${store.kind} store returned bytes hashing to ${cause.actual}`
          : `the ${store.kind} content store failed (${(cause as Error)?.message ?? String(cause)})`;
    throw withCause(new AdapterIntegrityError(root, reason), cause);
  }
  const actual = bytes.length === 0 ? "nothing (empty content)" : await computeContentRoot(bytes);
  if (actual !== root) throw new AdapterIntegrityError(root, `the bytes the store returned hash to ${actual}`);
  check(root, bytes, base);

  await mkdir(cacheDir, { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString("hex")}.part`;
  try {
    await writeFile(tmp, bytes, { flag: "wx" });
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw withCause(new AdapterIntegrityError(root, `it could not be written to the adapter cache ${cacheDir}`), cause);
  }
  return path;
}

function check(root: string, bytes: Uint8Array, base: FetchAdapterParameters["base"]): void {
  try {
    validateLoraGguf(readGguf(bytes), base);
  } catch (cause) {
    throw withCause(new AdapterIntegrityError(root, `it is not a LoRA adapter for this base model (${(cause as Error).message})`), cause);
  }
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, "cause", { value: cause, enumerable: false, configurable: true, writable: true });
  return error;
}
