/** Latency and throughput of `requests` calls made by `concurrency` workers, each call returning the tokens it produced. */
export interface MeasuredCalls {
  rps: number;
  p50: number;
  p99: number;
  tokensPerRequest: number;
  /** CPU the calling process spent per call (user + system), ms, when it was measured (the load client's own process). */
  clientCpuMsPerCall?: number;
}

export async function measureCalls(call: () => Promise<number>, concurrency: number, requests: number): Promise<MeasuredCalls> {
  const latencies: number[] = [];
  let tokens = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const t0 = performance.now();
        const produced = await call(); // (not `tokens += await call()`: that reads `tokens` before the await)
        tokens += produced;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  return { rps: requests / seconds, p50: q(0.5), p99: q(0.99), tokensPerRequest: tokens / requests };
}
