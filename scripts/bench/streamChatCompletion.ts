/**
 * One streamed chat completion over HTTP, read to `[DONE]`; returns the completion tokens the
 * usage chunk reports. Throws on any status but 200 or a stream that does not end in `[DONE]`.
 */
export async function streamChatCompletion(baseUrl: string, apiKey: string, body: unknown): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200 || !text.endsWith("data: [DONE]\n\n")) throw new Error(`gateway answered ${res.status}: ${text.slice(0, 200)}`);
  const usage = text
    .split("\n\n")
    .map((l) => l.slice(6))
    .filter((d) => d.includes('"usage"'))
    .map((d) => JSON.parse(d).usage)[0];
  return usage.completion_tokens as number;
}
