import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";
import { formatLogLine } from "./formatLogLine.js";

export interface CreateLoggerParameters {
  level?: LevelWithSilent;
  /** Bound into every line, e.g. "coordinator" or "worker". */
  name?: string;
  /** Where lines go; default stdout. Tests pass a stream that collects them. */
  destination?: DestinationStream;
  /**
   * Lines for a person instead of JSON (formatLogLine: `HH:MM:SS LEVEL message  key=value …`).
   * The services turn it on when their output is a terminal; a file or a pipe keeps JSON lines.
   */
  pretty?: boolean;
}

export type CreateLoggerReturnType = Logger;

/** Field names whose values never reach a log, at any depth. */
const SECRET_KEY = /(private.?key|secret|mnemonic|pass(word|phrase)|api.?key|(access|auth|bearer|refresh|session).?token|authorization|cookie|plaintext)/i;
const REDACTED = "[redacted]";
const MAX_DEPTH = 8;

/**
 * A pino logger that scrubs what must not be written: values under secret-looking keys (private
 * keys, seeds named secret…, passwords, tokens, plaintext), and credentials inside URLs
 * (`https://user:pass@host`, `?apikey=…`) wherever they appear in a string, messages included.
 * Child loggers (`logger.child({ forge })`) inherit it.
 */
export function createLogger(params: CreateLoggerParameters = {}): CreateLoggerReturnType {
  const logger = pino(
    {
      level: params.level ?? "info",
      name: params.name,
      formatters: {
        log: (object) => scrub(object, 0) as Record<string, unknown>,
        bindings: (bindings) => scrub(bindings, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === "string" ? scrubString(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    params.pretty ? prettyDestination(params.destination ?? pino.destination(1)) : (params.destination ?? pino.destination(1)),
  );
  // pino does not pass child bindings through `formatters.bindings`; children are created with
  // Object.create(parent), so scrubbing here covers grandchildren too.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    return child.call(this, scrub(bindings, 0) as typeof bindings, options);
  } as Logger["child"];
  return logger;
}

/** Replace credentials in URLs found anywhere in `text`. */
/** `destination` with every JSON line turned into a person's line (pino writes one whole line per call). */
function prettyDestination(destination: DestinationStream): DestinationStream {
  return { write: (line: string) => destination.write(formatLogLine(line)) };
}

export function scrubString(text: string): string {
  if (!text.includes("://") && !/[?&]/.test(text)) return text;
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, `$1${REDACTED}@`)
    .replace(/([?&](?:api[-_]?key|key|token|access[-_]?token|auth|secret|password|sig|signature)=)[^&#\s"']*/gi, `$1${REDACTED}`)
    .replace(/(\/v\d\/)[0-9a-f]{32}\b/gi, `$1${REDACTED}`);
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return scrubString(value);
  if (depth >= MAX_DEPTH || typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubString(value.message) };
    if (value.stack) out.stack = scrubString(value.stack);
    if (value.cause !== undefined) out.cause = scrub(value.cause, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : scrub(v, depth + 1);
  }
  return out;
}
