import type { z } from "zod";
import { InvalidRequestError } from "../errors.js";

/** Validate a request body; the first problem becomes an InvalidRequestError naming its parameter. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError("The request body must be a JSON object.");
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue.path.length > 0 ? issue.path.map(String).join(".") : null;
  throw new InvalidRequestError(param ? `Invalid '${param}': ${issue.message}.` : `${issue.message}.`, param);
}
