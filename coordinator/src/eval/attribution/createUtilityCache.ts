import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { coalitionKey } from "./coalition.js";
import { UtilityCacheError, UtilityValueError } from "./errors.js";
import type { SeededUtility, Utility } from "./types.js";

const FORMAT = "ingotforge-utility-cache/1";

export interface CreateUtilityCacheParameters {
  /**
   * Hash of everything the utility depends on (`hashInputs`). With `directory`, the cache lives in
   * `<directory>/utility-<inputsHash>.json`, so other inputs never share entries.
   */
  inputsHash: string;
  /** Where to persist; leave out for an in-memory cache. */
  directory?: string;
}

export interface UtilityCache {
  /** A utility that asks `utility` only for coalitions this cache has not seen (keyed by the sorted set). */
  wrap(utility: Utility): Utility;
  /** The same for a seeded utility, keyed by (seed, sorted set). */
  wrapSeeded(utility: SeededUtility): SeededUtility;
  /** Evaluations answered from the cache / computed by the wrapped utility in this process. */
  readonly hits: number;
  readonly misses: number;
  /** Stored values. */
  readonly size: number;
  /** The backing file, when persisted. */
  readonly file: string | undefined;
  /** Resolves when every computed value is on disk. */
  flush(): Promise<void>;
}

interface CacheFile {
  format: typeof FORMAT;
  inputsHash: string;
  entries: Record<string, number>;
}

/**
 * A utility cache: each coalition (and seed) is computed once; with a directory every new value
 * is written to disk (atomically: temp file + rename) as soon as it is known, so a run stopped
 * with Ctrl-C and started again never recomputes a subset. Concurrent asks for the same coalition
 * share one computation.
 */
export async function createUtilityCache(params: CreateUtilityCacheParameters): Promise<UtilityCache> {
  if (!/^[0-9a-zA-Z_-]{8,128}$/.test(params.inputsHash)) {
    throw new UtilityCacheError("inputsHash must be 8..128 characters of [0-9a-zA-Z_-] (use hashInputs)", params.directory ?? "(memory)");
  }
  const file = params.directory === undefined ? undefined : join(params.directory, `utility-${params.inputsHash}.json`);
  const entries = new Map<string, number>(file ? Object.entries(await loadEntries(file, params.inputsHash)) : []);
  const pending = new Map<string, Promise<number>>();
  let hits = 0;
  let misses = 0;
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;

  const persist = () => {
    if (!file) return;
    const snapshot: CacheFile = { format: FORMAT, inputsHash: params.inputsHash, entries: Object.fromEntries(entries) };
    writing = writing.then(async () => {
      try {
        await mkdir(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(snapshot));
        await rename(tmp, file);
      } catch (err) {
        writeError ??= err;
      }
    });
  };

  const lookup = async (key: string, members: readonly number[], compute: () => Promise<number>): Promise<number> => {
    const known = entries.get(key);
    if (known !== undefined) {
      hits++;
      return known;
    }
    const inFlight = pending.get(key);
    if (inFlight) {
      hits++;
      return inFlight;
    }
    const job = (async () => {
      const v = await compute();
      if (typeof v !== "number" || !Number.isFinite(v)) throw new UtilityValueError(members, v);
      entries.set(key, v);
      misses++;
      persist();
      return v;
    })();
    pending.set(key, job);
    try {
      return await job;
    } finally {
      pending.delete(key);
    }
  };

  return {
    wrap: (utility) => (members) => lookup(coalitionKey(members), members, () => utility(sortedCopy(members))),
    wrapSeeded: (utility) => (members, seed) =>
      lookup(`${typeof seed === "number" ? "n" : "s"}:${seed}|${coalitionKey(members)}`, members, () => utility(sortedCopy(members), seed)),
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    get size() {
      return entries.size;
    },
    file,
    async flush() {
      await writing;
      if (writeError !== undefined && file) throw new UtilityCacheError("could not write the utility cache", file, { cause: writeError });
    },
  };
}

function sortedCopy(members: readonly number[]): number[] {
  return [...members].sort((a, b) => a - b);
}

async function loadEntries(file: string, inputsHash: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new UtilityCacheError("could not read the utility cache", file, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UtilityCacheError("the utility cache is not valid JSON", file, { cause: err });
  }
  const data = parsed as Partial<CacheFile>;
  if (data?.format !== FORMAT || typeof data.entries !== "object" || data.entries === null) {
    throw new UtilityCacheError(`the utility cache is not in format ${FORMAT}`, file);
  }
  if (data.inputsHash !== inputsHash) {
    throw new UtilityCacheError(`the utility cache was made for inputs ${String(data.inputsHash)}, not ${inputsHash}`, file);
  }
  for (const [key, v] of Object.entries(data.entries)) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new UtilityCacheError(`the utility cache entry "${key}" is not a finite number`, file);
  }
  return data.entries;
}
