import type { ChainFormula } from "./types.js";

/**
 * The chain-hash formula a `spec_version` selects (spec v2.1 §2): "1.2" and "2.1" are canonical
 * JSON; "1.1", "2.0" and an absent version are the legacy concatenation. Any other version is
 * unknown: `undefined` (a verifier must not guess).
 */
export function chainFormulaForVersion(specVersion: string | null | undefined): ChainFormula | undefined {
  if (specVersion === undefined || specVersion === null) return "legacy";
  if (specVersion === "1.2" || specVersion === "2.1") return "canonical-json";
  if (specVersion === "1.1" || specVersion === "2.0") return "legacy";
  return undefined;
}
