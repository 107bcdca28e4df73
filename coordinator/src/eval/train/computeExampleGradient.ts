import { forwardBackward, type Workspace } from "./forwardBackward.js";
import type { Network } from "./network.js";
import type { ScoredSequence } from "./types.js";

/**
 * The gradient of the mean NLL per scored token over `sequences` (one sequence: that example's
 * per-example gradient) with respect to the network's trainable parameters, at their current
 * values. It is left in `net.params[*].grad` (zeroed first; sequences accumulate in order, so the
 * bits are fixed); the values are not touched. Returns the summed NLL and scored tokens.
 */
export function computeExampleGradient(net: Network, ws: Workspace, sequences: readonly Pick<ScoredSequence, "tokens" | "scoreFrom">[]): { nll: number; tokens: number } {
  for (const q of net.params) q.grad.fill(0);
  let tokens = 0;
  for (const s of sequences) tokens += s.tokens.length - s.scoreFrom;
  const scale = 1 / tokens;
  let nll = 0;
  for (const s of sequences) nll += forwardBackward(net, ws, s.tokens, s.scoreFrom, scale).nll;
  return { nll, tokens };
}
