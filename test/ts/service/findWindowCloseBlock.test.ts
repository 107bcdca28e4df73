import { describe, expect, it } from "vitest";
import { toHex } from "viem";
import { findWindowCloseBlock } from "../../../coordinator/src/service/findWindowCloseBlock.js";
import { ServiceError } from "../../../coordinator/src/service/errors.js";

/** Blocks 0..n-1 with the given timestamps; counts the lookups. */
function chain(timestamps: number[]) {
  const calls: bigint[] = [];
  return {
    calls,
    publicClient: {
      getBlock: (async ({ blockNumber }: { blockNumber: bigint }) => {
        calls.push(blockNumber);
        return { number: blockNumber, hash: toHex(blockNumber, { size: 32 }), timestamp: BigInt(timestamps[Number(blockNumber)]) };
      }) as never,
    },
  };
}

describe("findWindowCloseBlock", () => {
  it("returns the first block whose timestamp reaches windowEnd, with its hash as the seed", async () => {
    const c = chain([10, 20, 20, 30, 45, 45, 60, 70]);
    const found = await findWindowCloseBlock({ publicClient: c.publicClient, windowEnd: 40n, upTo: 7n });
    expect(found).toEqual({ number: 4n, hash: toHex(4n, { size: 32 }), timestamp: 45n });
  });

  it("takes a block whose timestamp equals windowEnd exactly", async () => {
    const c = chain([10, 20, 30, 40, 40, 50]);
    expect((await findWindowCloseBlock({ publicClient: c.publicClient, windowEnd: 40n, upTo: 5n })).number).toBe(3n);
  });

  it("gives the same block whatever head it searches from, in logarithmic lookups", async () => {
    const timestamps = Array.from({ length: 1024 }, (_, i) => 1000 + i * 2);
    const small = chain(timestamps);
    const big = chain(timestamps);
    const a = await findWindowCloseBlock({ publicClient: small.publicClient, windowEnd: 1501n, upTo: 300n });
    const b = await findWindowCloseBlock({ publicClient: big.publicClient, windowEnd: 1501n, upTo: 1023n });
    expect(a.number).toBe(251n);
    expect(b).toEqual(a);
    expect(big.calls.length).toBeLessThanOrEqual(13);
  });

  it("refuses a head that is still before windowEnd", async () => {
    const c = chain([10, 20, 30]);
    await expect(findWindowCloseBlock({ publicClient: c.publicClient, windowEnd: 40n, upTo: 2n })).rejects.toBeInstanceOf(ServiceError);
  });
});
