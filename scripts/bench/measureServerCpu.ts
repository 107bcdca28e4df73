/**
 * Run `measure` and return what it returned with the CPU this process spent meanwhile (user +
 * system, every thread: the event loop and llama.cpp's), per call. In the benchmark this process
 * is the server side of every path (engine, bare HTTP, gateway); the HTTP client runs in its own
 * process and is not counted. Where latency differs but CPU per call does not, the difference is
 * waiting (a disk sync, a turn of the event loop), not work.
 */
export async function measureServerCpu<T>(calls: number, measure: () => Promise<T>): Promise<{ result: T; cpuMsPerCall: number }> {
  const before = process.cpuUsage();
  const result = await measure();
  const used = process.cpuUsage(before);
  return { result, cpuMsPerCall: (used.user + used.system) / 1000 / calls };
}
