import { coordinatorConfigSchema, type CoordinatorConfig } from "./coordinatorConfigSchema.js";
import { ConfigError, type ConfigIssue } from "./errors.js";

export interface ParseConfigParameters {
  /** The merged raw config. */
  raw: unknown;
  /** Config path → where it came from ("file …", "env …"); unnamed paths read "default" or "file". */
  sources?: ReadonlyMap<string, string>;
  /** Used for paths not in `sources` (e.g. "file ./coordinator.json"). */
  defaultSource?: string;
}

/**
 * Validate a raw config once, at the edge. Every wrong field is reported (not just the first),
 * each with its dotted path and the file or variable it came from.
 */
export function parseConfig({ raw, sources = new Map(), defaultSource = "config" }: ParseConfigParameters): CoordinatorConfig {
  const result = coordinatorConfigSchema.safeParse(raw);
  if (result.success) return result.data as CoordinatorConfig;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const base = issue.path.map(String).join(".");
    const path = keys.length === 1 ? [base, keys[0]].filter(Boolean).join(".") : base;
    const source = sourceOf(path, sources, defaultSource);
    const message = keys.length > 0 ? `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
    return { path, source, message };
  });
  throw new ConfigError(issues, { cause: result.error });
}

function sourceOf(path: string, sources: ReadonlyMap<string, string>, fallback: string): string {
  // "storage.zerog" issues are reported as "storage.indexerRpc"; match the longest known prefix.
  for (let parts = path.split("."); parts.length > 0; parts = parts.slice(0, -1)) {
    const found = sources.get(parts.join("."));
    if (found) return found;
  }
  return fallback;
}
