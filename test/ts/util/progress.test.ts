import pino from "pino";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, formatDuration, formatProgressLine } from "../../../coordinator/src/util/progress.js";

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function fakeStream(isTTY: boolean, columns = 120) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (s: string) => writes.push(s) } };
}

function capturePino() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: pino({ base: undefined, timestamp: false }, sink) };
}

describe("createProgress", () => {
  it("reports counts, rate and ETA from the injected clock", () => {
    const clock = fakeClock();
    const p = createProgress({ label: "train", total: 100, unit: "steps", now: clock.now });
    clock.advance(2000);
    p.tick(10);
    const s = p.snapshot();
    expect(s.done).toBe(10);
    expect(s.ratePerSecond).toBeCloseTo(5, 12);
    expect(s.etaMs).toBeCloseTo(18_000, 6);
    expect(s.fraction).toBeCloseTo(0.1, 12);
  });

  it("leaves items found done on resume out of the rate so the ETA is not optimistic", () => {
    const clock = fakeClock();
    const p = createProgress({ label: "subsets", total: 64, initial: 40, now: clock.now });
    clock.advance(4000);
    p.tick(4);
    const s = p.snapshot();
    expect(s.done).toBe(44);
    expect(s.ratePerSecond).toBeCloseTo(1, 12);
    expect(s.etaMs).toBeCloseTo(20_000, 6);
  });

  it("gives no ETA without a total or before the first item", () => {
    const clock = fakeClock();
    const open = createProgress({ label: "score", now: clock.now });
    clock.advance(1000);
    open.tick(3);
    expect(open.snapshot().etaMs).toBeUndefined();
    expect(open.snapshot().fraction).toBeUndefined();
    const fresh = createProgress({ label: "score", total: 10, now: clock.now });
    expect(fresh.snapshot().etaMs).toBeUndefined();
  });

  it("redraws one bar line in place on a TTY, throttled, and ends it with a newline", () => {
    const clock = fakeClock();
    const { writes, stream } = fakeStream(true);
    const p = createProgress({ label: "score", total: 4, unit: "examples", now: clock.now, stream, redrawIntervalMs: 100 });
    clock.advance(50);
    p.tick(); // first draw
    p.tick(); // within 100 ms of the first: skipped
    clock.advance(200);
    p.tick();
    expect(writes).toHaveLength(2);
    for (const w of writes) {
      expect(w.startsWith("\r\x1b[2K")).toBe(true);
      expect(w).not.toContain("\n");
    }
    expect(writes[1]).toContain("3/4 examples");
    p.tick();
    p.finish();
    expect(writes.at(-2)).toContain("4/4 examples");
    expect(writes.at(-1)).toBe("\n");
  });

  it("cuts the bar line to the terminal width", () => {
    const clock = fakeClock();
    const { writes, stream } = fakeStream(true, 20);
    const p = createProgress({ label: "a-very-long-task-label", total: 10, now: clock.now, stream });
    p.tick();
    expect(writes[0].replace("\r\x1b[2K", "").length).toBe(19);
  });

  it("writes structured pino lines at most once per interval when not on a TTY", () => {
    const clock = fakeClock();
    const { lines, logger } = capturePino();
    const p = createProgress({ label: "estimate", total: 10, unit: "subsets", now: clock.now, logger, logIntervalMs: 5000 });
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      p.tick();
    }
    p.finish();
    const progressLines = lines.filter((l) => l.msg === "estimate progress");
    expect(progressLines).toHaveLength(2); // at 5 s and 10 s
    expect(progressLines[0]).toMatchObject({ task: "estimate", done: 5, total: 10, unit: "subsets", rate: 1, etaS: 5 });
    expect(lines.at(-1)).toMatchObject({ msg: "estimate finished", done: 10, etaS: 0 });
  });

  it("writes plain lines to a non-TTY stream when no logger is given", () => {
    const clock = fakeClock();
    const { writes, stream } = fakeStream(false);
    const p = createProgress({ label: "score", total: 2, now: clock.now, stream, logIntervalMs: 1000 });
    clock.advance(1000);
    p.tick();
    p.finish();
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^score \[#+-+\] 1\/2 items 1\.00\/s ETA 1s\n$/);
    expect(writes[1].endsWith(" done\n")).toBe(true);
  });

  it("finishes once: later finish calls write nothing", () => {
    const clock = fakeClock();
    const { writes, stream } = fakeStream(false);
    const p = createProgress({ label: "x", now: clock.now, stream });
    p.finish();
    p.finish();
    expect(writes).toHaveLength(1);
  });

  it("rejects negative or non-finite counts", () => {
    const p = createProgress({ label: "x" });
    expect(() => p.tick(-1)).toThrow(RangeError);
    expect(() => p.update(Number.NaN)).toThrow(/finite number/);
    expect(() => createProgress({ label: "x", total: -3 })).toThrow(RangeError);
  });
});

describe("formatProgressLine / formatDuration", () => {
  it("formats durations in s, m+s and h+m", () => {
    expect(formatDuration(850)).toBe("1s");
    expect(formatDuration(125_000)).toBe("2m05s");
    expect(formatDuration(3_725_000)).toBe("1h02m");
  });

  it("draws a half-filled bar at half way", () => {
    const line = formatProgressLine({
      label: "t", done: 5, total: 10, unit: "steps", elapsedMs: 5000, ratePerSecond: 1, etaMs: 5000, fraction: 0.5,
    });
    expect(line).toBe(`t [${"#".repeat(12)}${"-".repeat(12)}] 5/10 steps 1.00/s ETA 5s`);
  });
});
