import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureLocalTsaCredentials, type LocalTsaCredentials } from "./ensureLocalTsaCredentials.js";

const run = promisify(execFile);

export interface LocalTsa extends LocalTsaCredentials {
  /** `http://127.0.0.1:<port>/`: POST `application/timestamp-query` here. */
  url: string;
  /** Requests answered so far. */
  readonly answered: number;
  close(): Promise<void>;
}

export interface StartLocalTsaParameters {
  /** Where the key, certificate and serial live (made on first run; reused after). */
  dir: string;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
}

/**
 * A local RFC 3161 time-stamping authority for tests and the demo: an HTTP server that answers
 * each `application/timestamp-query` POST with Debian's `openssl ts -reply` (one at a time, since
 * openssl bumps the serial file) as `application/timestamp-reply`. Not for production: its
 * certificate is self-signed and its clock is this machine's.
 */
export async function startLocalTsa({ dir, host = "127.0.0.1", port = 0 }: StartLocalTsaParameters): Promise<LocalTsa> {
  const credentials = await ensureLocalTsaCredentials(dir);
  const work = await mkdtemp(join(tmpdir(), "ingotforge-tsa-"));
  let queue: Promise<unknown> = Promise.resolve();
  let answered = 0;
  let count = 0;
  const reply = async (query: Buffer): Promise<Buffer> => {
    const n = count++;
    const queryPath = join(work, `q${n}.der`);
    const replyPath = join(work, `r${n}.der`);
    await writeFile(queryPath, query);
    try {
      await run("openssl", ["ts", "-reply", "-config", credentials.configPath, "-queryfile", queryPath, "-out", replyPath]);
      return await readFile(replyPath);
    } finally {
      await rm(queryPath, { force: true });
      await rm(replyPath, { force: true });
    }
  };
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.headers["content-type"] !== "application/timestamp-query") {
      response.writeHead(request.method === "POST" ? 415 : 405, { "content-type": "text/plain" }).end("POST an application/timestamp-query (RFC 3161)\n");
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const answer = queue.then(() => reply(Buffer.concat(chunks)));
      queue = answer.catch(() => undefined);
      answer.then(
        (der) => {
          answered++;
          response.writeHead(200, { "content-type": "application/timestamp-reply", "content-length": der.length }).end(der);
        },
        (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`openssl ts -reply failed: ${(error as Error).message}\n`),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    ...credentials,
    url: `http://${host}:${address.port}/`,
    get answered() {
      return answered;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(work, { recursive: true, force: true });
    },
  };
}
