import { describe, expect, it } from "vitest";
import { describeEvalProgress } from "../../../app/src/model/describeEvalProgress.js";

describe("describeEvalProgress", () => {
  it("says the coordinator has not picked the Forge up when it reported nothing", () => {
    expect(describeEvalProgress({ events: [] })).toMatch(/has not picked this Forge up/);
  });
  it("names the coalition count from the latest coalition event", () => {
    expect(describeEvalProgress({ events: [{ kind: "forge-seen" }, { kind: "eval-started", attempt: 1 }, { kind: "coalition", done: 2, total: 4 }] })).toBe("Coordinator: coalition 2 of 4 trained and scored…");
  });
  it("names the minted Ingot once submitted, and the reason when it gave up", () => {
    expect(describeEvalProgress({ events: [{ kind: "submitted", ingotId: "2" }] })).toBe("Coordinator: result submitted; Ingot #2 minted.");
    expect(describeEvalProgress({ events: [{ kind: "failed", reason: "eval deadline passed" }] })).toMatch(/gave up \(eval deadline passed\)/);
  });
});
