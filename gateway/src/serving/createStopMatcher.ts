export interface StopMatcher {
  /** Feed decoded text; returns what can be shown now and whether a stop string was reached (the stop string and anything after it are dropped). */
  push(text: string): { text: string; stopped: boolean };
  /** The text held back at the end of generation (a possible stop-string prefix that never completed). */
  flush(): string;
}

/**
 * Stop strings for streamed text: text that might be the start of a stop string is held back
 * until it is known not to be, so a client never sees part of a stop string.
 */
export function createStopMatcher(stops: readonly string[]): StopMatcher {
  const list = stops.filter((s) => s.length > 0);
  let buffer = "";
  let done = false;
  return {
    push(text) {
      if (done) return { text: "", stopped: true };
      buffer += text;
      let at = -1;
      for (const s of list) {
        const i = buffer.indexOf(s);
        if (i >= 0 && (at < 0 || i < at)) at = i;
      }
      if (at >= 0) {
        done = true;
        const out = buffer.slice(0, at);
        buffer = "";
        return { text: out, stopped: true };
      }
      // Hold back the longest suffix that is a proper prefix of a stop string.
      let hold = 0;
      for (const s of list) {
        for (let k = Math.min(s.length - 1, buffer.length); k > hold; k--) {
          if (buffer.endsWith(s.slice(0, k))) {
            hold = k;
            break;
          }
        }
      }
      const out = buffer.slice(0, buffer.length - hold);
      buffer = buffer.slice(buffer.length - hold);
      return { text: out, stopped: false };
    },
    flush() {
      const out = done ? "" : buffer;
      buffer = "";
      return out;
    },
  };
}
