// The 0G SDK's in-memory Merkle tree, imported by file: the SDK's package exports only its Node
// entry, whose file and network code a browser cannot load. MemData and MerkleTree need only keccak.
import { MemData } from "../../../node_modules/@0glabs/0g-ts-sdk/lib.esm/file/MemData.js";

/**
 * The 0G Merkle root of `bytes`, computed in the browser exactly as the coordinator's
 * computeContentRoot does, so the page checks what a store hands back against the root on chain
 * instead of trusting the store. Lowercase 0x-hex.
 */
export async function computeContentRootInBrowser(bytes: Uint8Array): Promise<`0x${string}`> {
  if (bytes.length === 0) throw new Error("Empty content has no root; nothing was stored.");
  const [tree, err] = await new MemData(bytes).merkleTree();
  const root = tree?.rootHash();
  if (err !== null || !root) throw new Error("Could not compute the content's 0G root in the browser.");
  return root.toLowerCase() as `0x${string}`;
}
