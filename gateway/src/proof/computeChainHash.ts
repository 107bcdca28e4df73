import { chainHashInput } from "./chainHashInput.js";
import { sha256Hex } from "./sha256Hex.js";
import type { ChainFields, ChainFormula } from "./types.js";

/**
 * The ArkForge chain hash (bare lowercase hex): SHA-256 of `chainHashInput(fields, formula)`.
 * New gateway proofs use `"canonical-json"` (spec 2.1); `"legacy"` verifies spec 1.1 / 2.0 proofs.
 *
 * @throws ProofInputError when a field is malformed (see chainHashInput).
 */
export function computeChainHash(fields: ChainFields, formula: ChainFormula): string {
  return sha256Hex(chainHashInput(fields, formula));
}
