import { afterEach, describe, expect, it, vi } from "vitest";
import { createWaitReporter } from "../../../coordinator/src/util/createWaitReporter.js";

function recorder() {
  const lines: { fields: Record<string, unknown>; msg: string }[] = [];
  return { lines, logger: { info: (fields: object, msg?: string) => lines.push({ fields: fields as Record<string, unknown>, msg: msg ?? "" }) } };
}

describe("createWaitReporter", () => {
  afterEach(() => vi.useRealTimers());

  it("logs when a wait starts, then at most once per interval with the time waited, then once when it ends", () => {
    let t = 1_000;
    const { lines, logger } = recorder();
    const waits = createWaitReporter({ logger, intervalMs: 30_000, now: () => t });
    waits.waiting("confirmations", "2 more blocks");
    for (t = 2_000; t < 31_000; t += 2_000) waits.waiting("confirmations", "2 more blocks");
    expect(lines.map((l) => l.msg)).toEqual(["waiting for 2 more blocks"]);
    t = 31_000;
    waits.waiting("confirmations", "1 more block");
    expect(lines[1]).toEqual({ fields: { wait: "confirmations", waitedS: 30 }, msg: "still waiting for 1 more block (30s so far)" });
    t = 62_500;
    waits.waiting("confirmations", "1 more block");
    expect(lines[2].msg).toBe("still waiting for 1 more block (1m02s so far)");
    waits.done("confirmations");
    waits.done("confirmations");
    expect(lines.slice(3).map((l) => l.msg)).toEqual(["done waiting for 1 more block after 1m02s"]);
    expect(waits.pending()).toEqual([]);
  });

  it("keeps separate waits apart", () => {
    let t = 0;
    const { lines, logger } = recorder();
    const waits = createWaitReporter({ logger, intervalMs: 10, now: () => t });
    waits.waiting("a", "A");
    waits.waiting("b", "B");
    t = 10;
    waits.waiting("a", "A");
    expect(lines.map((l) => l.msg)).toEqual(["waiting for A", "waiting for B", "still waiting for A (0s so far)"]);
    expect(waits.pending()).toEqual(["a", "b"]);
  });

  it("during() is quiet for work that settles within an interval, and reports longer work at every interval until it settles, also when it fails", async () => {
    vi.useFakeTimers();
    const { lines, logger } = recorder();
    const waits = createWaitReporter({ logger, intervalMs: 1_000, now: () => Date.now() });
    expect(await waits.during("quick", () => "a cached result", Promise.resolve(1))).toBe(1);
    let finish!: (v: string) => void;
    const work = waits.during("job", () => "worker 0's result", new Promise<string>((r) => (finish = r)), { computeId: 0 });
    await vi.advanceTimersByTimeAsync(3_500);
    finish("adapter");
    expect(await work).toBe("adapter");
    expect(lines.map((l) => l.msg)).toEqual([
      "still waiting for worker 0's result (1s so far)",
      "still waiting for worker 0's result (2s so far)",
      "still waiting for worker 0's result (3s so far)",
      "done waiting for worker 0's result after 4s",
    ]);
    expect(lines[0].fields).toMatchObject({ computeId: 0 });
    await expect(waits.during("bad", () => "nothing", Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(waits.pending()).toEqual([]);
  });
});
