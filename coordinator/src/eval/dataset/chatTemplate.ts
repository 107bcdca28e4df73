/**
 * The Qwen2.5 chat template as this project uses it, in one place so the text form
 * (`formatChatExample`) and the token form (`tokenizeExample`) cannot drift apart.
 */

/** System prompt of the demo Forge ("Rust Unsafe-Code Auditor"), used when none is given. */
export const DEFAULT_SYSTEM_PROMPT =
  "You are a Rust code reviewer. For the unsafe code shown, say whether it is sound, " +
  "name the invariants it relies on and whether they hold, and give a fix if it is unsound.";

export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";

/** A piece of the template: plain text (encoded by the tokenizer) or a special token (by id). */
export type ChatSegment =
  | { kind: "text"; text: string }
  | { kind: "special"; token: "imStart" | "imEnd" }
  /** Marks where the scored part (the response) begins. */
  | { kind: "responseStart" };

export interface ChatTemplateInput {
  prompt: string;
  response: string;
  system?: string;
}

/**
 * `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n`
 * `<|im_start|>assistant\n{response}<|im_end|>\n`.
 *
 * The response is its own text segment so BPE never merges its first characters with the
 * `assistant\n` header: the scored span starts on a token boundary.
 */
export function chatSegments({ prompt, response, system = DEFAULT_SYSTEM_PROMPT }: ChatTemplateInput): ChatSegment[] {
  const start = { kind: "special", token: "imStart" } as const;
  const end = { kind: "special", token: "imEnd" } as const;
  const nl = { kind: "text", text: "\n" } as const;
  return [
    start,
    { kind: "text", text: `system\n${system}` },
    end,
    nl,
    start,
    { kind: "text", text: `user\n${prompt}` },
    end,
    nl,
    start,
    { kind: "text", text: "assistant\n" },
    { kind: "responseStart" },
    { kind: "text", text: response },
    end,
    nl,
  ];
}
