import type { Hex } from "viem";
import { ContentNotFoundError, ContentRootMismatchError, InvalidContentRootError, StorageError } from "./errors.js";
import type { ContentStore } from "./types.js";

/** Why content could not be used; stable strings for the attribution record. */
export type ContentExclusionReason = "invalid-root" | "missing" | "root-mismatch" | "unavailable";

export type TryGetContentReturnType =
  | { ok: true; root: Hex; bytes: Uint8Array }
  | { ok: false; root: string; reason: ContentExclusionReason; detail: string; retryable: boolean };

/**
 * Fetch content for a decision that must not fail as a whole (a Forge's contributions): every
 * storage failure becomes a reason to record, not an exception. `unavailable` (network trouble) is
 * marked retryable so a caller can try again before excluding; anything that is not a storage
 * error (a bug) is still thrown.
 */
export async function tryGetContent({ store, root }: { store: ContentStore; root: string }): Promise<TryGetContentReturnType> {
  try {
    return { ok: true, root: root.toLowerCase() as Hex, bytes: await store.get(root as Hex) };
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    const reason: ContentExclusionReason =
      error instanceof InvalidContentRootError
        ? "invalid-root"
        : error instanceof ContentNotFoundError
          ? "missing"
          : error instanceof ContentRootMismatchError
            ? "root-mismatch"
            : "unavailable";
    return { ok: false, root, reason, detail: error.message, retryable: reason === "unavailable" || error.retryable };
  }
}
