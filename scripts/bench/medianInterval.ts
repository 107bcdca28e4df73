/** A median with a 95 % percentile-bootstrap interval. */
export interface MedianInterval {
  median: number;
  low: number;
  high: number;
}

/** The benchmark's median: the middle value, or the upper of the two middle ones (always one of `xs`). */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The median of `xs` and a 95 % interval for it: `resamples` bootstrap resamples of `xs` (drawn
 * with replacement by a seeded generator, so the same figures give the same interval), the 2.5th
 * and 97.5th percentiles of their medians. The benchmark uses it on per-round ratios: when the
 * interval straddles a target, the run cannot tell whether the target is met.
 */
export function medianInterval(xs: readonly number[], { resamples = 4000, seed = 1 }: { resamples?: number; seed?: number } = {}): MedianInterval {
  if (xs.length === 0) throw new RangeError("medianInterval needs at least one value");
  // mulberry32: small, seeded, good enough to draw indices.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians = Array.from({ length: resamples }, () => median(Array.from(xs, () => xs[Math.floor(random() * xs.length)]))).sort((a, b) => a - b);
  const at = (q: number) => medians[Math.min(resamples - 1, Math.floor(q * resamples))];
  return { median: median(xs), low: at(0.025), high: at(0.975) };
}
