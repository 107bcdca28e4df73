import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createDeferredWriter } from "../../../gateway/src/server/createDeferredWriter.js";

describe("createDeferredWriter", () => {
  it("write_defersToTheNextTurn_andCoalescesWhatArrivedInTheSameTurn", async () => {
    const written: string[] = [];
    const out = createDeferredWriter((t) => written.push(t));
    out.write("a");
    out.write("b");
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(["ab"]);
    out.write("c");
    await nextTurn();
    expect(written).toEqual(["ab", "c"]);
  });

  it("flush_writesNowInOrder_andThePendingTurnWritesNothingTwice", async () => {
    const written: string[] = [];
    const out = createDeferredWriter((t) => written.push(t));
    out.write("token");
    out.flush();
    written.push("[DONE]");
    await nextTurn();
    expect(written).toEqual(["token", "[DONE]"]);
    out.flush();
    expect(written).toEqual(["token", "[DONE]"]);
  });

  it("cancel_dropsWhatIsBuffered", async () => {
    const written: string[] = [];
    const out = createDeferredWriter((t) => written.push(t));
    out.write("never");
    out.cancel();
    await nextTurn();
    out.flush();
    expect(written).toEqual([]);
  });
});
