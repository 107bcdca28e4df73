import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { attributeContributions } from "../../../coordinator/src/eval/attribution/attributeContributions.js";
import { createLoraHoldoutScorer } from "../../../coordinator/src/eval/attribution/createLoraHoldoutScorer.js";
import { createNearDuplicateIndex } from "../../../coordinator/src/eval/attribution/createNearDuplicateIndex.js";
import { dedupeContributions, type ContributionExamples } from "../../../coordinator/src/eval/attribution/dedupeContributions.js";
import { minHashSignature } from "../../../coordinator/src/eval/attribution/minHashSignature.js";
import { NEAR_DUPLICATE_RULE } from "../../../coordinator/src/eval/attribution/nearDuplicateRule.js";
import { shingleJaccard } from "../../../coordinator/src/eval/attribution/shingleJaccard.js";
import { ExampleTextsError } from "../../../coordinator/src/eval/attribution/errors.js";
import { exampleHash } from "../../../coordinator/src/eval/dataset/exampleHash.js";
import type { DatasetExample } from "../../../coordinator/src/eval/dataset/types.js";
import { demoContributions } from "../../../coordinator/src/eval/demo/demoContributions.js";
import { loadDatasetFile } from "../../../coordinator/src/eval/demo/loadDatasetFile.js";
import { createScoringEngine } from "../../../coordinator/src/eval/engine/createScoringEngine.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { attributionPanelNote } from "../../../coordinator/src/demo/attributionPanelNote.js";
import { formatAttributionPanel } from "../../../coordinator/src/demo/formatAttributionPanel.js";
import { buildAttributionLog } from "../../../coordinator/src/pipeline/buildAttributionLog.js";
import { fixtureTokenizer, tinyConfig } from "./fixtures/tinyModels.js";

// The copy, near-copy and order cases of issue 22 ("copies earn nothing"), on a synthetic utility
// where the model learns the same thing from a copy as from its original: each distinct *source*
// example trained on lowers the holdout NLL by 10 nats (of 500 tokens), whatever its spelling. So
// before copies were clustered, a near copy was a substitute of its original and exact Shapley gave
// each half (the issue measured alice +0.36730, the copy +0.36729 on the real trainer).

const alice = (await loadDatasetFile("data/demo/contrib-alice.jsonl")).slice(0, 6);
const bob = (await loadDatasetFile("data/demo/contrib-bob.jsonl")).slice(0, 6);

/** hash → the source example it was derived from (its "concept"). */
const source = new Map<string, string>();
function contribution(id: string, examples: readonly DatasetExample[], sources: readonly string[]): ContributionExamples {
  const exampleHashes = examples.map((e, i) => {
    const h = exampleHash(e);
    source.set(h, sources[i]);
    return h;
  });
  return { id, exampleHashes, exampleTexts: examples.map((e) => ({ prompt: e.prompt, response: e.response })) };
}
const original = (id: string, examples: readonly DatasetExample[]) => contribution(id, examples, examples.map((e) => e.id));
const copyOf = (id: string, of: readonly DatasetExample[], edit: (e: DatasetExample) => DatasetExample) =>
  contribution(id, of.map((e, i) => ({ ...edit(e), id: `${id}-${i}` })), of.map((e) => e.id));

const scoreBase = async () => ({ nll: 1000, tokens: 500 });
const scoreTrained = async (hashes: readonly string[]) => ({ nll: 1000 - 10 * new Set(hashes.map((h) => source.get(h)!)).size, tokens: 500 });
const attribute = (contributions: ContributionExamples[]) =>
  attributeContributions({ contributions, method: { kind: "exact-shapley" }, trainingSeeds: [1], scoreBase, scoreTrained, utilityInputs: { test: "copies" } });
const byId = async (contributions: ContributionExamples[]) => {
  const r = await attribute(contributions);
  return Object.fromEntries(r.scoreVector.entries.map((e) => [e.id, e]));
};
/** Each source example is worth 10/500 nats per token. */
const WORTH = 10 / 500;

