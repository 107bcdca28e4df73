import { describe, expect, it } from "vitest";
import { nobodyEarnedAShare } from "../../../coordinator/src/pipeline/nobodyEarnedAShare.js";

describe("nobodyEarnedAShare: a result whose Ingot goes wholly to the creator", () => {
  it("says so when the Forge had no contribution at all", () => {
    expect(nobodyEarnedAShare({ dataScores: [], computeWork: [], totalCapital: 0n })).toBe(true);
  });

  it("says so when every data score is zero or negative and no worker did verified work", () => {
    expect(nobodyEarnedAShare({ dataScores: [0n, -5n], computeWork: [0n], totalCapital: 0n })).toBe(true);
  });

  it("does not when one data contribution has positive value, one worker did work, or capital was raised", () => {
    expect(nobodyEarnedAShare({ dataScores: [0n, 1n], computeWork: [], totalCapital: 0n })).toBe(false);
    expect(nobodyEarnedAShare({ dataScores: [], computeWork: [0n, 3n], totalCapital: 0n })).toBe(false);
    expect(nobodyEarnedAShare({ dataScores: [], computeWork: [], totalCapital: 1n })).toBe(false);
  });
});
