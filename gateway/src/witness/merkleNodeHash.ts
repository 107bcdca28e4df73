import { createHash } from "node:crypto";

/**
 * An inner node of a batch's Merkle tree (RFC 6962 §2.1): SHA-256(0x01 ‖ left ‖ right), the
 * children as 32 raw bytes each. Both arguments and the result are 64 lowercase hex digits.
 */
export function merkleNodeHash(leftHex: string, rightHex: string): string {
  return createHash("sha256").update(Buffer.from([1])).update(Buffer.from(leftHex, "hex")).update(Buffer.from(rightHex, "hex")).digest("hex");
}