const nearCopies: [string, (e: DatasetExample) => DatasetExample][] = [
  ["one trailing space added to each prompt", (e) => ({ ...e, prompt: `${e.prompt} ` })],
  ["the case changed", (e) => ({ ...e, prompt: e.prompt.toUpperCase(), response: e.response.toLowerCase() })],
  ["the whitespace re-wrapped", (e) => ({ ...e, prompt: e.prompt.replace(/\n/g, "\r\n   "), response: e.response.replace(/ /g, "\n  ") })],
  ["full-width letters and zero-width spaces", (e) => ({ ...e, response: e.response.replace(/Soundness/g, "Ｓｏｕｎｄｎｅｓｓ").replace(/ /g, " \u200b") })],
  ["a word edited in prompt and response", (e) => ({ ...e, prompt: e.prompt.replace(/^\S+/, "Audit"), response: e.response.replace(/\bthe\b/, "this") })],
];

describe("copies earn nothing (issue 22)", () => {
  it("gives an exact copy contributed after the original 0 and marks each example duplicate-of the original's", async () => {
    const e = await byId([original("alice", alice), copyOf("copy", alice, (x) => x), original("bob", bob)]);
    expect(e.copy).toMatchObject({ status: "duplicate", value: 0, score: 0n });
    expect(e.copy.duplicates!.map((d) => d.duplicateOf)).toEqual(alice.map((_, i) => `alice:${i}`));
    expect(e.alice.value).toBeCloseTo(6 * WORTH, 12);
    expect(e.bob.value).toBeCloseTo(6 * WORTH, 12);
  });

  for (const [what, edit] of nearCopies) {
    it(`gives a near copy with ${what} 0, and the original its whole value`, async () => {
      const e = await byId([original("alice", alice), copyOf("copy", alice, edit), original("bob", bob)]);
      expect(e.copy).toMatchObject({ status: "duplicate", value: 0, score: 0n });
      expect(e.copy.duplicates!.map((d) => d.duplicateOf)).toEqual(alice.map((_, i) => `alice:${i}`));
      expect(e.alice.value).toBeCloseTo(6 * WORTH, 12);
    });
  }

  it("gives a partial near copy only its own examples' value", async () => {
    const mixed = contribution(
      "copycat",
      [...alice.slice(0, 4).map((x) => ({ ...x, prompt: `${x.prompt} ` })), ...bob.slice(0, 2)],
      [...alice.slice(0, 4).map((x) => x.id), ...bob.slice(0, 2).map((x) => x.id)],
    );
    const e = await byId([original("alice", alice), mixed]);
    expect(e.copycat.status).toBe("scored");
    expect(e.copycat.value).toBeCloseTo(2 * WORTH, 12);
    expect(e.alice.value).toBeCloseTo(6 * WORTH, 12);
    expect(e.copycat.duplicates!.map((d) => [d.example, d.duplicateOf, d.match])).toEqual([0, 1, 2, 3].map((i) => [i, `alice:${i}`, "normalized"]));
  });

  it("gives the value to whichever is first in on-chain order: a copy sent first takes it and the later original is the duplicate", async () => {
    // Sealed contributions (the integrity issue) make copying before the original impossible; the
    // rule itself is first in on-chain order, whoever wrote the text.
    const e = await byId([copyOf("copy", alice, (x) => ({ ...x, prompt: `${x.prompt} ` })), original("alice", alice)]);
    expect(e.copy.value).toBeCloseTo(6 * WORTH, 12);
    expect(e.alice).toMatchObject({ status: "duplicate", value: 0 });
    expect(e.alice.duplicates!.map((d) => d.duplicateOf)).toEqual(alice.map((_, i) => `copy:${i}`));
  });

  it("keeps two different analyses of the same code apart: both are valued", async () => {
    // carol reviews alice's code with her own analyses (bob's responses stand in for them).
    const carol = alice.map((x, i) => ({ ...x, id: `carol-${i}`, response: bob[i].response }));
    const r = await attribute([original("alice", alice), original("carol", carol)]);
    const [a, c] = r.scoreVector.entries;
    expect(c).toMatchObject({ status: "scored" });
    expect(c.duplicates).toBeUndefined();
    expect(c.value).toBeCloseTo(6 * WORTH, 12);
    expect(a.value).toBeCloseTo(6 * WORTH, 12);
  });
});

