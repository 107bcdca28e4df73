import { CanonicalJsonError } from "./errors.js";

/**
 * ArkForge canonical JSON: byte-identical to Python's
 * `json.dumps(value, sort_keys=True, separators=(",", ":"))` (ensure_ascii on) for the value a
 * Python service would have parsed from the same JSON.
 *
 * - Keys sorted by Unicode code point (Python's `str` order; not JS's UTF-16 order, which differs
 *   for characters above U+FFFF), no whitespace, no trailing newline.
 * - Strings: `\"`, `\\`, `\b \f \n \r \t`; every other character outside space..`~` (controls,
 *   DEL, all non-ASCII) as lowercase `\uXXXX`, characters above U+FFFF as a surrogate pair.
 * - Numbers: a safe integer (|n| ≤ 2^53 − 1) or a bigint is written as Python writes an int;
 *   `-0` as `0`. A non-integer is written as Python's `repr(float)` (shortest round-trip digits,
 *   exponent form below 1e-4 and from 1e16: `1e-05`, `1.5e+16`). JS cannot tell `1.0` from `1`
 *   after parsing, so a float with an integral value is written as an int: `1`, where Python
 *   would write `1.0`. Bodies that must hash the same in Python should not carry integral floats.
 * - Object members whose value is `undefined` are left out (as `JSON.stringify` does, so the hash
 *   is that of the body sent on the wire).
 *
 * @throws CanonicalJsonError for NaN/±Infinity, integral numbers beyond 2^53 (pass a bigint),
 *   `undefined` outside an object member, functions, symbols, cycles, and objects that are not
 *   plain (Date, Map, class instances): convert those to standard JSON values first.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, [], parts, new Set());
  return parts.join("");
}

/** Where in the value (`$.messages[2].content`), built only for an error: `at` holds the keys and indexes down to here. */
function pathOf(at: readonly (string | number)[]): string {
  return `$${at.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("")}`;
}

function write(value: unknown, at: (string | number)[], out: string[], seen: Set<object>): void {
  if (value === null) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "string":
      out.push(quote(value));
      return;
    case "bigint":
      out.push(value.toString());
      return;
    case "number":
      out.push(number(value, at));
      return;
    case "object":
      break;
    default:
      throw new CanonicalJsonError(pathOf(at), `a ${typeof value} is not a JSON value`, "Pass only strings, numbers, booleans, null, arrays and plain objects");
  }
  const object = value as object;
  if (seen.has(object)) throw new CanonicalJsonError(pathOf(at), "the value contains itself (a cycle)", "Pass a tree, not a graph");
  seen.add(object);
  if (Array.isArray(object)) {
    out.push("[");
    for (let index = 0; index < object.length; index++) {
      const item: unknown = object[index];
      if (item === undefined) throw new CanonicalJsonError(pathOf([...at, index]), "undefined in an array", "Use null, or leave the item out");
      if (index > 0) out.push(",");
      at.push(index);
      write(item, at, out, seen);
      at.pop();
    }
    out.push("]");
  } else {
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (prototype as { constructor?: { name?: string } })?.constructor?.name ?? "non-plain object";
      throw new CanonicalJsonError(pathOf(at), `a ${kind} is not a plain JSON object`, "Convert it to a string, number or plain object first (a Date to its ISO string)");
    }
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort(compareCodePoints);
    out.push("{");
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index];
      if (index > 0) out.push(",");
      out.push(quote(key), ":");
      at.push(key);
      write(record[key], at, out, seen);
      at.pop();
    }
    out.push("}");
  }
  seen.delete(object);
}

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t" };

/** Python's `py_encode_basestring_ascii`: JS strings are UTF-16, so escaping each code unit yields surrogate pairs for astral characters. */
/** Strings that need no escaping at all: printable ASCII without `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quote(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let result = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const short = SHORT_ESCAPES[unit];
    if (short !== undefined) result += short;
    else if (unit >= 0x20 && unit <= 0x7e) result += text[i];
    else result += `\\u${unit.toString(16).padStart(4, "0")}`;
  }
  return `${result}"`;
}

/** Python's `str` ordering: by code point. */
const SURROGATE = /[\ud800-\udfff]/;

function compareCodePoints(a: string, b: string): number {
  // Without surrogates, UTF-16 code unit order is code point order.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = Array.from(a);
  const y = Array.from(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function number(value: number, at: readonly (string | number)[]): string {
  if (!Number.isFinite(value)) {
    throw new CanonicalJsonError(pathOf(at), `${value} is not a JSON number`, "Replace NaN and Infinity with null or a string before hashing");
  }
  if (Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) {
      throw new CanonicalJsonError(pathOf(at), `the integer ${value} is beyond 2^53 and may have lost precision`, "Pass large integers as bigint (or as a decimal string)");
    }
    return Object.is(value, -0) ? "0" : String(value);
  }
  return pythonFloatRepr(value);
}

/** `repr(float)` in Python ≥ 3.1: the shortest digits that round-trip (what JS's toExponential() gives), laid out Python's way. */
function pythonFloatRepr(value: number): string {
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const pointAt = exponent + 1; // digits before the decimal point
  let body: string;
  if (pointAt <= -4 || pointAt > 16) {
    const lead = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${lead}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  } else if (pointAt <= 0) {
    body = `0.${"0".repeat(-pointAt)}${digits}`;
  } else if (pointAt >= digits.length) {
    body = `${digits}${"0".repeat(pointAt - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  }
  return negative ? `-${body}` : body;
}
