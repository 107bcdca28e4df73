import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** What the canned server answers: a stream and a whole answer, each recorded from the engine. */
export interface CannedAnswers {
  /** The SSE body of a streamed call (`"stream": true`). */
  stream: string;
  /** The JSON body of a call that is not streamed. */
  whole: string;
}

/**
 * The floor under any HTTP service on this machine: POST /v1/chat/completions on bare node:http
 * that reads the request and answers at once, in one write, with the recorded stream (when the
 * request asks for one) or the recorded JSON answer. No model runs; what a call costs here is the
 * client's request, the loopback round trip and the client reading the answer.
 */
export async function startCannedServer(answers: CannedAnswers): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", () => {
      const streamed = (JSON.parse(raw) as { stream?: boolean }).stream === true;
      res.writeHead(200, { "content-type": streamed ? "text/event-stream; charset=utf-8" : "application/json; charset=utf-8" });
      res.end(streamed ? answers.stream : answers.whole);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
