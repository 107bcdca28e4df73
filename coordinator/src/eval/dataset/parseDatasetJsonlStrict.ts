import { DatasetError } from "./DatasetError.js";
import { parseDatasetJsonl } from "./parseDatasetJsonl.js";
import type { DatasetExample } from "./types.js";

export interface ParseDatasetJsonlStrictOptions {
  /** Named in the error message (a path or content root). */
  source?: string;
}

/**
 * All-or-nothing parse for callers that must not evaluate a partial file (the holdout, an
 * attested eval): returns every example, or throws a `DatasetError` carrying every refused line.
 */
export function parseDatasetJsonlStrict(
  bytes: Uint8Array,
  { source }: ParseDatasetJsonlStrictOptions = {},
): DatasetExample[] {
  const { examples, errors } = parseDatasetJsonl(bytes);
  if (errors.length > 0) throw new DatasetError({ errors, source });
  return examples;
}
