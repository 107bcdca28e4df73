/**
 * A local RFC 3161 time-stamping authority (tests, the demo, benchmarks, trying `witness.tsaUrl`):
 * `npx tsx gateway/src/cli/localTsa.ts --dir <work dir> [--host 127.0.0.1] [--port 3161]`.
 * Makes the TSA's P-256 key and self-signed certificate in `--dir` on first run (never commit
 * them), answers `application/timestamp-query` POSTs with `openssl ts -reply`, and prints one
 * JSON line `{ "url", "certificate" }` once listening. Ctrl-C (or SIGTERM) stops it.
 */
import { parseArgs } from "node:util";
import { startLocalTsa } from "../witness/tsa/startLocalTsa.js";

const { values } = parseArgs({ options: { dir: { type: "string" }, host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "0" }, help: { type: "boolean", short: "h" } } });
if (values.help || !values.dir) {
  process.stderr.write("usage: npx tsx gateway/src/cli/localTsa.ts --dir <work dir for the TSA key and certificate> [--host 127.0.0.1] [--port 0]\n");
  process.exit(values.help ? 0 : 2);
}
const tsa = await startLocalTsa({ dir: values.dir, host: values.host, port: Number(values.port) });
process.stdout.write(`${JSON.stringify({ url: tsa.url, certificate: tsa.certificatePath })}\n`);
const stop = () => void tsa.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
