import { createHash } from "node:crypto";
import type { Hex } from "viem";
import type { InRunCheckpointFeatures } from "../../eval/train/computeInRunFeatures.js";
import { f64Bytes } from "../../eval/train/hashLoraState.js";

/**
 * 0x + sha256 of everything a worker's in-run features say: a version tag, the parameter names,
 * then per checkpoint its step, end step, state hash, example indices and every feature's float64
 * bytes (little-endian). Two executions agree exactly when this hash is equal.
 */
export function hashInRunFeatures(paramNames: readonly string[], checkpoints: readonly Pick<InRunCheckpointFeatures, "step" | "endStep" | "stateHash" | "examples" | "features">[]): Hex {
  const h = createHash("sha256");
  h.update(`ingotforge/in-run-features/v1\n${paramNames.join(",")}\n${checkpoints.length}\n`);
  for (const c of checkpoints) {
    h.update(`${c.step}\n${c.endStep}\n${c.stateHash}\n${c.examples.join(",")}\n${c.features.length}\n`);
    for (const f of c.features) {
      h.update(`${f.length}\n`);
      h.update(f64Bytes(f));
    }
  }
  return `0x${h.digest("hex")}`;
}
