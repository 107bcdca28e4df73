import { chatSegments, IM_END, IM_START, type ChatTemplateInput } from "./chatTemplate.js";

export type FormatChatExampleParameters = ChatTemplateInput;

/**
 * The example as Qwen2.5 chat-template text, markers written out. For display, logs of
 * non-secret data and tools that take text; scoring and training use `tokenizeExample`, which
 * inserts the markers by token id instead of trusting text to tokenize into them.
 */
export function formatChatExample(params: FormatChatExampleParameters): string {
  let out = "";
  for (const seg of chatSegments(params)) {
    if (seg.kind === "text") out += seg.text;
    else if (seg.kind === "special") out += seg.token === "imStart" ? IM_START : IM_END;
  }
  return out;
}
