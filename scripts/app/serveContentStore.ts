import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ContentStore } from "../../coordinator/src/storage/types.js";
import { ContentNotFoundError, ContentRootMismatchError, InvalidContentRootError } from "../../coordinator/src/storage/errors.js";
import { MAX_FILE_BYTES } from "../../coordinator/src/eval/dataset/limits.js";

/** Largest body a PUT accepts: a sealed contribution is its plaintext plus a small envelope. */
export const MAX_PUT_BYTES = MAX_FILE_BYTES + 64 * 1024;

const CORS = { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, PUT, OPTIONS", "access-control-allow-headers": "content-type" };

/**
 * A content store over HTTP, for the page: `PUT /content` stores the body under its 0G root
 * (computed here, by the store's own put) and answers `{ root, size }`; `GET /content/<root>`
 * answers the bytes, re-hashed by the store before they leave. Nothing else is served.
 */
export async function serveContentStore(store: ContentStore, port = 0, host = "127.0.0.1"): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => void handle(store, req, res));
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  return { url: `http://${host}:${actual}`, server, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function handle(store: ContentStore, req: IncomingMessage, res: ServerResponse) {
  const send = (status: number, body: string | Uint8Array, type = "application/json") => {
    res.writeHead(status, { ...CORS, "content-type": type });
    res.end(body);
  };
  try {
    if (req.method === "OPTIONS") return send(204, "");
    if (req.method === "PUT" && req.url === "/content") {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_PUT_BYTES) return send(413, JSON.stringify({ error: `content over ${MAX_PUT_BYTES} bytes` }));
        chunks.push(chunk as Buffer);
      }
      if (size === 0) return send(400, JSON.stringify({ error: "empty content has no root" }));
      const put = await store.put(new Uint8Array(Buffer.concat(chunks)));
      return send(200, JSON.stringify(put));
    }
    const get = /^\/content\/(0x[0-9a-fA-F]{64})$/.exec(req.url ?? "");
    if (req.method === "GET" && get) return send(200, await store.get(get[1] as `0x${string}`), "application/octet-stream");
    return send(404, JSON.stringify({ error: "PUT /content or GET /content/<0x root>" }));
  } catch (err) {
    if (err instanceof ContentNotFoundError) return send(404, JSON.stringify({ error: err.message }));
    if (err instanceof InvalidContentRootError) return send(400, JSON.stringify({ error: err.message }));
    if (err instanceof ContentRootMismatchError) return send(502, JSON.stringify({ error: err.message }));
    return send(500, JSON.stringify({ error: (err as Error).message }));
  }
}
