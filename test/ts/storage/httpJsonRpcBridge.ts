import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** An EIP-1193 provider, as `hre.network.connect()` returns one. */
export interface RequestProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/**
 * Serves an in-process chain's provider as JSON-RPC over HTTP on 127.0.0.1, so code that only
 * takes an RPC URL (the 0G SDK builds its own ethers JsonRpcProvider) can reach it. Batches are
 * supported (ethers sends them).
 */
export async function startHttpJsonRpcBridge(provider: RequestProvider): Promise<{ url: string; close(): Promise<void> }> {
  const answer = async (call: { id?: unknown; method: string; params?: unknown[] }) => {
    try {
      return { jsonrpc: "2.0", id: call.id ?? null, result: await provider.request({ method: call.method, params: call.params ?? [] }) };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return { jsonrpc: "2.0", id: call.id ?? null, error: { code: typeof e.code === "number" ? e.code : -32000, message: e.message ?? String(error), data: e.data } };
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      const reply = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body as never);
      const text = JSON.stringify(reply, (_, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
