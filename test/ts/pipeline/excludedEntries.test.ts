import { describe, expect, it } from "vitest";
import { excludedEntries } from "../../../coordinator/src/pipeline/excludedEntries.js";

describe("excludedEntries: the result's excluded lists (bonds forfeited)", () => {
  it("lists every data contribution of status excluded and every excluded worker, ascending and once", () => {
    const out = excludedEntries({
      contributions: [
        { dataId: 3, status: "excluded" },
        { dataId: 0, status: "included" },
        { dataId: 2, status: "excluded" },
        { dataId: 1, status: "included" },
      ],
      excludedCompute: [{ computeId: 4 }, { computeId: 1 }, { computeId: 4 }],
      computeCount: 5,
    });
    expect(out).toEqual({ excludedData: [2n, 3n], excludedCompute: [1n, 4n] });
  });

  it("lists nothing when every entry is included, and ignores worker ids the Forge does not have", () => {
    expect(excludedEntries({ contributions: [{ dataId: 0, status: "included" }], excludedCompute: [{ computeId: 2 }], computeCount: 2 })).toEqual({ excludedData: [], excludedCompute: [] });
  });
});
