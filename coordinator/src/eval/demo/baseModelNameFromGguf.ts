import { metadataString } from "../gguf/metadataValue.js";
import { readGguf } from "../gguf/readGguf.js";
import { DEMO_MODEL_NAME } from "./buildDemoBaseModel.js";

/** The base model the product targets; the demo model stands in for it. */
export const PRODUCTION_BASE_MODEL_NAME = "Qwen2.5-Coder-3B-Instruct";

/** What a Forge (and so its Ingot's model card) records for the demo base model: what it is, and what it stands in for. */
export const DEMO_BASE_MODEL_CARD_NAME = `${DEMO_MODEL_NAME} (the tiny demo model; production target: ${PRODUCTION_BASE_MODEL_NAME})`;

/**
 * The name to record for a base model given as a file, when none is given: the demo model as
 * DEMO_BASE_MODEL_CARD_NAME, another GGUF by its own `general.name`; undefined for bytes that are
 * not a GGUF with a name (the caller then needs a name from its user or its default).
 */
export function baseModelNameFromGguf(bytes: Uint8Array): string | undefined {
  let name: string | undefined;
  try {
    name = metadataString(readGguf(bytes, { headerOnly: true }).metadata, "general.name");
  } catch {
    return undefined;
  }
  if (!name) return undefined;
  return name === DEMO_MODEL_NAME ? DEMO_BASE_MODEL_CARD_NAME : name;
}
