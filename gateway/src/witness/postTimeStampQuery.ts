import { request as httpRequest, type Agent } from "node:http";
import { request as httpsRequest } from "node:https";

/**
 * POST a DER `TimeStampReq` to a TSA as `application/timestamp-query` and resolve to the reply's
 * bytes, with node:http(s) (a fraction of fetch's CPU per request, which a batch a second pays).
 * Pass a keep-alive `agent` (`createTsaAgent`) to reuse one connection across batches: a new
 * TCP connection per batch was most of a batch's CPU here.
 *
 * @throws Error on a connection failure, a non-2xx status (with the start of the body), or the timeout.
 */
export function postTimeStampQuery(tsaUrl: string, body: Uint8Array, timeoutMs: number, agent?: Agent): Promise<Uint8Array> {
  const url = new URL(tsaUrl);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  // A kept-alive connection the TSA closed as this request went out fails at once (ECONNRESET,
  // EPIPE): that request is sent again, once, on a new connection (Node's advice for reusedSocket).
  const attempt = (retried: boolean): Promise<Uint8Array> => new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: "POST", ...(agent ? { agent } : {}), headers: { "content-type": "application/timestamp-query", accept: "application/timestamp-reply", "content-length": body.length }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) reject(new Error(`HTTP ${status}${bytes.length ? `: ${bytes.subarray(0, 200).toString("utf8").trim()}` : ""}`));
          else resolve(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")) resolve(attempt(true));
      else reject(error);
    });
    req.end(body);
  });
  return attempt(false);
}
