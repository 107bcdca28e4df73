import { describe, expect, it } from "vitest";
import { defaultThreads, resolveThreads, ThreadsError, THREADS_ENV } from "../../../coordinator/src/util/resolveThreads.js";

describe("defaultThreads", () => {
  it("leaves one core free and never goes above 4 or below 1", () => {
    expect([1, 2, 3, 4, 5, 8, 16, 64].map((cores) => defaultThreads(cores))).toEqual([1, 1, 2, 3, 4, 4, 4, 4]);
  });
});

describe("resolveThreads", () => {
  it("uses the machine's default when nothing sets it, and says so and how to change it", () => {
    const r = resolveThreads({ env: {}, cores: 2 });
    expect(r).toMatchObject({ threads: 1, source: "default" });
    expect(r.summary).toMatch(/1 thread\b.*default for 2 CPUs.*--threads.*INGOTFORGE_THREADS/);
  });

  it("takes --threads over INGOTFORGE_THREADS over the config file's value", () => {
    expect(resolveThreads({ flag: "3", env: { [THREADS_ENV]: "2" }, config: 5, cores: 16 })).toMatchObject({ threads: 3, source: "--threads" });
    expect(resolveThreads({ env: { [THREADS_ENV]: "2" }, config: 5, cores: 16 })).toMatchObject({ threads: 2, source: THREADS_ENV });
    expect(resolveThreads({ env: {}, config: 5, cores: 16, configName: "model.threads" })).toMatchObject({ threads: 5, source: "model.threads" });
    expect(resolveThreads({ env: { [THREADS_ENV]: "" }, cores: 16 })).toMatchObject({ threads: 4, source: "default" });
  });

  it("an entry point's stated fallback replaces the machine default but not a setting, and its reason is shown", () => {
    const tiny = { threads: 1, why: "the demo model is tiny" };
    const r = resolveThreads({ env: {}, cores: 16, fallback: tiny });
    expect(r).toMatchObject({ threads: 1, source: "default" });
    expect(r.summary).toContain("the demo model is tiny");
    expect(resolveThreads({ env: { [THREADS_ENV]: "3" }, cores: 16, fallback: tiny })).toMatchObject({ threads: 3, source: THREADS_ENV });
  });

  it("refuses a count that is not a whole number ≥ 1, naming where it came from", () => {
    for (const bad of ["0", "-1", "1.5", "two", " "]) {
      expect(() => resolveThreads({ flag: bad, env: {} })).toThrow(ThreadsError);
      expect(() => resolveThreads({ env: { [THREADS_ENV]: bad } })).toThrow(/INGOTFORGE_THREADS/);
    }
    expect(() => resolveThreads({ config: 0, env: {} })).toThrow(/config/);
  });
});
