import { describe, expect, it } from "vitest";
import { assignWorker, rankWorkers } from "../../../coordinator/src/compute/assignWorker.js";
import { JobInputError } from "../../../coordinator/src/compute/errors.js";
import { expectedTrainedTokens } from "../../../coordinator/src/compute/expectedTrainedTokens.js";
import { isJobAudited } from "../../../coordinator/src/compute/isJobAudited.js";
import { assertJobId, assertJobSequences, computeJobId, planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";

const ROOT = `0x${"ab".repeat(32)}` as const;
const { hashes, sequences } = exampleSequences("plan", 5);

describe("planTrainingJob", () => {
  it("gives the same jobId for the same inputs, whatever the forge address casing", () => {
    const a = planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper() });
    const b = planTrainingJob({ forge: FORGE.toLowerCase() as `0x${string}`, baseModelRoot: ROOT.toUpperCase().replace("0X", "0x") as `0x${string}`, exampleHashes: [...hashes], hyper: { ...hyper() } });
    expect(b.jobId).toBe(a.jobId);
    expect(a.jobId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(computeJobId(a)).toBe(a.jobId);
  });

  it("changes the jobId when any field changes: forge, base, examples, their order, hyper-parameters, seed, sequences", () => {
    const base = planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper() });
    const variants = [
      planTrainingJob({ forge: "0x0000000000000000000000000000000000000001", baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper() }),
      planTrainingJob({ forge: FORGE, baseModelRoot: `0x${"cd".repeat(32)}`, exampleHashes: hashes, hyper: hyper() }),
      planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes.slice(1), hyper: hyper() }),
      planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: [...hashes].reverse(), hyper: hyper() }),
      planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: { ...hyper(), learningRate: 2e-2 } }),
      planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper(8) }),
      planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper("7") }),
      planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper(), sequences }),
    ];
    const ids = new Set([base.jobId, ...variants.map((v) => v.jobId)]);
    expect(ids.size).toBe(variants.length + 1);
  });

  it("rejects a job whose fields were edited after planning, and sequences that are not the planned ones", () => {
    const job = planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper(), sequences });
    expect(() => assertJobId({ ...job, hyper: { ...job.hyper, steps: 50 } })).toThrow(JobInputError);
    expect(() => assertJobSequences(job, sequences.slice(1))).toThrow(/4 sequences were given/);
    const edited = sequences.map((s, i) => (i === 2 ? { ...s, tokens: [...s.tokens.slice(0, -1), (s.tokens.at(-1)! + 1) % 37] } : s));
    expect(() => assertJobSequences(job, edited)).toThrow(/not the planned/);
    // Ids are labels only: renaming a sequence does not change what is trained.
    expect(() => assertJobSequences(job, sequences.map((s) => ({ ...s, id: "renamed" })))).not.toThrow();
  });

  it("refuses bad inputs with a message that names the field", () => {
    expect(() => planTrainingJob({ forge: "0x12" as `0x${string}`, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper() })).toThrow(/forge "0x12" is not an address/);
    expect(() => planTrainingJob({ forge: FORGE, baseModelRoot: "0x1234", exampleHashes: hashes, hyper: hyper() })).toThrow(/baseModelRoot/);
    expect(() => planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: [], hyper: hyper() })).toThrow(/at least one example/);
    expect(() => planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: { ...hyper(), rank: 0 } })).toThrow(/rank/);
    expect(() => planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: { ...hyper(), epochs: 2 } })).toThrow(/exactly one of steps and epochs/);
    expect(() => planTrainingJob({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: hashes, hyper: hyper(), sequences: sequences.slice(1) })).toThrow(/4 sequences for 5/);
  });
});

describe("expectedTrainedTokens", () => {
  it("equals the trained-token count the trainer reports, for steps and for epochs", () => {
    const model = tinyBase();
    for (const h of [hyper(3), { ...hyper(4), steps: undefined, epochs: 2, batchSize: 3 }]) {
      const { metrics } = trainLora({ model, sequences: [...sequences], hyper: h });
      expect(expectedTrainedTokens(h, sequences)).toBe(metrics.tokens);
    }
  });
});

