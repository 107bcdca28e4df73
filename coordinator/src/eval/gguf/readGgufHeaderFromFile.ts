import { open } from "node:fs/promises";
import { GgufTruncatedError } from "./errors.js";
import { readGguf } from "./readGguf.js";
import type { GgufFile } from "./types.js";

/**
 * Parse a GGUF file's header (metadata and tensor infos) without reading its tensor data:
 * reads a growing prefix (1 MiB, doubling) until the header fits, so a 500 MB model costs a
 * few MiB of I/O.
 */
export async function readGgufHeaderFromFile(path: string): Promise<GgufFile> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    for (let length = Math.min(size, 1 << 20); ; length = Math.min(size, length * 2)) {
      const buffer = new Uint8Array(length);
      await handle.read(buffer, 0, length, 0);
      try {
        return readGguf(buffer, { headerOnly: true });
      } catch (error) {
        if (!(error instanceof GgufTruncatedError) || length === size) throw error;
      }
    }
  } finally {
    await handle.close();
  }
}
