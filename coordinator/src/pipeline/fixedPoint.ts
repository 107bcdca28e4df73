/** A metric as the chain stores it: 1e18 fixed point, rounded to 1e-9 (exactly reproducible). */
export function toFixed18(value: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value} as a fixed-point metric`);
  return BigInt(Math.round(value * 1e9)) * 10n ** 9n;
}

/** Back to a float, for display. */
export function fromFixed18(value: bigint): number {
  return Number(value) / 1e18;
}