describe("splitting one contribution across wallets, with copies between them (issue 22)", () => {
  // A concave utility (diminishing returns in distinct source examples), as data has: 0.1·√k.
  const concave = async (hashes: readonly string[]) => ({ nll: 1000 - 50 * Math.sqrt(new Set(hashes.map((h) => source.get(h)!)).size), tokens: 500 });
  const shares = async (contributions: ContributionExamples[]) => {
    const r = await attributeContributions({ contributions, method: { kind: "exact-shapley" }, trainingSeeds: [1], scoreBase, scoreTrained: concave, utilityInputs: { test: "split" } });
    return Object.fromEntries(r.scoreVector.entries.map((e) => [e.id, e.value]));
  };
  const padded = (x: DatasetExample) => ({ ...x, prompt: `${x.prompt} ` });

  it("gains nothing from each wallet also sending near copies of the other wallets' examples: the copies are dropped", async () => {
    const unsplit = await shares([original("alice", alice), original("bob", bob)]);
    // alice's 6 examples over two wallets, each wallet padding its file with near copies of the other's.
    const [a, b] = [alice.slice(0, 3), alice.slice(3)];
    const w1 = contribution("alice-1", [...a, ...b.map(padded)], [...a, ...b].map((x) => x.id));
    const w2 = contribution("alice-2", [...b, ...a.map(padded)], [...b, ...a].map((x) => x.id));
    const split = await shares([w1, w2, original("bob", bob)]);
    // Before copies were clustered the two wallets were substitutes and took (g(6) + g(12))/3 = 0.1971
    // together against alice's g(12)/2 = 0.1732 (g(k) = 0.1·√k): a 13.8% gain. Now wallet 1 keeps all
    // six (first in on-chain order) and wallet 2 gets nothing.
    expect(split["alice-2"]).toBe(0);
    expect(split["alice-1"] + split["alice-2"]).toBeCloseTo(unsplit.alice, 12);
    expect(split.bob).toBeCloseTo(unsplit.bob, 12);
  });
});

