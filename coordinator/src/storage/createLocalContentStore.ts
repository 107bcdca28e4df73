import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { computeContentRoot } from "./computeContentRoot.js";
import { ContentNotFoundError, ContentRootMismatchError, StorageError, StoreSetupError } from "./errors.js";
import { normalizeContentRoot } from "./normalizeContentRoot.js";
import type { ContentStore } from "./types.js";

export interface CreateLocalContentStoreParameters {
  /** Directory that holds the content (created if missing). */
  dir: string;
}

export type LocalContentStore = ContentStore & { readonly kind: "local"; readonly dir: string; pathOf(root: Hex): string; delete(root: Hex): Promise<boolean> };

/**
 * The embedded default store: one file per root under `dir/<first 2 hex>/<root hex>`. Writes go to
 * `dir/tmp/` and are renamed into place, so a crash never leaves a partial file under a root; reads
 * re-hash, so a file altered on disk is refused rather than trusted.
 */
export async function createLocalContentStore(params: CreateLocalContentStoreParameters): Promise<LocalContentStore> {
  const { dir } = params;
  const tmpDir = join(dir, "tmp");
  try {
    await mkdir(tmpDir, { recursive: true });
  } catch (cause) {
    throw new StoreSetupError(`Cannot create the content directory ${dir}. Check that the path is a writable directory (config: storage.local.dir).`, { cause });
  }

  const pathOf = (root: Hex) => {
    const hex = normalizeContentRoot(root).slice(2);
    return join(dir, hex.slice(0, 2), hex);
  };

  return {
    kind: "local",
    dir,
    pathOf,

    async put(bytes) {
      const root = await computeContentRoot(bytes);
      const target = pathOf(root);
      const tmp = join(tmpDir, `${root.slice(2, 18)}.${randomBytes(6).toString("hex")}.part`);
      try {
        await mkdir(join(target, ".."), { recursive: true });
        const handle = await open(tmp, "wx");
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        // Rewriting an existing root is harmless (same bytes) and repairs a file altered on disk.
        await rename(tmp, target);
        await syncDirectory(join(target, ".."));
      } catch (cause) {
        await rm(tmp, { force: true });
        throw new StorageError(`Cannot write content ${root} under ${dir}. Check free space and permissions, then retry.`, { cause, retryable: true });
      }
      return { root, size: bytes.length };
    },

    async get(root) {
      const wanted = normalizeContentRoot(root);
      const path = pathOf(wanted);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch (cause) {
        if (isNotFound(cause)) throw new ContentNotFoundError(wanted, `local (${dir})`, { cause });
        throw new StorageError(`Cannot read ${path}. Check its permissions.`, { cause });
      }
      if (bytes.length === 0) throw new ContentRootMismatchError(wanted, "(empty file)", path);
      const actual = await computeContentRoot(bytes);
      if (actual !== wanted) throw new ContentRootMismatchError(wanted, actual, path);
      return bytes;
    },

    async has(root) {
      try {
        return (await stat(pathOf(root))).isFile();
      } catch (cause) {
        if (isNotFound(cause)) return false;
        throw new StorageError(`Cannot check for content ${root} under ${dir}.`, { cause });
      }
    },

    async delete(root) {
      const path = pathOf(root);
      try {
        await unlink(path);
      } catch (cause) {
        if (isNotFound(cause)) return false;
        throw new StorageError(`Cannot remove content ${root} (${path}). Check the directory's permissions.`, { cause, retryable: true });
      }
      await syncDirectory(join(path, ".."));
      return true;
    },
  };
}

/** Make the rename itself durable: without it a power loss can forget the new directory entry. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "ENOENT";
}
