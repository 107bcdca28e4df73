import type { HttpTransport } from "./createHttpTransport.js";

/**
 * One streamed chat completion over HTTP, read to `[DONE]`; returns the completion tokens the
 * usage chunk reports. Throws on any status but 200 or a stream that does not end in `[DONE]`.
 */
export async function streamChatCompletion(http: HttpTransport, baseUrl: string, apiKey: string, body: unknown): Promise<number> {
  const { status, text } = await http(`${baseUrl}/v1/chat/completions`, { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, JSON.stringify(body));
  if (status !== 200 || !text.endsWith("data: [DONE]\n\n")) throw new Error(`gateway answered ${status}: ${text.slice(0, 200)}`);
  const usage = text
    .split("\n\n")
    .map((l) => l.slice(6))
    .filter((d) => d.includes('"usage"'))
    .map((d) => JSON.parse(d).usage)[0];
  return usage.completion_tokens as number;
}
