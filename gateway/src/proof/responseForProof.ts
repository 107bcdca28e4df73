import { ProofInputError } from "./errors.js";

/**
 * What a saved response stands for in a gateway proof's response hash (see gateway/docs/proof.md,
 * "What is hashed"), from the text a client kept:
 *
 * - a whole (non-stream) body, as JSON: the body without its `proof` field;
 * - a stream saved raw (the `text/event-stream` body: `data: {…}` events): every event's JSON, in
 *   order, without `[DONE]` and without the proof event (the one with a `proof` field);
 * - a stream saved as a JSON array of the chunks a client library yielded (the official `openai`
 *   client yields every event as parsed JSON): the same list, the proof chunk left out.
 *
 * A stream the client asked usage for holds the usage chunk, one that did not holds none: either
 * way the list is what the gateway sent, and what it hashed.
 *
 * @throws ProofInputError when the text is neither JSON nor an event stream of JSON events.
 */
export function responseForProof(text: string): unknown {
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  if (/^(data|event|id|retry)?:/.test(trimmed)) return withoutProof(parseEventStream(trimmed));
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new ProofInputError("response", text.slice(0, 80), `neither JSON nor a server-sent event stream (${(error as Error).message})`, "Save the response body as the gateway sent it, or the stream's chunks as a JSON array");
  }
  return withoutProof(value);
}

function withoutProof(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((event) => !(event !== null && typeof event === "object" && "proof" in event));
  if (value !== null && typeof value === "object") {
    const { proof: _proof, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  return value;
}

/** The JSON of each `data:` event of a server-sent event stream (lines of one event joined by \n, as the SSE spec says). */
function parseEventStream(text: string): unknown[] {
  const events: unknown[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    const data = block
      .split(/\r\n|\n|\r/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
    if (data.length === 0) continue;
    const payload = data.join("\n");
    if (payload === "[DONE]") continue;
    try {
      events.push(JSON.parse(payload));
    } catch (error) {
      throw new ProofInputError("response", payload.slice(0, 80), `an event of the stream is not JSON (${(error as Error).message})`, "Save the stream's body exactly as received");
    }
  }
  return events;
}
