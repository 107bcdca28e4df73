/**
 * Wait `ms` milliseconds, or less: resolves early (never rejects) once `signal` aborts, and at
 * once when it already has. Loops that poll or back off use it so that stopping is immediate.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