describe("dedupeContributions with example texts", () => {
  it("points a copy of a dropped copy at the kept original, not at the copy", () => {
    const a = alice[0];
    const near = { ...a, prompt: `${a.prompt} ` };
    const r = dedupeContributions([
      { id: "alice", exampleHashes: [exampleHash(a)], exampleTexts: [a] },
      { id: "b", exampleHashes: [exampleHash(near)], exampleTexts: [near] },
      { id: "c", exampleHashes: [exampleHash(near)], exampleTexts: [near] },
    ]);
    expect(r.contributions[1].duplicates).toEqual([{ index: 0, hash: exampleHash(near), firstSeenIn: "alice", of: { id: "alice", index: 0 }, match: "normalized", similarity: 1 }]);
    expect(r.contributions[2].duplicates[0]).toMatchObject({ of: { id: "alice", index: 0 }, match: "exact" });
    expect(r.players).toEqual(["alice"]);
  });

  it("drops a near copy within one contribution too, keeping the first", () => {
    const a = alice[1];
    const edited = { ...a, response: a.response.replace(/\bthe\b/, "this") };
    const r = dedupeContributions([{ id: "alice", exampleHashes: [exampleHash(a), exampleHash(edited)], exampleTexts: [a, edited] }]);
    expect(r.contributions[0].keptIndices).toEqual([0]);
    expect(r.contributions[0].duplicates[0]).toMatchObject({ index: 1, of: { id: "alice", index: 0 }, match: "near" });
    expect(r.contributions[0].duplicates[0].similarity).toBeGreaterThanOrEqual(0.8);
  });

  it("clusters no two distinct examples of the demo data (157 hand-written examples, 12,090 pairs)", async () => {
    const files = ["holdout", "contrib-alice", "contrib-bob", "contrib-carol", "contrib-dave", "contrib-control"];
    const all = (await Promise.all(files.map((f) => loadDatasetFile(`data/demo/${f}.jsonl`)))).flat();
    const r = dedupeContributions(all.map((e) => ({ id: e.id, exampleHashes: [exampleHash(e)], exampleTexts: [e] })));
    expect(r.players).toHaveLength(all.length);
  });

  it("refuses texts that do not line up with the hashes", () => {
    expect(() => dedupeContributions([{ id: "x", exampleHashes: ["a", "b"], exampleTexts: [alice[0]] }])).toThrow(ExampleTextsError);
  });

  it("without texts, still drops byte-identical examples only", () => {
    const a = alice[0];
    const near = { ...a, prompt: `${a.prompt} ` };
    const r = dedupeContributions([
      { id: "alice", exampleHashes: [exampleHash(a)] },
      { id: "b", exampleHashes: [exampleHash(near), exampleHash(a)] },
    ]);
    expect(r.contributions[1].keptHashes).toEqual([exampleHash(near)]);
    expect(r.contributions[1].duplicates).toMatchObject([{ index: 1, of: { id: "alice", index: 0 }, match: "exact" }]);
  });
});

describe("the near-duplicate threshold (Jaccard ≥ 0.8 of token 3-gram sets)", () => {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const fingerprint = (shingles: number[], key: string) => {
    const sorted = Float64Array.from(shingles).sort();
    return { normalizedKey: key, shingles: sorted, signature: minHashSignature(sorted) };
  };

  it("catches a pair just above the threshold and leaves one just below it, through the LSH bands", () => {
    expect(NEAR_DUPLICATE_RULE.threshold).toBe(0.8);
    const index = createNearDuplicateIndex<string>();
    index.add(fingerprint(range(0, 100), "a"), "original");
    const above = fingerprint([...range(0, 90), ...range(1000, 1010)], "b"); // 90 / 110 = 0.818
    const below = fingerprint([...range(0, 87), ...range(2000, 2023)], "c"); // 87 / 123 = 0.707
    expect(index.find(above)).toEqual({ ref: "original", match: "near", similarity: 90 / 110 });
    expect(index.find(below)).toBeUndefined();
  });

  it("finds every one of 200 random pairs at Jaccard 0.8 (LSH recall), whatever the shingle values", () => {
    const prng = createPrng("lsh-recall");
    for (let t = 0; t < 200; t++) {
      const base = Array.from({ length: 120 }, () => prng.nextUint32() * 1024 + prng.nextInt(1024));
      const other = [...base.slice(0, 112), ...Array.from({ length: 8 }, () => prng.nextUint32() * 1024 + prng.nextInt(1024))]; // 112 / 128 = 0.875
      const index = createNearDuplicateIndex<number>();
      index.add(fingerprint(base, "x"), t);
      expect(index.find(fingerprint(other, "y"))?.ref).toBe(t);
    }
  });

  it("signs the same on every call, differently under another seed, and agreement estimates Jaccard", () => {
    const a = Float64Array.from(range(0, 200));
    const b = Float64Array.from([...range(0, 150), ...range(500, 550)]); // J = 150 / 250 = 0.6
    expect(minHashSignature(a)).toEqual(minHashSignature(a));
    expect(minHashSignature(a, { seed: "other" })).not.toEqual(minHashSignature(a));
    const [sa, sb] = [minHashSignature(a, { hashes: 1024 }), minHashSignature(b, { hashes: 1024 })];
    const agreement = sa.filter((x, i) => x === sb[i]).length / 1024;
    expect(Math.abs(agreement - shingleJaccard(a, b))).toBeLessThan(0.05);
  });
});

