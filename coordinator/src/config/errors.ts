/** One wrong field: where it is in the config, where its value came from, what is wrong. */
export interface ConfigIssue {
  /** Dotted path, e.g. "storage.indexerRpc". */
  path: string;
  /** "file <path>", "env INGOTFORGE_…" or "default". */
  source: string;
  message: string;
}

/** The coordinator's configuration cannot be used. Not retryable: fix the named fields. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], options?: { cause?: unknown }) {
    const lines = issues.map((i) => `  ${i.path || "(root)"} (${i.source}): ${i.message}`).join("\n");
    super(`Invalid coordinator configuration:\n${lines}\nFix these fields in the config file or environment (see coordinator/src/config/readConfigEnv.ts for the variable names).`, options);
    this.issues = issues;
  }
}
