/**
 * The gateway benchmark's load generator, run as its own long-lived process (as a real client
 * would be) so that its HTTP and SSE parsing do not share the server's event loop:
 * `node --import tsx scripts/bench/gatewayLoadClient.ts '<json>'` with `{ apiKey, bodies, http }`
 * (`bodies`: the request of each mode, streamed and whole). It then reads one command per stdin
 * line, `{ baseUrl, concurrency, requests, mode }`, and answers each
 * with one JSON line: MeasuredCalls with this process's CPU per call, or `{ error }`. The first
 * time a base URL is named at a concurrency (in a mode), one call per connection goes first, so connection
 * set-up stays out of the figures; the process stays up between rounds, so its JIT is warm.
 */
import { createInterface } from "node:readline";
import { createHttpTransport, type HttpTransportKind } from "./createHttpTransport.js";
import { measureCalls } from "./measureCalls.js";
import { callChatCompletion } from "./callChatCompletion.js";
import type { CallMode } from "./startLoadClient.js";

const { apiKey, bodies, http } = JSON.parse(process.argv[2] ?? "{}") as { apiKey: string; bodies: Record<CallMode, { stream?: boolean }>; http: HttpTransportKind };
const transport = createHttpTransport(http);
const warmed = new Map<string, number>();
for await (const line of createInterface({ input: process.stdin })) {
  try {
    const { baseUrl, concurrency, requests, mode } = JSON.parse(line) as { baseUrl: string; concurrency: number; requests: number; mode: CallMode };
    const body = bodies[mode];
    if (!body) throw new Error(`unknown mode ${JSON.stringify(mode)}`);
    const warmKey = `${mode} ${baseUrl}`;
    if ((warmed.get(warmKey) ?? 0) < concurrency) {
      await Promise.all(Array.from({ length: concurrency }, () => callChatCompletion(transport, baseUrl, apiKey, body)));
      warmed.set(warmKey, concurrency);
    }
    const before = process.cpuUsage();
    const measured = await measureCalls(() => callChatCompletion(transport, baseUrl, apiKey, body), concurrency, requests);
    const used = process.cpuUsage(before);
    // This process's CPU per call (user + system): on the benchmark's machine it runs beside the server.
    process.stdout.write(`${JSON.stringify({ ...measured, clientCpuMsPerCall: (used.user + used.system) / 1000 / requests })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  }
}
// stdin closed: the keep-alive agent's idle sockets would hold the process open.
process.exit(0);
