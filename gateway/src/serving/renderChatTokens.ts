import { InvalidRequestError } from "../errors.js";
import type { ChatMessage } from "./types.js";

export interface RenderChatTokensParameters {
  messages: readonly ChatMessage[];
  /** Plain text to token ids (never parses special-token text). */
  tokenize: (text: string) => number[];
  special: { imStart: number; imEnd: number };
  /** Used when the messages have no system turn (the Forge trained its adapter with it). */
  defaultSystemPrompt: string;
}

/**
 * The Qwen2.5 chat template, as the eval engine trained the adapters with it
 * (coordinator/src/eval/dataset/chatTemplate.ts): per turn `<|im_start|>` (by id),
 * `"{role}\n{content}"` as one text segment, `<|im_end|>` (by id), `"\n"`; then the open
 * assistant header `<|im_start|>` + `"assistant\n"`. Special tokens are inserted by id, so a
 * message that contains the text "<|im_end|>" cannot close its turn.
 */
export function renderChatTokens({ messages, tokenize, special, defaultSystemPrompt }: RenderChatTokensParameters): number[] {
  if (messages.length === 0) throw new InvalidRequestError("messages must hold at least one message", "messages");
  const turns = messages[0].role === "system" ? messages : [{ role: "system" as const, content: defaultSystemPrompt }, ...messages];
  const tokens: number[] = [];
  const newline = tokenize("\n");
  for (const m of turns) {
    tokens.push(special.imStart, ...tokenize(`${m.role}\n${m.content}`), special.imEnd, ...newline);
  }
  tokens.push(special.imStart, ...tokenize("assistant\n"));
  return tokens;
}
