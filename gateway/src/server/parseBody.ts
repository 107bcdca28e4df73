import type { z } from "zod";
import { InvalidRequestError } from "../errors.js";

/** Validate a request body; the first problem becomes an InvalidRequestError naming its parameter. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError("The request body must be a JSON object, sent with 'Content-Type: application/json'.");
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = precise(parsed.error.issues[0]);
  const param = issue.path.length > 0 ? issue.path.map(String).join(".") : null;
  throw new InvalidRequestError(param ? `Invalid '${param}': ${issue.message}.` : `${issue.message}.`, param);
}

type Issue = { code: string; path: PropertyKey[]; message: string; errors?: Issue[][] };

/**
 * The issue to report. A value that fits none of a union's forms gives zod's bare "Invalid
 * input"; when exactly one form got past the value's type (the value is an array, and the
 * array form failed on an element), that form's own issue says what is wrong, at its path.
 */
function precise(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || !issue.errors) return issue;
  const typed = issue.errors.filter((branch) => !(branch.length === 1 && branch[0].code === "invalid_type" && branch[0].path.length === 0));
  if (typed.length !== 1 || typed[0].length === 0) return issue;
  const inner = precise(typed[0][0]);
  return { ...inner, path: [...issue.path, ...inner.path] };
}
