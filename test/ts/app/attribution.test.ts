import { describe, expect, it } from "vitest";
import { allocatePool } from "../../../app/src/model/allocatePool.js";
import { buildAttributionRows } from "../../../app/src/model/buildAttributionRows.js";
import { parseAttributionRecord, type AttributionRecord } from "../../../app/src/model/attributionRecord.js";

const h = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

function record(): AttributionRecord {
  const json = {
    version: "ingotforge-attribution-log/1",
    chainId: 31337,
    forge: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    enclave: { simulated: true, note: "SIMULATED" },
    baseModel: { name: "tiny", root: h(1) },
    holdout: { root: h(2), examples: 2, tokens: 40 },
    contributions: [
      { dataId: 0, contributor: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", root: h(10), sizeBytes: 100, exampleCount: 3, status: "included", exampleHashes: [h(100), h(101), h(102)], keptExamples: 3, value: 0.06, score: "60000000000000000" },
      { dataId: 1, contributor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", root: h(11), sizeBytes: 100, exampleCount: 2, status: "included", exampleHashes: [h(100), h(101)], keptExamples: 0, value: 0, score: "0" },
      { dataId: 2, contributor: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", root: h(12), sizeBytes: 100, exampleCount: 2, status: "included", exampleHashes: [h(102), h(103)], keptExamples: 1, duplicates: [{ example: 0, duplicateOf: "duplicate-of 0:2", match: "exact", similarity: 1 }], value: 0.02, score: "20000000000000000" },
      { dataId: 3, contributor: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", root: h(13), sizeBytes: 100, exampleCount: 2, status: "included", exampleHashes: [h(104), h(105)], keptExamples: 2, value: -0.01, score: "-10000000000000000" },
      { dataId: 4, contributor: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", root: h(14), sizeBytes: 0, exampleCount: 2, status: "excluded", reason: "content does not match its root", exampleHashes: [], keptExamples: 0, value: 0, score: "0" },
    ],
    estimator: {
      method: "exact-shapley",
      scoreVector: {
        entries: [
          { id: "0", value: 0.06, stdError: 0.01, status: "scored" },
          { id: "1", value: 0, stdError: 0, status: "duplicate" },
          { id: "2", value: 0.02, stdError: 0.004, status: "scored" },
          { id: "3", value: -0.01, stdError: 0.002, status: "scored" },
        ],
      },
    },
    result: { adapterRoot: h(3), perplexityBefore: 9.5, perplexityAfter: 8.1 },
  };
  return parseAttributionRecord(new TextEncoder().encode(JSON.stringify(json)));
}

describe("allocatePool (the contracts' ShareMath.allocate)", () => {
  it("sums exactly to the total, giving leftovers to the largest remainders, ties to the lowest index", () => {
    expect(allocatePool(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(allocatePool(100n, [3n, 0n, 1n])).toEqual([75n, 0n, 25n]);
    expect(allocatePool(7n, [0n, 0n])).toEqual([0n, 0n]);
    const parts = allocatePool(500_000_000n, [7n, 11n, 13n, 17n]);
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(500_000_000n);
  });
  it("never gives a larger weight a smaller part", () => {
    const parts = allocatePool(1_000n, [5n, 6n, 6n, 7n]);
    for (let i = 1; i < parts.length; i++) expect(parts[i] >= parts[i - 1]).toBe(true);
  });
});

describe("buildAttributionRows", () => {
  const rows = buildAttributionRows(record(), 500_000_000n);
  it("gives each included contribution its Δ and standard error from the score vector", () => {
    expect(rows[0]).toMatchObject({ dataId: 0, delta: 0.06, stdError: 0.01 });
    expect(rows[3]).toMatchObject({ delta: -0.01 });
  });
  it("splits the data pool by positive score only, exactly", () => {
    expect(rows.map((r) => r.shares)).toEqual([375_000_000n, 0n, 125_000_000n, 0n, 0n]);
  });
  it("names the contribution a full duplicate copies, notes partial copies, negative value and exclusions", () => {
    expect(rows[1].note).toBe("duplicate of data #0: earns nothing twice");
    expect(rows[2].note).toBe("1 of 2 examples copy data #0 and count once");
    expect(rows[3].note).toMatch(/did not improve/);
    expect(rows[4].note).toBe("excluded: content does not match its root");
    expect(rows[4].delta).toBeUndefined();
  });
  it("refuses a record of another version or shape, saying where", () => {
    expect(() => parseAttributionRecord(new TextEncoder().encode('{"version":"other"}'))).toThrow(/expected shape: version/);
    expect(() => parseAttributionRecord(new TextEncoder().encode("not json"))).toThrow(/not JSON/);
  });
});

import { earnedByShares } from "../../../app/src/model/earnedByShares.js";

describe("earnedByShares", () => {
  it("gives a holding its pro rata part of the net revenue, floored", () => {
    expect(earnedByShares(250_000_000n, 1_000_000_000n, 4_000_000_000_000_000_000n)).toBe(1_000_000_000_000_000_000n);
    expect(earnedByShares(1n, 3n, 10n)).toBe(3n);
    expect(earnedByShares(5n, 0n, 10n)).toBe(0n);
  });
});
