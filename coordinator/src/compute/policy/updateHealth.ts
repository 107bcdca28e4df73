import { ComputeError } from "../errors.js";
import { DEFAULT_HEALTH_POLICY } from "./defaultHealthPolicy.js";
import type { HealthEvent, HealthPolicy } from "./types.js";

/**
 * A worker's next health score after one event: a fault multiplies it by faultFactor, a timeout or
 * error by timeoutFactor (no proof of cheating, a smaller drop), and a verified execution recovers
 * `recovery` of the gap to 1 — so regaining trust after a fault takes many verified jobs
 * (from 0.2 back to 0.9 is about 40 at the defaults). Always in [minHealth, 1].
 */
export function updateHealth(score: number, event: HealthEvent, policy: HealthPolicy = DEFAULT_HEALTH_POLICY): number {
  if (!(score >= 0 && score <= 1)) throw new ComputeError(`A health score must be in [0, 1] (got ${String(score)})`, { hint: "Pass scores from a pool record or a prior in range" });
  let next: number;
  switch (event) {
    case "verified":
      next = score + (1 - score) * policy.recovery;
      break;
    case "fault":
      next = score * policy.faultFactor;
      break;
    case "timed-out":
    case "failed":
      next = score * policy.timeoutFactor;
      break;
    default:
      throw new ComputeError(`Unknown health event ${JSON.stringify(event)}`, { hint: 'Use "verified", "fault", "timed-out" or "failed"' });
  }
  return Math.min(1, Math.max(policy.minHealth, next));
}
