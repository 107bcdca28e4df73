import { Agent, request } from "node:http";

/** One POST and its whole answer: what the benchmark's client needs from an HTTP library. */
export type HttpTransport = (url: string, headers: Record<string, string>, body: string) => Promise<{ status: number; text: string }>;
export type HttpTransportKind = "node" | "fetch";
export const HTTP_TRANSPORT_KINDS: readonly HttpTransportKind[] = ["node", "fetch"];

/**
 * The benchmark client's HTTP library. `node` is node:http with a keep-alive agent (about as lean
 * as a client gets, so the figures are the server's cost); `fetch` is Node's built-in fetch
 * (undici), what the `openai` client uses, which costs the client about 0.4 ms more per call on
 * this machine, measured on a recorded stream.
 */
export function createHttpTransport(kind: HttpTransportKind): HttpTransport {
  if (kind === "fetch") {
    return async (url, headers, body) => {
      const res = await fetch(url, { method: "POST", headers, body });
      return { status: res.status, text: await res.text() };
    };
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (url, headers, body) =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
}
