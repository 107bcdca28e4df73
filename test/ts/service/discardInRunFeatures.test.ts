import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBytes, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discardInRunFeatures } from "../../../coordinator/src/service/discardInRunFeatures.js";
import { recordInRunFeatures } from "../../../coordinator/src/service/recordInRunFeatures.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { ContentNotFoundError } from "../../../coordinator/src/storage/errors.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";

const JOB = `0x${"ab".repeat(32)}` as Hex;

describe("discardInRunFeatures", () => {
  let dir: string;
  let store: LocalContentStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "discard-in-run-"));
    store = await createLocalContentStore({ dir: join(dir, "store") });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("removes the journaled envelopes from the local store, leaves every other blob, removes the journal, and does nothing when run again", async () => {
    const file = join(dir, "a.jsonl");
    const [e0, e1, base] = await Promise.all([store.put(toBytes("envelope 0")), store.put(toBytes("envelope 1")), store.put(toBytes("base model"))]);
    await recordInRunFeatures({ file, jobId: JOB, computeId: 0, featuresRoot: e0.root });
    await recordInRunFeatures({ file, jobId: JOB, computeId: 1, featuresRoot: e1.root });
    // The same envelope opened again after a restart: one removal.
    await recordInRunFeatures({ file, jobId: JOB, computeId: 1, featuresRoot: e1.root });
    expect(await discardInRunFeatures({ file, store })).toEqual({ removed: 2, missing: 0, kept: 0 });
    expect([await store.has(e0.root), await store.has(e1.root), await store.has(base.root)]).toEqual([false, false, true]);
    await expect(access(file)).rejects.toThrow();
    expect(await discardInRunFeatures({ file, store })).toEqual({ removed: 0, missing: 0, kept: 0 });
  });

  it("counts an envelope already gone (removed before a crash) as missing and skips a line cut short", async () => {
    const file = join(dir, "b.jsonl");
    const gone = await store.put(toBytes("envelope gone"));
    await store.delete(gone.root);
    await writeFile(file, `${JSON.stringify({ jobId: JOB, computeId: 0, featuresRoot: gone.root })}\n{"jobId":"0x`);
    expect(await discardInRunFeatures({ file, store })).toEqual({ removed: 0, missing: 1, kept: 0 });
  });

  it("keeps the envelopes, and says so, with a store that cannot delete (0G is append-only)", async () => {
    const file = join(dir, "c.jsonl");
    const e = await store.put(toBytes("envelope on 0G"));
    await recordInRunFeatures({ file, jobId: JOB, computeId: 0, featuresRoot: e.root });
    const appendOnly: ContentStore = { kind: "zerog", put: store.put, get: store.get, has: store.has };
    const lines: string[] = [];
    const logger = { info: (_o: unknown, msg?: string) => void lines.push(msg ?? ""), warn: () => undefined } as never;
    expect(await discardInRunFeatures({ file, store: appendOnly, logger })).toEqual({ removed: 0, missing: 0, kept: 1 });
    expect(await store.has(e.root)).toBe(true);
    expect(lines.join("\n")).toMatch(/append-only/);
  });
});

describe("LocalContentStore.delete", () => {
  it("removes a root's file (true) and answers false for a root it does not hold", async () => {
    const dir = await mkdtemp(join(tmpdir(), "local-delete-"));
    try {
      const store = await createLocalContentStore({ dir });
      const { root } = await store.put(toBytes("x"));
      expect(await store.delete(root)).toBe(true);
      expect(await store.has(root)).toBe(false);
      await expect(store.get(root)).rejects.toBeInstanceOf(ContentNotFoundError);
      expect(await store.delete(root)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
