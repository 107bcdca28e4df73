import { InvalidRequestError } from "../errors.js";

const PARAM = "response_format.json_schema.schema";
const PRIMITIVE_TYPES = new Set(["string", "number", "integer", "boolean", "null"]);
const TYPES = new Set([...PRIMITIVE_TYPES, "object", "array"]);
/** Annotations: they constrain nothing, so the grammar honours them by ignoring them. */
const ANNOTATIONS = new Set(["description", "title", "$schema", "$comment", "$id", "examples", "default", "$defs"]);
const BY_TYPE: Record<string, Set<string>> = {
  object: new Set(["properties", "additionalProperties", "required", "minProperties", "maxProperties"]),
  array: new Set(["items", "prefixItems", "minItems", "maxItems"]),
  string: new Set(["minLength", "maxLength", "format"]),
};
const FORMATS = new Set(["date-time", "time", "date"]);

/**
 * Refuse a JSON schema that node-llama-cpp's grammar would not enforce as written. Its converter
 * never fails: it reads an unknown type as `null`, a `pattern` or `minimum` as nothing, an
 * unknown `format` as the empty string. So every keyword is checked against the subset it does
 * enforce (type, const, enum, oneOf, $ref into $defs; properties, additionalProperties, required,
 * min/maxProperties; items, prefixItems, min/maxItems; min/maxLength; format date-time, time or
 * date), and anything else is a 400 that names the keyword and where it is.
 *
 * @throws InvalidRequestError (param `response_format.json_schema.schema`)
 */
export function checkJsonSchemaSubset(schema: unknown): void {
  walk(schema, "#", []);
}

function refuse(at: string, what: string): never {
  throw new InvalidRequestError(`${what} at ${at}: the gateway enforces JSON schemas with a llama.cpp grammar, which cannot enforce that. Supported: type, const, enum, oneOf, $ref to $defs; properties, additionalProperties, required, minProperties, maxProperties; items, prefixItems, minItems, maxItems; minLength, maxLength; format date-time, time or date`, PARAM);
}

function walk(node: unknown, at: string, defs: string[][]): void {
  if (node === null || typeof node !== "object" || Array.isArray(node)) refuse(at, "a schema that is not an object");
  const s = node as Record<string, unknown>;
  const scope = s.$defs === undefined ? defs : [...defs, defsOf(s.$defs, at)];
  if (s.$defs !== undefined) for (const [name, def] of Object.entries(s.$defs as object)) walk(def, `${at}/$defs/${name}`, scope);

  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  for (const t of types) if (typeof t !== "string" || !TYPES.has(t)) refuse(`${at}/type`, `the type ${JSON.stringify(t)}`);
  if (types.length > 1 && types.some((t) => !PRIMITIVE_TYPES.has(t as string))) refuse(`${at}/type`, "a list of types that includes object or array");
  const allowed = new Set(["type", "const", "enum", "oneOf", "$ref", ...ANNOTATIONS]);
  for (const t of types) for (const k of BY_TYPE[t as string] ?? []) allowed.add(k);
  for (const key of Object.keys(s)) if (!allowed.has(key)) refuse(`${at}/${key}`, `the keyword '${key}'${types.length ? ` (for type ${types.join("|")})` : ""}`);

  const forms = ["type", "const", "enum", "oneOf", "$ref"].filter((k) => s[k] !== undefined);
  if (forms.length === 0) refuse(at, "a schema with none of type, const, enum, oneOf or $ref (it says nothing the grammar can enforce)");
  if (forms.length > 1) refuse(at, `a schema with both ${forms.join(" and ")}`);

  const primitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
  if (s.const !== undefined && !primitive(s.const)) refuse(`${at}/const`, "a const that is an object or array");
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0 || !s.enum.every(primitive))) refuse(`${at}/enum`, "an enum that is not a non-empty list of strings, numbers, booleans or null");
  if (s.oneOf !== undefined) {
    if (!Array.isArray(s.oneOf) || s.oneOf.length === 0) refuse(`${at}/oneOf`, "a oneOf that is not a non-empty list");
    s.oneOf.forEach((branch, i) => walk(branch, `${at}/oneOf/${i}`, scope));
  }
  if (s.$ref !== undefined) {
    const m = typeof s.$ref === "string" ? /^#\/\$defs\/(.+)$/.exec(s.$ref) : null;
    if (!m || !scope.some((names) => names.includes(m[1]))) refuse(`${at}/$ref`, `the reference ${JSON.stringify(s.$ref)} (only #/$defs/<name> of a $defs around it)`);
  }
  if (s.properties !== undefined) {
    if (s.properties === null || typeof s.properties !== "object" || Array.isArray(s.properties)) refuse(`${at}/properties`, "properties that are not an object");
    for (const [name, sub] of Object.entries(s.properties as object)) walk(sub, `${at}/properties/${name}`, scope);
  }
  if (s.additionalProperties !== undefined && typeof s.additionalProperties !== "boolean") walk(s.additionalProperties, `${at}/additionalProperties`, scope);
  if (s.required !== undefined && (!Array.isArray(s.required) || !s.required.every((r) => typeof r === "string"))) refuse(`${at}/required`, "a required that is not a list of names");
  if (s.items !== undefined) walk(s.items, `${at}/items`, scope);
  if (s.prefixItems !== undefined) {
    if (!Array.isArray(s.prefixItems)) refuse(`${at}/prefixItems`, "prefixItems that are not a list");
    s.prefixItems.forEach((item, i) => walk(item, `${at}/prefixItems/${i}`, scope));
  }
  for (const k of ["minProperties", "maxProperties", "minItems", "maxItems", "minLength", "maxLength"]) {
    if (s[k] !== undefined && !(Number.isSafeInteger(s[k]) && (s[k] as number) >= 0)) refuse(`${at}/${k}`, `a ${k} that is not a non-negative integer`);
  }
  if (s.format !== undefined && !(typeof s.format === "string" && FORMATS.has(s.format))) refuse(`${at}/format`, `the format ${JSON.stringify(s.format)}`);
}

function defsOf(defs: unknown, at: string): string[] {
  if (defs === null || typeof defs !== "object" || Array.isArray(defs)) refuse(`${at}/$defs`, "$defs that are not an object");
  return Object.keys(defs as object);
}
