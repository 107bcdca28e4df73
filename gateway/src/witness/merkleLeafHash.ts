import { createHash } from "node:crypto";
import { WitnessInputError } from "./errors.js";

/**
 * A proof's leaf in its batch's Merkle tree (RFC 6962 §2.1): SHA-256(0x00 ‖ the 32 bytes of the
 * proof's chain hash). The 0x00 prefix (0x01 for inner nodes, `merkleNodeHash`) keeps a leaf from
 * ever being read as an inner node, so no second preimage can be built from a subtree.
 *
 * @param chainHashHex the proof's `hashes.chain` digits (64 lowercase hex, no `sha256:` prefix).
 * @returns 64 lowercase hex digits.
 * @throws WitnessInputError when chainHashHex is not 64 lowercase hex digits.
 */
export function merkleLeafHash(chainHashHex: string): string {
  if (!/^[0-9a-f]{64}$/.test(chainHashHex)) {
    throw new WitnessInputError("leaf", chainHashHex, "not 64 lowercase hex digits", "pass the proof's hashes.chain without its sha256: prefix");
  }
  return createHash("sha256").update(Buffer.from([0])).update(Buffer.from(chainHashHex, "hex")).digest("hex");
}
