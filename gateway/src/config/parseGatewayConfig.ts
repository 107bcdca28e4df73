import { gatewayConfigSchema, type GatewayConfig } from "./gatewayConfigSchema.js";

/** The configuration cannot be used; `issues` lists every problem as `path: message`. */
export class GatewayConfigError extends Error {
  override name = "GatewayConfigError";
  constructor(readonly issues: string[]) {
    super(`The gateway configuration is invalid:\n${issues.map((i) => `  - ${i}`).join("\n")}\nFix these keys and start again (see gateway/README.md, "Config").`);
  }
}

/**
 * Parse and validate the gateway configuration once, at startup. Amounts become bigint, roots and
 * addresses lowercase; defaults are filled in.
 * @throws GatewayConfigError naming every invalid key.
 */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new GatewayConfigError(parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "(root)"}: ${i.message}`));
  }
  const ids = new Set<bigint>();
  for (const i of parsed.data.ingots) {
    if (ids.has(i.ingotId)) throw new GatewayConfigError([`ingots: Ingot ${i.ingotId} is listed twice`]);
    ids.add(i.ingotId);
  }
  return parsed.data;
}
