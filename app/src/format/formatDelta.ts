/** z for a two-sided 95 % normal interval. */
export const Z95 = 1.959963984540054;

/**
 * A marginal Δ with its 95 % interval: value ± z·stdError, signed, in the metric's unit
 * ("+0.0412 ± 0.0105"). A zero stdError (a single training seed, or an exact value) shows the
 * value alone. Non-finite input shows "–".
 */
export function formatDelta(value: number, stdError = 0, digits = 4): string {
  if (!Number.isFinite(value)) return "–";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "±";
  const magnitude = Math.abs(value).toFixed(digits);
  const shown = value === 0 ? `0.${"0".repeat(digits)}` : `${sign}${magnitude}`;
  if (!Number.isFinite(stdError) || stdError <= 0) return shown;
  return `${shown} ± ${(Z95 * stdError).toFixed(digits)}`;
}

/** Whether the 95 % interval of `value` excludes zero (the Δ is distinguishable from noise). */
export function deltaIsSignificant(value: number, stdError: number): boolean {
  return Number.isFinite(value) && Math.abs(value) > Z95 * Math.max(0, stdError);
}
