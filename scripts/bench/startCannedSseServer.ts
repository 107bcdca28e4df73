import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The floor under any HTTP service on this machine: POST /v1/chat/completions on bare node:http
 * that answers every call at once with `body`, a stream recorded from the engine, in one write. No
 * model runs; what a call costs here is the client's request, the loopback round trip and the
 * client reading the stream.
 */
export async function startCannedSseServer(body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
