import { describe, expect, it } from "vitest";
import { createSseWriter, type SseClock } from "../../../gateway/src/server/createSseWriter.js";

/** A clock whose time moves only when the test says, with the timers it fires. */
function manualClock() {
  let t = 0;
  let nextHandle = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: SseClock & { advance(ms: number): void; readonly pending: number } = {
    now: () => t,
    setTimeout: (fn, ms) => (timers.set(++nextHandle, { at: t + ms, fn }), nextHandle),
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance(ms) {
      const until = t + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, x]) => x.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = until;
    },
    get pending() {
      return timers.size;
    },
  };
  return clock;
}

function recordingSink() {
  const writes: string[] = [];
  let ended: string | undefined;
  return {
    writes,
    get ended() {
      return ended;
    },
    write: (chunk: string) => writes.push(chunk),
    end: (chunk: string) => void (ended = chunk),
  };
}

/** A writer with the given interval over a recording sink and a manual clock. */
function writerWith(flushIntervalMs: number) {
  const sink = recordingSink();
  const clock = manualClock();
  return { sink, clock, sse: createSseWriter({ sink, flushIntervalMs, clock }) };
}

const event = (n: number) => `data: ${JSON.stringify({ n })}\n\n`;

describe("createSseWriter", () => {
  it("intervalZero_writesEveryEventAsItComes_inOrder", () => {
    const { sink, sse } = writerWith(0);
    for (let n = 0; n < 4; n++) sse.send({ n });
    expect(sink.writes).toEqual([0, 1, 2, 3].map(event));
  });

  it("eventsFasterThanTheInterval_goOutTogetherAtItsEnd_inOrder", () => {
    const { sink, clock, sse } = writerWith(2);
    sse.send({ n: 0 }); // the first event is never held back
    expect(sink.writes).toEqual([event(0)]);
    for (let n = 1; n <= 5; n++) {
      clock.advance(0.25);
      sse.send({ n });
    }
    expect(sink.writes).toHaveLength(1);
    clock.advance(0.75); // t = 2: the interval since the first write ends
    expect(sink.writes).toEqual([event(0), [1, 2, 3, 4, 5].map(event).join("")]);
  });

  it("anEventAfterAQuietInterval_isWrittenAtOnce", () => {
    const { sink, clock, sse } = writerWith(2);
    for (let n = 0; n < 3; n++) {
      sse.send({ n });
      expect(sink.writes).toHaveLength(n + 1);
      clock.advance(5); // a slow model: each token comes after the interval
    }
    expect(clock.pending).toBe(0);
  });

  it("end_writesWhatIsQueuedHeldAndTheTail_inOneEndingWrite_andStopsTheTimer", () => {
    const { sink, clock, sse } = writerWith(10);
    sse.send({ n: 0 });
    sse.send({ n: 1 });
    sse.hold({ n: 2 });
    expect(sink.writes).toEqual([event(0)]);
    sse.end("data: [DONE]\n\n");
    expect(sink.ended).toBe(`${event(1)}${event(2)}data: [DONE]\n\n`);
    expect(clock.pending).toBe(0);
    sse.send({ n: 3 });
    clock.advance(100);
    expect(sink.writes).toEqual([event(0)]);
  });

  it("hold_queuesWithoutStartingAWrite", () => {
    const { sink, clock, sse } = writerWith(2);
    sse.hold({ n: 0 });
    clock.advance(10);
    expect(sink.writes).toEqual([]);
    sse.send({ n: 1 });
    expect(sink.writes).toEqual([event(0) + event(1)]);
  });

  it("cancel_dropsWhatIsQueued_andWritesNothingMore", () => {
    const { sink, clock, sse } = writerWith(2);
    sse.send({ n: 0 });
    sse.send({ n: 1 });
    sse.cancel();
    clock.advance(10);
    sse.send({ n: 2 });
    sse.end("tail");
    expect(sink.writes).toEqual([event(0)]);
    expect(sink.ended).toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it("written_countsOnlyTheEventsHandedToTheSink_notThoseQueuedWhenCancelled", () => {
    const { sse, clock } = writerWith(2);
    sse.send({ n: 0 });
    expect(sse.written).toBe(1);
    sse.send({ n: 1 });
    sse.send({ n: 2 });
    expect(sse.written).toBe(1); // queued for the next flush, not on the socket
    clock.advance(2);
    expect(sse.written).toBe(3);
    sse.send({ n: 3 });
    sse.cancel(); // the client went away: event 3 never reaches it
    expect(sse.written).toBe(3);
  });

  it("written_countsTheEventsOfTheEndingWrite", () => {
    const { sse } = writerWith(10);
    sse.send({ n: 0 });
    sse.send({ n: 1 });
    sse.hold({ n: 2 });
    sse.end("data: [DONE]\n\n");
    expect(sse.written).toBe(3);
  });

  it("aNegativeOrNonFiniteInterval_isARangeError", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => createSseWriter({ sink: recordingSink(), flushIntervalMs: bad })).toThrow(RangeError);
  });
});