describe("the demo's copycat", () => {
  it("earns nothing for its copied examples, byte-identical or with a trailing space on each prompt", async () => {
    const demo = await demoContributions();
    const [a, copycat, control] = demo.contributions;
    for (const variant of [copycat.examples, copycat.examples.map((e) => ({ ...e, prompt: `${e.prompt} ` }))]) {
      const deduped = dedupeContributions(
        [a, { id: "copycat", examples: variant }, control].map((c) => ({ id: c.id, exampleHashes: c.examples.map(exampleHash), exampleTexts: c.examples })),
      );
      const copy = deduped.contributions[1];
      // 14 of alice's (every other one) are dropped; the 4 taken from bob's file (bob is not in
      // this Forge, so nothing on-chain came before them) are all it keeps.
      expect(copy.keptIndices).toEqual([14, 15, 16, 17]);
      expect(copy.duplicates.map((d) => `${d.of.id}:${d.of.index}`)).toEqual(Array.from({ length: 14 }, (_, i) => `alice:${2 * i}`));
      expect(deduped.contributions[0].keptHashes).toHaveLength(a.examples.length);
    }
  });
});

describe("copies on the real trainer and llama.cpp (tiny model)", () => {
  it("gives a near copy (one extra token per example) nothing, where it took about half before", async () => {
    const config = tinyConfig({ hiddenSize: 32, intermediateSize: 48 });
    const model = createRandomModel({ seed: "copies-base", config, tensorType: "F32", tokenizer: fixtureTokenizer(), weightScale: 0.5 });
    const cycle = [17, 42, 99, 123, 250, 301];
    const rule = (seed: string, k: number) =>
      Array.from({ length: k }, (_, j) => ({ id: `${seed}-${j}`, tokens: Array.from({ length: 16 }, (_, i) => cycle[(i + j + seed.length) % 6]), scoreFrom: 2 }));
    const relevant = rule("relevant", 6);
    // The near copy: the same sequences with one more token at the end (a trailing space), so new hashes.
    const near = relevant.map((s) => ({ ...s, id: `near-${s.id}`, tokens: [...s.tokens, 7] }));
    const prng = createPrng("copies-unrelated");
    const unrelated = Array.from({ length: 6 }, (_, j) => ({ id: `unrelated-${j}`, tokens: Array.from({ length: 16 }, () => prng.nextInt(config.vocabSize)), scoreFrom: 2 }));
    const examples = new Map([...relevant, ...near, ...unrelated].map((s) => [s.id, s]));
    // The texts the token sequences stand for: alice's and bob's, the near copy's with a trailing space.
    const texts = (from: readonly DatasetExample[], extra = "") => from.map((x) => ({ prompt: `${x.prompt}${extra}`, response: x.response }));
    const contributions = [
      { id: "relevant", exampleHashes: relevant.map((s) => s.id), exampleTexts: texts(alice) },
      { id: "near", exampleHashes: near.map((s) => s.id), exampleTexts: texts(alice, " ") },
      { id: "unrelated", exampleHashes: unrelated.map((s) => s.id), exampleTexts: texts(bob) },
    ];
    const dir = await mkdtemp(join(tmpdir(), "copies-real-"));
    const modelPath = join(dir, "base.gguf");
    await writeFile(modelPath, modelToGguf(model));
    const engine = await createScoringEngine({ modelPath, mode: "exact", threads: 1 });
    try {
      const scorer = createLoraHoldoutScorer({
        model, baseModelId: "copies-base", engine, holdout: rule("holdout", 4), examples, adapterDirectory: join(dir, "adapters"),
        hyper: { rank: 4, alpha: 8, targets: ["attn_v", "ffn_down", "output"], learningRate: 5e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, batchSize: 3, steps: 8 },
      });
      const r = await attributeContributions({ contributions, method: { kind: "exact-shapley" }, trainingSeeds: [1], utilityInputs: { base: "copies-base" }, ...scorer });
      const e = Object.fromEntries(r.scoreVector.entries.map((x) => [x.id, x]));
      expect(e.near).toMatchObject({ status: "duplicate", score: 0n });
      expect(e.near.duplicates).toHaveLength(6);
      expect(e.relevant.value).toBeGreaterThan(1);
      // 2 players, not 3: 3 coalitions trained.
      expect(scorer.stats.trained).toBe(3);
    } finally {
      await engine.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("copies in the attribution record, the panel and the eval table", () => {
  const run = () => attribute([original("0", alice), copyOf("1", alice.slice(0, 5), (x) => ({ ...x, prompt: `${x.prompt} ` })), original("2", bob)]);

  it("records each dropped example as duplicate-of <data id>:<index> in the attribution log, with the rule", async () => {
    const attribution = await run();
    const contributions = ["0", "1", "2"].map((id, i) => ({
      dataId: i, contributor: "0x0000000000000000000000000000000000000001" as const, root: "0x00" as const, sizeBytes: 1, exampleCount: i === 1 ? 5 : 6,
      metadataURI: "", status: "included" as const, examples: [], exampleHashes: [],
    }));
    const log = buildAttributionLog({
      chainId: 31337, forge: "0x0000000000000000000000000000000000000002", config: { holdoutRoot: "0x01", baseModelName: "m" } as never,
      base: { root: "0x02", name: "m" }, contributions, attribution, values: attribution.scoreVector.entries.map((e) => e.value),
      scores: attribution.scoreVector.entries.map((e) => e.score), pool: { record: () => ({ jobs: [] }) } as never, computeWork: [],
      enclave: { simulated: true } as never, evalConfig: {}, evalConfigHash: "0x03", adapterRoot: "0x04", perplexityBefore: 2, perplexityAfter: 1,
      holdout: { examples: 1, tokens: 1 },
    });
    expect(log.contributions[1]).toMatchObject({ keptExamples: 0, value: 0, score: 0n });
    expect(log.contributions[1].duplicates!.map((d) => d.duplicateOf)).toEqual([0, 1, 2, 3, 4].map((i) => `duplicate-of 0:${i}`));
    expect(log.contributions[1].duplicates![0]).toEqual({ example: 0, duplicateOf: "duplicate-of 0:0", match: "normalized", similarity: 1 });
    expect(log.contributions[0].duplicates).toBeUndefined();
    expect(log.nearDuplicateRule).toMatchObject({ threshold: 0.8, shingleTokens: 3 });
    // The signed score vector inside the record carries them too.
    expect(log.estimator.scoreVector.entries[1].duplicates).toHaveLength(5);
  });

  it("shows the copies in the panel's note, by contributor name, and keeps an original's note empty", async () => {
    const attribution = await run();
    const [a, copy] = attribution.scoreVector.entries;
    const name = (id: string) => ["alice", "copycat", "bob"][Number(id)];
    const note = attributionPanelNote({ contribution: { status: "included", exampleCount: 5 }, entry: copy, value: 0, name });
    expect(note).toBe("5 of 5 examples are copies (5 normalized), earn nothing: duplicate-of alice:0, alice:1, alice:2, alice:3 … +1 more");
    expect(attributionPanelNote({ contribution: { status: "included", exampleCount: 6 }, entry: a, value: a.value, name })).toBe("");
    const panel = formatAttributionPanel("t", [
      { who: "copycat", kind: "data", detail: "5 ex.", delta: 0, shares: 0n, supply: 100n, paidWei: 0n, note },
    ]);
    expect(panel).toMatch(/copycat .* duplicate-of alice:0, alice:1/);
  });
});
