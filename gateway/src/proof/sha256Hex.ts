import { createHash } from "node:crypto";

/** SHA-256 as 64 lowercase hex digits, no prefix. A string is hashed as its UTF-8 bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(typeof data === "string" ? Buffer.from(data, "utf8") : data).digest("hex");
}
