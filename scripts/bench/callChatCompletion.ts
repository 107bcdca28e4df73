import type { HttpTransport } from "./createHttpTransport.js";

/**
 * One chat completion over HTTP, read whole; returns the completion tokens its usage reports.
 * A streamed call (`body.stream` true) is read to `[DONE]` and its usage chunk found; any other
 * is one JSON answer. Throws on any status but 200, or a stream that does not end in `[DONE]`.
 */
export async function callChatCompletion(http: HttpTransport, baseUrl: string, apiKey: string, body: { stream?: boolean }): Promise<number> {
  const { status, text } = await http(`${baseUrl}/v1/chat/completions`, { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, JSON.stringify(body));
  if (status !== 200) throw new Error(`the server answered ${status}: ${text.slice(0, 200)}`);
  if (body.stream !== true) return (JSON.parse(text) as { usage: { completion_tokens: number } }).usage.completion_tokens;
  if (!text.endsWith("data: [DONE]\n\n")) throw new Error(`the stream did not end in [DONE]: …${text.slice(-200)}`);
  const usage = text
    .split("\n\n")
    .map((l) => l.slice(6))
    .filter((d) => d.includes('"usage"'))
    .map((d) => JSON.parse(d).usage)[0];
  return usage.completion_tokens as number;
}
