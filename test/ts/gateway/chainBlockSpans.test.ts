import { describe, expect, it } from "vitest";
import { blockSpans } from "../../../gateway/src/chain/blockSpans.js";

describe("blockSpans", () => {
  it("covers an inclusive range exactly, in order, with no piece longer than the span", () => {
    expect(blockSpans({ fromBlock: 10n, toBlock: 24n }, 5n)).toEqual([
      { fromBlock: 10n, toBlock: 14n },
      { fromBlock: 15n, toBlock: 19n },
      { fromBlock: 20n, toBlock: 24n },
    ]);
    expect(blockSpans({ fromBlock: 10n, toBlock: 12n }, 5n)).toEqual([{ fromBlock: 10n, toBlock: 12n }]);
    expect(blockSpans({ fromBlock: 7n, toBlock: 7n }, 1n)).toEqual([{ fromBlock: 7n, toBlock: 7n }]);
  });

  it("yields nothing for an empty range and refuses a span below one block", () => {
    expect(blockSpans({ fromBlock: 5n, toBlock: 4n })).toEqual([]);
    expect(() => blockSpans({ fromBlock: 0n, toBlock: 1n }, 0n)).toThrow(RangeError);
  });
});
