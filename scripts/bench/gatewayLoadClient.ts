/**
 * The gateway benchmark's load generator, run as its own process (as a real client would be) so
 * that its HTTP and SSE parsing do not share the gateway's event loop:
 * `node --import tsx scripts/bench/gatewayLoadClient.ts '<json>'` with
 * `{ baseUrl, apiKey, body, concurrency, requests, http }`; prints one JSON line of MeasuredCalls.
 */
import { createHttpTransport, type HttpTransportKind } from "./createHttpTransport.js";
import { measureCalls } from "./measureCalls.js";
import { streamChatCompletion } from "./streamChatCompletion.js";

const { baseUrl, apiKey, body, concurrency, requests, http } = JSON.parse(process.argv[2] ?? "{}") as {
  baseUrl: string;
  apiKey: string;
  body: unknown;
  concurrency: number;
  requests: number;
  http: HttpTransportKind;
};
const transport = createHttpTransport(http);
// One call per connection first, so connection set-up and this process's JIT warm-up stay out of the figures.
await Promise.all(Array.from({ length: concurrency }, () => streamChatCompletion(transport, baseUrl, apiKey, body)));
const measured = await measureCalls(() => streamChatCompletion(transport, baseUrl, apiKey, body), concurrency, requests);
process.stdout.write(`${JSON.stringify(measured)}\n`);
// The keep-alive agent's idle sockets would hold the process open.
process.exit(0);
