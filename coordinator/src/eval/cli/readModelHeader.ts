import { readGgufHeaderFromFile } from "../gguf/readGgufHeaderFromFile.js";
import { validateQwen2Gguf } from "../gguf/validateQwen2Gguf.js";
import type { Qwen2Config } from "../model/types.js";
import { qwen2HeaderFromGguf } from "../model/qwen2HeaderFromGguf.js";
import { createTokenizer, type Tokenizer } from "../tokenizer/createTokenizer.js";
import { DemoError } from "../demo/errors.js";

export interface ReadModelHeaderReturnType {
  name: string;
  config: Qwen2Config;
  tokenizer: Tokenizer;
}

/**
 * A qwen2 GGUF's name, config and tokenizer from its header only (a 0.5B model's weights are
 * never read for this), validated as the engine would. Fails clearly when the chat-template
 * tokens are missing.
 */
export async function readModelHeader(modelPath: string): Promise<ReadModelHeaderReturnType> {
  let header;
  try {
    header = await readGgufHeaderFromFile(modelPath);
  } catch (cause) {
    throw new DemoError(`cannot read ${modelPath} as GGUF: ${(cause as Error).message}`, { cause });
  }
  validateQwen2Gguf(header);
  let parsed;
  try {
    parsed = qwen2HeaderFromGguf(header);
  } catch (cause) {
    throw new DemoError(`${modelPath}: ${(cause as Error).message}`, { cause });
  }
  return { name: parsed.name, config: parsed.config, tokenizer: createTokenizer(parsed.tokenizer) };
}
