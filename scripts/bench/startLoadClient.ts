import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { HttpTransportKind } from "./createHttpTransport.js";
import type { MeasuredCalls } from "./measureCalls.js";

/** How a call is made: streamed as server-sent events, or answered whole as one JSON body. */
export type CallMode = "stream" | "whole";

export interface LoadClient {
  /** `requests` calls (`mode`: streamed or whole) to `baseUrl` from `concurrency` workers in the client process. */
  measure(baseUrl: string, concurrency: number, requests: number, mode: CallMode): Promise<MeasuredCalls>;
  close(): Promise<void>;
}

export interface StartLoadClientParameters {
  apiKey: string;
  /** The request body of each mode. */
  bodies: Record<CallMode, { stream?: boolean }>;
  http: HttpTransportKind;
  /** Pin the client process to this CPU (taskset). */
  cpu?: string;
}

const CLIENT_SCRIPT = fileURLToPath(new URL("./gatewayLoadClient.ts", import.meta.url));

/** The benchmark's HTTP client as one long-lived process (gatewayLoadClient.ts), asked for one round at a time. */
export function startLoadClient({ apiKey, bodies, http, cpu }: StartLoadClientParameters): LoadClient {
  const args = [process.execPath, "--import", "tsx", CLIENT_SCRIPT, JSON.stringify({ apiKey, bodies, http })];
  const [command, ...rest] = cpu === undefined ? args : ["taskset", "-c", cpu, ...args];
  const child = spawn(command, rest, { stdio: ["pipe", "pipe", "inherit"] });
  const waiting: { resolve: (m: MeasuredCalls) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  createInterface({ input: child.stdout }).on("line", (line) => {
    const answer = JSON.parse(line) as MeasuredCalls & { error?: string };
    const next = waiting.shift();
    if (!next) return;
    if (answer.error !== undefined) next.reject(new Error(`load client: ${answer.error}`));
    else next.resolve(answer);
  });
  const closed = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      exited = new Error(`load client exited (${signal ?? code})`);
      for (const w of waiting.splice(0)) w.reject(exited);
      resolve();
    }),
  );
  return {
    measure(baseUrl, concurrency, requests, mode) {
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify({ baseUrl, concurrency, requests, mode })}\n`);
      });
    },
    async close() {
      child.stdin.end();
      await closed;
    },
  };
}
