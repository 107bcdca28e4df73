export interface WithTimeoutParameters<T> {
  promise: Promise<T>;
  timeoutMs: number;
  /** Called once when the time runs out; what it returns (an error) is thrown. */
  onTimeout: () => Error;
}

/**
 * Race `promise` against a timer. The losing promise is not cancelled (the 0G SDK offers no way
 * to), only abandoned: its late result or rejection is swallowed, never unhandled.
 */
export async function withTimeout<T>({ promise, timeoutMs, onTimeout }: WithTimeoutParameters<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
