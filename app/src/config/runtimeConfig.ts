import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an 0x address of 40 hex digits") as unknown as z.ZodType<`0x${string}`>;

/**
 * Everything that differs between a local stack and a real chain with 0G, read at start-up from
 * `config.json` next to the page (so one build serves every deployment; nothing is hard-wired).
 */
export const runtimeConfigSchema = z.object({
  chainId: z.number().int().positive(),
  chainName: z.string().min(1),
  rpcUrl: z.string().url(),
  /** Block explorer base URL (address pages at `<explorerUrl>/address/<a>`); null for none. */
  explorerUrl: z.string().url().nullable().default(null),
  /** First block to read events from (the deployment's block). */
  fromBlock: z.coerce.bigint().default(0n),
  addresses: z.object({ factory: address, ingot: address, splitter: address, enclaveRegistry: address }),
  /** Content store over HTTP (PUT /content, GET /content/<root>). */
  storeUrl: z.string().url(),
  /** OpenAI-compatible inference gateway for LIVE Ingots; null when none runs. */
  gatewayUrl: z.string().url().nullable().default(null),
  /** Offer the node's well-known test accounts (only honoured on chain 31337). */
  devAccounts: z.boolean().default(false),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

/** config.json is missing, unreachable or malformed. */
export class RuntimeConfigError extends Error {
  override name = "RuntimeConfigError";
}

/** Parse a config object; throws `RuntimeConfigError` naming every bad field. */
export function parseRuntimeConfig(json: unknown): RuntimeConfig {
  const parsed = runtimeConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new RuntimeConfigError(`config.json is not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}. Fix it and reload.`);
  }
  return parsed.data;
}
