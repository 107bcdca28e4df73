import { exampleHash } from "./exampleHash.js";
import {
  DATASET_KEYS,
  ID_PATTERN,
  MAX_FILE_BYTES,
  MAX_ID_LENGTH,
  MAX_LINE_BYTES,
  MAX_LINES,
  MAX_PROMPT_BYTES,
  MAX_RESPONSE_BYTES,
} from "./limits.js";
import type { DatasetErrorCode, DatasetExample, DatasetLineError } from "./types.js";

export interface ParseDatasetJsonlReturnType {
  /** Valid lines, in file order. */
  examples: DatasetExample[];
  /** Refused lines, in file order; one entry per line (its first problem). */
  errors: DatasetLineError[];
}

const LF = 0x0a;
const CR = 0x0d;
/** Chat-template and other special-token markers (`<|im_start|>`, `<|endoftext|>`, `<|fim_prefix|>`…). */
const SPECIAL_MARKER = /<\|[A-Za-z0-9_]+\|>/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class LineRefused {
  constructor(
    readonly code: DatasetErrorCode,
    readonly reason: string,
  ) {}
}

/**
 * Parses a contribution file (JSONL, one `{"id","prompt","response"}` object per line; see
 * README.md). Never throws on bad content: every refused line is reported with its 1-based
 * line number and a reason, and every good line is kept, so a contributor fixes all problems
 * in one round. Lines are split on raw bytes before decoding, so one line of invalid UTF-8
 * does not hide the lines after it.
 */
export function parseDatasetJsonl(bytes: Uint8Array): ParseDatasetJsonlReturnType {
  const examples: DatasetExample[] = [];
  const errors: DatasetLineError[] = [];
  if (bytes.length > MAX_FILE_BYTES) {
    errors.push({
      line: 0,
      code: "file-too-large",
      reason: `the file is ${bytes.length} bytes, over the limit of ${MAX_FILE_BYTES}; split it into smaller contributions`,
    });
    return { examples, errors };
  }

  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const idLines = new Map<string, number>();
  const contentLines = new Map<string, number>();
  // A UTF-8 byte order mark is tolerated at the very start (some editors add one).
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 0;
  const blanks: DatasetLineError[] = [];

  while (start < bytes.length) {
    let end = bytes.indexOf(LF, start);
    if (end === -1) end = bytes.length;
    line++;
    if (line > MAX_LINES) {
      errors.push({
        line,
        code: "too-many-lines",
        reason: `the file has more than ${MAX_LINES} lines; this line and all after it were not read`,
      });
      break;
    }
    let contentEnd = end;
    if (contentEnd > start && bytes[contentEnd - 1] === CR) contentEnd--;
    const raw = bytes.subarray(start, contentEnd);
    start = end + 1;

    try {
      const example = parseLine(raw, decoder);
      const firstIdLine = idLines.get(example.id);
      if (firstIdLine !== undefined) {
        throw new LineRefused("duplicate-id", `duplicate id "${example.id}" (first used on line ${firstIdLine})`);
      }
      const hash = exampleHash(example);
      const firstContentLine = contentLines.get(hash);
      if (firstContentLine !== undefined) {
        throw new LineRefused(
          "duplicate-content",
          `same prompt and response as line ${firstContentLine}; each example may appear once`,
        );
      }
      idLines.set(example.id, line);
      contentLines.set(hash, line);
      errors.push(...blanks.splice(0));
      examples.push(example);
    } catch (err) {
      if (!(err instanceof LineRefused)) throw err;
      const refused = { line, code: err.code, reason: err.reason };
      if (err.code === "blank-line") {
        blanks.push(refused);
      } else {
        errors.push(...blanks.splice(0), refused);
      }
    }
  }
  // Blank lines are an error only between lines: trailing ones (an editor's final newlines) are fine.
  if (examples.length === 0 && errors.length === 0) {
    errors.push({ line: 0, code: "empty-file", reason: "the file has no examples; a contribution needs at least one line" });
  }
  return { examples, errors };
}

function parseLine(raw: Uint8Array, decoder: InstanceType<typeof TextDecoder>): DatasetExample {
  if (raw.length > MAX_LINE_BYTES) {
    throw new LineRefused("line-too-long", `line is ${raw.length} bytes, over the limit of ${MAX_LINE_BYTES}`);
  }
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    throw new LineRefused(
      "invalid-utf8",
      `invalid UTF-8 at byte ${firstInvalidUtf8(raw) + 1} of the line; save the file as UTF-8`,
    );
  }
  if (text.trim() === "") {
    throw new LineRefused("blank-line", "blank line between examples; remove it");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LineRefused("bad-json", `not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw new LineRefused("not-an-object", `expected a JSON object {"id", "prompt", "response"}, got ${got}`);
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !(DATASET_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => JSON.stringify(k)).join(", ");
    throw new LineRefused(
      "unknown-key",
      `unknown key${unknown.length > 1 ? "s" : ""} ${names}; a line has exactly "id", "prompt" and "response"`,
    );
  }
  for (const key of DATASET_KEYS) {
    if (!(key in record)) throw new LineRefused("missing-field", `missing field "${key}"`);
    const v = record[key];
    if (typeof v !== "string") {
      throw new LineRefused("not-a-string", `field "${key}" must be a string, got ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`);
    }
  }
  const { id, prompt, response } = record as unknown as DatasetExample;
  checkId(id);
  checkText("prompt", prompt, MAX_PROMPT_BYTES);
  checkText("response", response, MAX_RESPONSE_BYTES);
  return { id, prompt, response };
}

function checkId(id: string): void {
  if (id === "") throw new LineRefused("empty-field", `field "id" is empty`);
  if (id.length > MAX_ID_LENGTH) {
    throw new LineRefused("bad-id", `id is ${id.length} characters, over the limit of ${MAX_ID_LENGTH}`);
  }
  if (!ID_PATTERN.test(id)) {
    throw new LineRefused(
      "bad-id",
      `id ${JSON.stringify(id)} has characters outside A-Z a-z 0-9 . _ : - or does not start with a letter or digit`,
    );
  }
}

function checkText(field: "prompt" | "response", text: string, maxBytes: number): void {
  if (text.trim() === "") throw new LineRefused("empty-field", `field "${field}" is empty`);
  if (LONE_SURROGATE.test(text)) {
    throw new LineRefused("unpaired-surrogate", `field "${field}" has an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF) that is not text`);
  }
  const size = utf8Length(text);
  if (size > maxBytes) {
    throw new LineRefused("field-too-long", `field "${field}" is ${size} bytes, over the limit of ${maxBytes}`);
  }
  const marker = SPECIAL_MARKER.exec(text);
  if (marker) {
    throw new LineRefused(
      "special-token-text",
      `field "${field}" contains the special-token marker ${marker[0]}; the chat template adds those itself, remove it`,
    );
  }
}

/** UTF-8 length of well-formed text (lone surrogates are refused before this is called). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** 0-based offset of the first byte that makes `bytes` invalid UTF-8 (for the error message). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}
