/** A span of seconds in the largest unit that fits: "3 d", "5 h", "12 min", "40 s". */
export function formatDuration(seconds: bigint | number): string {
  const s = Number(seconds);
  if (s >= 2 * 86_400) return `${Math.floor(s / 86_400)} d`;
  if (s >= 2 * 3_600) return `${Math.floor(s / 3_600)} h`;
  if (s >= 2 * 60) return `${Math.floor(s / 60)} min`;
  return `${Math.max(0, Math.floor(s))} s`;
}

/** A chain timestamp (seconds) as UTC, to the minute: "2026-12-07 21:30 UTC". */
export function formatTimestamp(seconds: bigint | number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
