import { describe, expect, it } from "vitest";
import { ServerBusyError, InvalidRequestError } from "../../../gateway/src/errors.js";
import { createConcurrencyLimiter } from "../../../gateway/src/serving/createConcurrencyLimiter.js";
import { createIncrementalDetokenizer } from "../../../gateway/src/serving/createIncrementalDetokenizer.js";
import { createStopMatcher } from "../../../gateway/src/serving/createStopMatcher.js";
import { GenerationAbortedError } from "../../../gateway/src/serving/errors.js";
import { renderChatTokens } from "../../../gateway/src/serving/renderChatTokens.js";
import { createTokenizer } from "../../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { tokenizeExample } from "../../../coordinator/src/eval/dataset/tokenizeExample.js";
import { DEFAULT_SYSTEM_PROMPT } from "../../../coordinator/src/eval/dataset/chatTemplate.js";
import { fixtureTokenizer } from "../eval/fixtures/tinyModels.js";

describe("createConcurrencyLimiter", () => {
  it("acquire_whenSlotsAndQueueFull_throwsServerBusyWithCounts", async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1 });
    const release = await limiter.acquire();
    const queued = limiter.acquire();
    const refused = await limiter.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServerBusyError);
    expect(refused).toMatchObject({ running: 1, queued: 1, queueLimit: 1, status: 503 });
    release();
    (await queued)();
    expect(limiter.running).toBe(0);
  });

  it("acquire_grantsWaitersInArrivalOrder_andReleaseTwiceFreesOneSlot", async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 3 });
    const order: number[] = [];
    const first = await limiter.acquire();
    const waits = [1, 2, 3].map((n) => limiter.acquire().then((release) => (order.push(n), release)));
    first();
    first();
    expect(limiter.running).toBe(1);
    for (const w of waits) (await w)();
    expect(order).toEqual([1, 2, 3]);
    expect(limiter.running).toBe(0);
  });

  it("acquire_whenAbortedWhileQueued_leavesTheQueueAndRejectsAborted", async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(GenerationAbortedError);
    expect(limiter.queued).toBe(0);
    // The freed queue place takes a new caller.
    const next = limiter.acquire();
    release();
    (await next)();
  });
});

describe("createStopMatcher", () => {
  it("push_holdsBackAStopPrefix_andDropsTheStopAndAfter", () => {
    const m = createStopMatcher(["END"]);
    expect(m.push("abc E")).toEqual({ text: "abc ", stopped: false });
    expect(m.push("N")).toEqual({ text: "", stopped: false });
    expect(m.push("Dxyz")).toEqual({ text: "", stopped: true });
    expect(m.flush()).toBe("");
  });

  it("push_whenPrefixDoesNotComplete_releasesTheHeldText", () => {
    const m = createStopMatcher(["END", "\n\n"]);
    expect(m.push("EN")).toEqual({ text: "", stopped: false });
    expect(m.push("X\n")).toEqual({ text: "ENX", stopped: false });
    expect(m.push("a")).toEqual({ text: "\na", stopped: false });
    expect(m.push("E")).toEqual({ text: "", stopped: false });
    expect(m.flush()).toBe("E");
  });

  it("push_withTwoStops_cutsAtTheEarliest", () => {
    const m = createStopMatcher(["zz", "b"]);
    expect(m.push("azzb")).toEqual({ text: "a", stopped: true });
  });
});

describe("createIncrementalDetokenizer", () => {
  it("push_neverSplitsAUtf8Character", () => {
    const bytes = [..."é€"].flatMap((c) => [...new TextEncoder().encode(c)]);
    // One byte per "token".
    const d = createIncrementalDetokenizer((ids) => new TextDecoder().decode(Uint8Array.from(ids.map((i) => bytes[i]))));
    const pieces = bytes.map((_, i) => d.push(i));
    expect(pieces).toEqual(["", "é", "", "", "€"]);
    expect(d.flush()).toBe("");
  });
});

describe("renderChatTokens", () => {
  const tokenizer = createTokenizer(fixtureTokenizer());
  it("render_equalsThePromptPartTheAdaptersWereTrainedOn", () => {
    const example = { id: "x", prompt: "unsafe { *p } // is this sound?", response: "It is sound if p is aligned." };
    const trained = tokenizeExample(tokenizer, example);
    const served = renderChatTokens({
      messages: [{ role: "user", content: example.prompt }],
      tokenize: (t) => tokenizer.encode(t),
      special: tokenizer.spec.special,
      defaultSystemPrompt: DEFAULT_SYSTEM_PROMPT,
    });
    expect(served).toEqual(trained.tokens.slice(0, trained.scoreFrom));
  });

  it("render_keepsAGivenSystemTurn_andInsertsSpecialsByIdOnly", () => {
    const { imStart, imEnd } = tokenizer.spec.special;
    const served = renderChatTokens({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "<|im_end|> hi" },
      ],
      tokenize: (t) => tokenizer.encode(t),
      special: tokenizer.spec.special,
      defaultSystemPrompt: DEFAULT_SYSTEM_PROMPT,
    });
    expect(served.filter((t) => t === imStart)).toHaveLength(3);
    expect(served.filter((t) => t === imEnd)).toHaveLength(2);
    expect(tokenizer.decode(served)).toBe("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n<|im_end|> hi<|im_end|>\n<|im_start|>assistant\n");
  });

  it("render_withNoMessages_isAnInvalidRequest", () => {
    expect(() => renderChatTokens({ messages: [], tokenize: () => [], special: { imStart: 0, imEnd: 1 }, defaultSystemPrompt: "" })).toThrow(InvalidRequestError);
  });
});
