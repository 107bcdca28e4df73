import type { Hex } from "viem";
import { InvalidContentRootError } from "./errors.js";

const ROOT = /^0x[0-9a-fA-F]{64}$/;

/** Validate a root from outside (a chain event, a CLI flag) and lowercase it. */
export function normalizeContentRoot(root: string): Hex {
  if (typeof root !== "string" || !ROOT.test(root)) throw new InvalidContentRootError(String(root));
  return root.toLowerCase() as Hex;
}
