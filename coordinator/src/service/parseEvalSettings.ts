import { z } from "zod";
import { DEMO_LORA_HYPER } from "../eval/demo/demoLoraHyper.js";
import type { ServiceEvalSettings } from "./createCoordinatorService.js";
import { ServiceError } from "./errors.js";

const seed = z.union([z.string().min(1), z.number().int()]);
const inRunSettings = {
  checkpoints: z.number().int().positive(),
  projectionDim: z.number().int().positive().max(2 ** 24),
  projectionSeed: seed,
  preconditioner: z.enum(["sign", "adam", "none"]),
  exampleWeights: z.enum(["batch", "uniform"]).optional(),
  calibration: z.object({ samples: z.number().int().nonnegative(), seed }).strict(),
  maxExtraWork: z.number().positive().optional(),
  seeds: z.number().int().positive().optional(),
  checkpointAt: z.enum(["start", "end"]).optional(),
  servedAdapter: z.enum(["in-run-pass", "positive-value"]).optional(),
};
const evalSettingsSchema = z
  .object({
    /** Merged over DEMO_LORA_HYPER; the trainer validates the result before the first job. */
    hyper: z.record(z.string(), z.unknown()).optional(),
    trainingSeeds: z.array(seed).min(1).optional(),
    method: z
      .discriminatedUnion("kind", [
        z.object({ kind: z.literal("leave-one-out") }).strict(),
        z.object({ kind: z.literal("exact-shapley") }).strict(),
        z.object({ kind: z.literal("exact-banzhaf") }).strict(),
        z.object({ kind: z.literal("monte-carlo-shapley"), permutations: z.number().int().positive(), seed, truncation: z.object({ tolerance: z.number().nonnegative() }).strict().optional() }).strict(),
        z.object({ kind: z.literal("msr-banzhaf"), samples: z.number().int().positive(), seed }).strict(),
        z.object({ kind: z.literal("in-run"), ...inRunSettings }).strict(),
        z.object({ kind: z.literal("auto"), exactUpTo: z.number().int().min(0).max(10), inRun: z.object(inRunSettings).strict() }).strict(),
      ])
      .optional(),
    verification: z.object({ policy: z.enum(["none", "sample", "full"]), fraction: z.number().min(0).max(1).optional() }).strict().optional(),
    holdoutInfo: z.string().min(1).optional(),
    resultTtlSeconds: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
  })
  .strict();

/** The `--eval` file's JSON, checked field by field; every wrong field is named with its path. */
export function parseEvalSettings(raw: unknown, source: string): Partial<ServiceEvalSettings> {
  const parsed = evalSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ServiceError(`The eval settings in ${source} are not valid: ${problems}.`, { hint: "Fix those fields (see coordinator/src/service/README.md)." });
  }
  const v = parsed.data;
  return {
    ...(v.hyper ? { hyper: { ...DEMO_LORA_HYPER, ...v.hyper } as ServiceEvalSettings["hyper"] } : {}),
    ...(v.trainingSeeds ? { trainingSeeds: v.trainingSeeds } : {}),
    ...(v.method ? { method: v.method } : {}),
    ...(v.verification ? { verification: v.verification } : {}),
    ...(v.holdoutInfo ? { holdoutInfo: v.holdoutInfo } : {}),
    ...(v.resultTtlSeconds !== undefined ? { resultTtlSeconds: BigInt(v.resultTtlSeconds) } : {}),
  };
}