describe("assignWorker", () => {
  const workers = [0, 1, 2, 3].map((computeId) => ({ computeId }));
  const jobIds = Array.from({ length: 400 }, (_, i) => computeJobId({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: [`0x${i}`], hyper: hyper() }));

  it("gives the same worker for the same (public seed, job), independent of the workers' order", () => {
    for (const jobId of jobIds.slice(0, 50)) {
      const a = assignWorker({ jobId, publicSeed: "0xseed", workers });
      const b = assignWorker({ jobId, publicSeed: "0xseed", workers: [...workers].reverse() });
      expect(b?.computeId).toBe(a?.computeId);
    }
  });

  it("spreads jobs over all workers and depends on the public seed", () => {
    const counts = [0, 0, 0, 0];
    let moved = 0;
    for (const jobId of jobIds) {
      const a = assignWorker({ jobId, publicSeed: "0xseed", workers })!;
      counts[a.computeId]++;
      if (assignWorker({ jobId, publicSeed: "0xother", workers })!.computeId !== a.computeId) moved++;
    }
    // 400 jobs over 4 workers: 100 each, σ ≈ 8.7; 60 is more than 4σ away.
    for (const c of counts) expect(c).toBeGreaterThan(60);
    expect(moved).toBeGreaterThan(200);
  });

  it("excluding a worker moves only that worker's jobs, to the next in each job's ranking", () => {
    for (const jobId of jobIds.slice(0, 100)) {
      const ranking = rankWorkers({ jobId, publicSeed: "0xseed", workers }).map((w) => w.computeId);
      const without2 = assignWorker({ jobId, publicSeed: "0xseed", workers, exclude: new Set([2]) })!.computeId;
      expect(without2).toBe(ranking[0] === 2 ? ranking[1] : ranking[0]);
    }
    expect(assignWorker({ jobId: jobIds[0], publicSeed: "s", workers, exclude: new Set([0, 1, 2, 3]) })).toBeUndefined();
    expect(() => rankWorkers({ jobId: jobIds[0], publicSeed: "s", workers: [...workers, { computeId: 1 }] })).toThrow(/listed twice/);
  });
});

describe("isJobAudited", () => {
  const jobIds = Array.from({ length: 20_000 }, (_, i) => computeJobId({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: [`0x${i}`], hyper: hyper() }));

  it("audits every job under full and none under none", () => {
    expect(jobIds.slice(0, 100).every((jobId) => isJobAudited({ jobId, publicSeed: "s", verification: { policy: "full" } }))).toBe(true);
    expect(jobIds.slice(0, 100).some((jobId) => isJobAudited({ jobId, publicSeed: "s", verification: { policy: "none" } }))).toBe(false);
  });

  it("audits a share of jobs within 4σ of the fraction under sample, the same set on every replay", () => {
    for (const fraction of [0.1, 0.25, 0.5]) {
      const audited = jobIds.filter((jobId) => isJobAudited({ jobId, publicSeed: "0xclose", verification: { policy: "sample", fraction } }));
      const sigma = Math.sqrt((fraction * (1 - fraction)) / jobIds.length);
      expect(Math.abs(audited.length / jobIds.length - fraction)).toBeLessThan(4 * sigma);
      const replay = jobIds.filter((jobId) => isJobAudited({ jobId, publicSeed: "0xclose", verification: { policy: "sample", fraction } }));
      expect(replay).toEqual(audited);
    }
  });

  it("rejects a sample policy without a fraction in [0, 1]", () => {
    expect(() => isJobAudited({ jobId: jobIds[0], publicSeed: "s", verification: { policy: "sample" } })).toThrow(/fraction in \[0, 1\]/);
    expect(() => isJobAudited({ jobId: jobIds[0], publicSeed: "s", verification: { policy: "sample", fraction: 1.5 } })).toThrow(/fraction/);
  });
});
