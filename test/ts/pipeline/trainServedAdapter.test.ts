import { describe, expect, it } from "vitest";
import { NO_ADAPTER_ROOT, trainServedAdapter } from "../../../coordinator/src/pipeline/trainServedAdapter.js";

/** The served adapter step shared by the eval run and its replay, over a scorer and trainer that record their calls. */
const attribution = (values: Record<string, number>, kept: Record<string, string[]>) =>
  ({
    scoreVector: { entries: Object.entries(values).map(([id, value]) => ({ id, value })) },
    deduped: { contributions: Object.entries(kept).map(([id, keptHashes]) => ({ id, keptHashes })) },
  }) as never;

function recorder() {
  const trained: { hashes: readonly string[]; seed: string | number }[] = [];
  const scored: (string | undefined)[] = [];
  return {
    trained,
    scored,
    scorer: { score: async (file?: string) => (scored.push(file), file ? { nll: 20, tokens: 10 } : { nll: 30, tokens: 10 }) },
    train: async (hashes: readonly string[], seed: string | number) => (trained.push({ hashes, seed }), { root: "0xabc" as const, file: "served.gguf" }),
  };
}

describe("trainServedAdapter", () => {
  it("trainServedAdapter_trainsOnceOnTheExamplesOfPositiveValue_withTheGivenSeed_andScoresItAgainstTheBase", async () => {
    const r = recorder();
    const out = await trainServedAdapter({ attribution: attribution({ a: 0.5, b: -0.1, c: 0, d: 0.2 }, { a: ["a1", "a2"], b: ["b1"], c: ["c1"], d: ["d1"] }), seed: 7, scorer: r.scorer, train: r.train });
    expect(r.trained).toEqual([{ hashes: ["a1", "a2", "d1"], seed: 7 }]);
    expect(r.scored).toEqual([undefined, "served.gguf"]);
    expect(out).toEqual({ adapterRoot: "0xabc", perplexityBefore: Math.exp(3), perplexityAfter: Math.exp(2) });
  });

  it("trainServedAdapter_whenNothingHasPositiveValue_trainsNothing_andRecordsNoAdapter", async () => {
    const r = recorder();
    const out = await trainServedAdapter({ attribution: attribution({ a: 0, b: -1 }, { a: ["a1"], b: ["b1"] }), seed: 7, scorer: r.scorer, train: r.train });
    expect(r.trained).toEqual([]);
    expect(out).toEqual({ adapterRoot: NO_ADAPTER_ROOT, perplexityBefore: Math.exp(3), perplexityAfter: Math.exp(3) });
  });
});
