import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import path from "node:path";

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png" };

/**
 * The built page (app/dist) over HTTP with `config.json` from memory, and every other path
 * answered with index.html, so `/forge/<address>` and `/ingot/<id>` open directly.
 */
export async function serveAppFiles(distDir: string, config: unknown, port = 0, host = "127.0.0.1"): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const index = await readFile(path.join(distDir, "index.html")).catch(() => {
    throw new Error(`No built page in ${distDir}; run \`npm run app:build\` first.`);
  });
  const configJson = JSON.stringify(config, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return res.end(configJson);
    }
    const file = path.normalize(path.join(distDir, url.pathname));
    if (file.startsWith(path.join(distDir, "assets") + path.sep)) {
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "public, max-age=31536000, immutable" });
        return res.end(body);
      } catch {
        res.writeHead(404);
        return res.end();
      }
    }
    res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store" });
    res.end(index);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  return { url: `http://${host}:${actual}`, server, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
