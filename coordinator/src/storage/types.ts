import type { Hex } from "viem";

/** What `put` returns: the content's 0G Merkle root and its length in bytes. */
export interface PutContentReturnType {
  root: Hex;
  size: number;
}

/**
 * Content addressed by its 0G Merkle root (`computeContentRoot`). Every implementation checks
 * what it hands back against the root it was asked for, so a caller can trust `get`'s bytes.
 */
export interface ContentStore {
  /** Which backend this is, for logs and the attribution record. */
  readonly kind: "local" | "zerog";
  /** Store `bytes`; idempotent (the same bytes give the same root). Empty content is refused. */
  put(bytes: Uint8Array): Promise<PutContentReturnType>;
  /** The bytes whose root is `root`; `ContentNotFoundError` or `ContentRootMismatchError` otherwise. */
  get(root: Hex): Promise<Uint8Array>;
  /** Whether the store claims to hold `root` (without fetching or re-hashing it). */
  has(root: Hex): Promise<boolean>;
  /**
   * Remove `root`'s content; true when it was there. Only the local store has it: 0G storage is
   * append-only, so the 0G adapter cannot delete and leaves this out (callers keep what they would
   * have removed, and say so).
   */
  delete?(root: Hex): Promise<boolean>;
}
