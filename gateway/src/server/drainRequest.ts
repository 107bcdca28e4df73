import type { IncomingMessage } from "node:http";

export interface DrainRequestParameters {
  /** Stop reading after this many more bytes (the connection is closed after the answer anyway). */
  maxBytes: number;
  /** Stop waiting after this long, ms (a client that stalls). */
  maxMs: number;
}

/**
 * Read and discard what is left of a request body, so that an early answer (413) reaches a client
 * that is still sending: closing a connection with unread bytes makes the kernel reset it, and a
 * reset can drop the answer before the client reads it. Resolves when the body ended, the
 * connection closed, or a bound was reached.
 */
export function drainRequest(raw: IncomingMessage, { maxBytes, maxMs }: DrainRequestParameters): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off("data", onData);
      raw.off("end", done);
      raw.off("error", done);
      raw.off("close", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    raw.on("data", onData);
    raw.once("end", done);
    raw.once("error", done);
    raw.once("close", done);
    raw.resume();
  });
}
