import { MemData } from "@0glabs/0g-ts-sdk";
import type { Hex } from "viem";
import { EmptyContentError, StorageError } from "./errors.js";

export type ComputeContentRootReturnType = Hex;

/**
 * The 0G Merkle root of `bytes`, computed offline with the 0G SDK, so the local store and the 0G
 * network name every piece of content identically. Lowercase 0x-hex, 32 bytes.
 */
export async function computeContentRoot(bytes: Uint8Array): Promise<ComputeContentRootReturnType> {
  if (bytes.length === 0) throw new EmptyContentError();
  const [tree, err] = await new MemData(bytes).merkleTree();
  const root = tree?.rootHash();
  if (err !== null || !root) {
    throw new StorageError("The 0G SDK could not compute a Merkle root for this content; this is a bug, report it with the content size.", {
      cause: err ?? undefined,
    });
  }
  return root.toLowerCase() as Hex;
}
