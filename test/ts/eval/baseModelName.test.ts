import { describe, expect, it } from "vitest";
import { DEMO_MODEL_NAME } from "../../../coordinator/src/eval/demo/buildDemoBaseModel.js";
import { baseModelNameFromGguf, DEMO_BASE_MODEL_CARD_NAME } from "../../../coordinator/src/eval/demo/baseModelNameFromGguf.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { tinyBase } from "../compute/computeFixtures.js";

describe("baseModelNameFromGguf (the name a Forge records for a base model given as a file)", () => {
  it("names the demo model as the tiny demo model, with the production base named as the target, never as that base itself", () => {
    const demo = modelToGguf({ ...tinyBase("card"), name: DEMO_MODEL_NAME });
    const name = baseModelNameFromGguf(demo);
    expect(name).toBe(DEMO_BASE_MODEL_CARD_NAME);
    expect(name).toMatch(/demo/);
    expect(name).not.toMatch(/^Qwen2\.5-Coder-3B-Instruct$/);
    expect(name).toContain("target: Qwen2.5-Coder-3B-Instruct");
  });

  it("takes another GGUF's own general.name, and gives none for bytes that are not a GGUF", () => {
    expect(baseModelNameFromGguf(modelToGguf(tinyBase("other")))).toBe("compute-fixture-other");
    expect(baseModelNameFromGguf(new TextEncoder().encode("a corpus, not a model"))).toBeUndefined();
  });
});
