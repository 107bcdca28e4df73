import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * "node-llama-cpp@<version>": scores are replayed on the same engine build, so cache keys of
 * scored results carry it (a new build never reuses an old build's numbers).
 */
export function engineBuildId(): string {
  const entry = createRequire(import.meta.url).resolve("node-llama-cpp");
  const pkg = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string };
  return `node-llama-cpp@${pkg.version}`;
}
