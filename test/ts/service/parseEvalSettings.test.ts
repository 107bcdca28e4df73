import { describe, expect, it } from "vitest";
import { parseEvalSettings } from "../../../coordinator/src/service/parseEvalSettings.js";
import { ServiceError } from "../../../coordinator/src/service/errors.js";
import { DEMO_LORA_HYPER } from "../../../coordinator/src/eval/demo/demoLoraHyper.js";
import { DEFAULT_IN_RUN_SETTINGS } from "../../../coordinator/src/eval/attribution/inRunTypes.js";

describe("parseEvalSettings", () => {
  it("merges hyper-parameters over the demo's and turns the TTL into a bigint", () => {
    const s = parseEvalSettings({ hyper: { steps: 3, rank: 4 }, trainingSeeds: [1, "b"], method: { kind: "msr-banzhaf", samples: 50, seed: 7 }, resultTtlSeconds: "600" }, "eval.json");
    expect(s.hyper).toEqual({ ...DEMO_LORA_HYPER, steps: 3, rank: 4 });
    expect(s.trainingSeeds).toEqual([1, "b"]);
    expect(s.method).toEqual({ kind: "msr-banzhaf", samples: 50, seed: 7 });
    expect(s.resultTtlSeconds).toBe(600n);
    expect(s.verification).toBeUndefined();
  });

  it("takes the default in-run settings as an --eval file writes them, and names a wrong checkpointAt or servedAdapter", () => {
    const inRun = { ...DEFAULT_IN_RUN_SETTINGS };
    expect(parseEvalSettings({ method: { kind: "auto", exactUpTo: 6, inRun } }, "eval.json").method).toEqual({ kind: "auto", exactUpTo: 6, inRun });
    expect(() => parseEvalSettings({ method: { kind: "in-run", ...inRun, checkpointAt: "middle", servedAdapter: "retrain" } }, "eval.json")).toThrow(/method\.checkpointAt[\s\S]*method\.servedAdapter|method\.servedAdapter[\s\S]*method\.checkpointAt/);
  });

  it("names every wrong field with its path and the file", () => {
    const error = (() => {
      try {
        parseEvalSettings({ trainingSeeds: [], verification: { policy: "most" }, extra: 1 }, "eval.json");
      } catch (e) {
        return e;
      }
    })() as Error;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.message).toContain("eval.json");
    expect(error.message).toContain("trainingSeeds");
    expect(error.message).toContain("verification.policy");
    expect(error.message).toContain("extra");
  });
});
