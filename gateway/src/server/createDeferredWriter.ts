/** A writer that keeps response writes off the generation loop's path; see `createDeferredWriter`. */
export interface DeferredWriter {
  /** Buffer `chunk`; it is written, with whatever else was buffered in the same turn, at the next turn of the event loop. */
  write(chunk: string): void;
  /** Write what is buffered now (before the last chunks and `end`, so the order is kept). */
  flush(): void;
  /** Drop what is buffered (the response is being destroyed). */
  cancel(): void;
}

/**
 * Streamed tokens are written a turn later (setImmediate), not inside the token callback:
 * node-llama-cpp asks llama.cpp for the next token from JavaScript, so a socket write made in the
 * callback delays every following token by its cost, while a deferred one runs while llama.cpp
 * decodes the next token on its own thread. Tokens that arrive in the same turn go out as one write.
 */
export function createDeferredWriter(write: (chunk: string) => void): DeferredWriter {
  let buffered = "";
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled !== undefined) {
      clearImmediate(scheduled);
      scheduled = undefined;
    }
    if (buffered.length === 0) return;
    const chunk = buffered;
    buffered = "";
    write(chunk);
  };
  return {
    write(chunk) {
      buffered += chunk;
      scheduled ??= setImmediate(flush);
    },
    flush,
    cancel() {
      if (scheduled !== undefined) clearImmediate(scheduled);
      scheduled = undefined;
      buffered = "";
    },
  };
}
