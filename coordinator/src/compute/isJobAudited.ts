import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { ComputeError } from "./errors.js";

export type VerificationPolicy = "none" | "sample" | "full";

export interface VerificationConfig {
  policy: VerificationPolicy;
  /** For "sample": the share of jobs verified, in [0, 1]. */
  fraction?: number;
}

export interface IsJobAuditedParameters {
  jobId: Hex;
  publicSeed: Hex | string;
  verification: VerificationConfig;
}

/**
 * Whether this job is verified (run again on a distinct worker, or by the coordinator, and compared). "sample" draws u = the first 52 bits of
 * sha256("ingotforge/compute/audit/v1" ‖ publicSeed ‖ jobId) / 2^52 and audits when u < fraction:
 * replayable by anyone with the seed, and unpredictable to a worker before the window closes
 * (the seed does not exist yet), so a worker cannot know which of its jobs will be checked.
 */
export function isJobAudited(params: IsJobAuditedParameters): boolean {
  const { policy, fraction } = checkVerificationConfig(params.verification);
  if (policy === "none") return false;
  if (policy === "full") return true;
  const digest = createHash("sha256").update(`ingotforge/compute/audit/v1\n${params.publicSeed.toLowerCase()}\n${params.jobId.toLowerCase()}`).digest();
  const u = (digest.readUInt32BE(0) * 2 ** 20 + (digest.readUInt32BE(4) >>> 12)) / 2 ** 52;
  return u < fraction;
}

/** The config with its fraction resolved (none: 0, full: 1); throws on a bad policy or fraction. */
export function checkVerificationConfig(v: VerificationConfig): { policy: VerificationPolicy; fraction: number } {
  if (v.policy === "none") return { policy: "none", fraction: 0 };
  if (v.policy === "full") return { policy: "full", fraction: 1 };
  if (v.policy === "sample") {
    if (typeof v.fraction !== "number" || !(v.fraction >= 0 && v.fraction <= 1)) {
      throw new ComputeError(`Sample verification needs a fraction in [0, 1] (got ${String(v.fraction)})`, { hint: "Set verification.fraction, e.g. 0.25" });
    }
    return { policy: "sample", fraction: v.fraction };
  }
  throw new ComputeError(`Unknown verification policy ${JSON.stringify(v.policy)}`, { hint: 'Use "none", "sample" or "full"' });
}
