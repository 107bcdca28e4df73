import { ComputeError } from "../errors.js";
import type { HealthPolicy } from "./types.js";

/** The policy createComputePool uses when none is given (see HealthPolicy for the values). */
export const DEFAULT_HEALTH_POLICY: Readonly<HealthPolicy> = Object.freeze({ initial: 1, faultFactor: 0.2, timeoutFactor: 0.8, recovery: 0.05, minHealth: 0.01 });

/** `overrides` over the defaults, checked: every factor in [0, 1], minHealth in (0, 1], initial in [minHealth, 1]. */
export function defaultHealthPolicy(overrides: Partial<HealthPolicy> = {}): HealthPolicy {
  const p: HealthPolicy = { ...DEFAULT_HEALTH_POLICY, ...overrides };
  for (const key of ["faultFactor", "timeoutFactor", "recovery"] as const) {
    if (!(p[key] >= 0 && p[key] <= 1)) throw new ComputeError(`Health policy ${key} must be in [0, 1] (got ${String(p[key])})`, { hint: "Pass a factor between 0 and 1" });
  }
  if (!(p.minHealth > 0 && p.minHealth <= 1)) throw new ComputeError(`Health policy minHealth must be in (0, 1] (got ${String(p.minHealth)})`, { hint: "Keep a positive floor, e.g. 0.01" });
  if (!(p.initial >= p.minHealth && p.initial <= 1)) throw new ComputeError(`Health policy initial must be in [minHealth, 1] (got ${String(p.initial)})`, { hint: "Start workers at 1 or a prior in range" });
  return p;
}
