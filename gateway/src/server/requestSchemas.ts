/**
 * The request bodies the API accepts (zod). Unknown fields are ignored as OpenAI clients send
 * many optional ones; options the gateway cannot honour are refused rather than ignored.
 * `response_format` json_object and json_schema are enforced with a llama.cpp grammar (the
 * schema's keywords are checked in the serving engine's `prepare`).
 */
import { z } from "zod";

const nullish = <T extends z.ZodType>(t: T) => t.nullable().optional();
/** A message's content: a string, or parts of which only text parts are served (each refusal names the part). */
const text = z
  .union([z.string(), z.array(z.looseObject({ type: z.string({ error: "each content part needs a 'type'" }), text: z.unknown().optional() }))], {
    error: "must be a string or a list of text parts",
  })
  .superRefine((content, ctx) => {
    if (typeof content === "string") return;
    content.forEach((part, i) => {
      if (part.type !== "text") ctx.addIssue({ code: "custom", path: [i, "type"], message: `only text parts are supported, not '${part.type}': the Ingots served here read and write text` });
      else if (typeof part.text !== "string") ctx.addIssue({ code: "custom", path: [i, "text"], message: "a text part needs a 'text' string" });
    });
  });
const stop = nullish(
  z.union([z.string(), z.array(z.string())], { error: "must be a string or a list of up to 4 strings" }).superRefine((value, ctx) => {
    if (Array.isArray(value) && value.length > 4) ctx.addIssue({ code: "custom", message: `at most 4 stop strings are supported, got ${value.length}` });
  }),
);
const common = {
  model: z.string().min(1),
  max_tokens: nullish(z.number().int().min(1)),
  temperature: nullish(z.number().min(0).max(2)),
  top_p: nullish(z.number().gt(0).max(1)),
  seed: nullish(z.number().int()),
  stop,
  stream: nullish(z.boolean()),
  stream_options: nullish(z.object({ include_usage: z.boolean().optional() })),
  n: nullish(z.literal(1, { error: "only n = 1 is supported" })),
  response_format: nullish(
    z.discriminatedUnion(
      "type",
      [
        z.looseObject({ type: z.literal("text") }),
        z.looseObject({ type: z.literal("json_object") }),
        z.looseObject({
          type: z.literal("json_schema"),
          json_schema: z.looseObject({
            name: z.string().optional(),
            strict: nullish(z.boolean()),
            schema: z.record(z.string(), z.unknown(), { error: "json_schema.schema is required here: the JSON schema the answer must follow" }),
          }),
        }),
      ],
      { error: "response_format.type must be text, json_object or json_schema" },
    ),
  ),
  user: z.string().optional(),
};

export const chatCompletionRequestSchema = z.looseObject({
  ...common,
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "developer", "user", "assistant"], { error: "role must be system, developer, user or assistant (tools are not supported)" }),
        content: text,
        name: z.string().optional(),
      }),
    )
    .min(1, { error: "messages must hold at least one message" }),
  max_completion_tokens: nullish(z.number().int().min(1)),
  tools: nullish(z.array(z.unknown()).max(0, { error: "tools are not supported" })),
  logprobs: nullish(z.literal(false, { error: "logprobs are not supported" })),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export const completionRequestSchema = z.looseObject({
  ...common,
  prompt: z.union([z.string(), z.array(z.string())], { error: "must be a string (or a list of exactly one string)" }).superRefine((value, ctx) => {
    if (Array.isArray(value) && value.length !== 1) ctx.addIssue({ code: "custom", message: `one prompt per call is served: give a string or a list of exactly one, got ${value.length}` });
  }),
  echo: nullish(z.literal(false, { error: "echo is not supported" })),
  best_of: nullish(z.literal(1, { error: "best_of must be 1" })),
  logprobs: nullish(z.literal(0, { error: "logprobs are not supported" })),
  suffix: nullish(z.string().max(0, { error: "suffix is not supported" })),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** Text of a message content (parts joined). */
export function contentText(content: z.infer<typeof text>): string {
  return typeof content === "string" ? content : content.map((p) => p.text as string).join("");
}
