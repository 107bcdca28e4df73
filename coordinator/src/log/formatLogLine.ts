/** pino's numeric levels, as a person reads them. */
const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** Fields every line carries that say nothing to a person reading a terminal. */
const HIDDEN = new Set(["level", "time", "pid", "hostname", "name", "msg", "component"]);

/** A field's value shown at most this long (an enclave description, a whole error). */
const MAX_VALUE = 120;

/**
 * One pino JSON line as a person reads it in a terminal: `HH:MM:SS LEVEL message  key=value …`
 * (local time; the fields other than pino's own, each value cut at 120 characters; an error's
 * message in place of its stack). A line that is not pino JSON is passed through unchanged.
 */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  if (typeof entry !== "object" || entry === null || typeof entry.level !== "number") return line.endsWith("\n") ? line : `${line}\n`;
  const time = typeof entry.time === "number" ? new Date(entry.time).toTimeString().slice(0, 8) : "--:--:--";
  const level = (LEVELS[entry.level] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${show(value)}`);
  return `${time} ${level} ${String(entry.msg ?? "")}${fields.length ? `  ${fields.join(" ")}` : ""}\n`;
}

function show(value: unknown): string {
  const err = value as { message?: unknown; type?: unknown; stack?: unknown } | null;
  const text = typeof value === "string" ? value : err && typeof err === "object" && typeof err.message === "string" && "stack" in err ? `${String(err.type ?? "Error")}: ${err.message}` : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
