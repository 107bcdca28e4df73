/**
 * Apply BPE merges to one word the way llama.cpp's `llm_tokenizer_bpe_session` does: start
 * from one symbol per byte-level character, repeatedly merge the adjacent pair with the lowest
 * merge rank (ties: leftmost), through a priority queue whose stale entries are skipped.
 */
interface Bigram {
  rank: number;
  left: number;
  right: number;
  text: string;
}

function less(a: Bigram, b: Bigram): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.left < b.left);
}

class MinHeap {
  private readonly items: Bigram[] = [];
  get size() {
    return this.items.length;
  }
  push(x: Bigram) {
    const h = this.items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Bigram {
    const h = this.items;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** `ranks` maps "left right" to merge priority (0 = first). Returns the merged symbols in order. */
export function bpeMerge(chars: readonly string[], ranks: ReadonlyMap<string, number>): string[] {
  const n = chars.length;
  if (n <= 1) return chars.slice();
  const text = chars.slice();
  const prev = Array.from({ length: n }, (_, i) => i - 1);
  const next = Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  const queue = new MinHeap();
  const addBigram = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const rank = ranks.get(`${text[left]} ${text[right]}`);
    if (rank === undefined) return;
    queue.push({ rank, left, right, text: text[left] + text[right] });
  };
  for (let i = 1; i < n; i++) addBigram(i - 1, i);
  while (queue.size > 0) {
    const bigram = queue.pop();
    const l = bigram.left;
    const r = bigram.right;
    if (text[l] === "" || text[r] === "" || text[l] + text[r] !== bigram.text) continue;
    text[l] = bigram.text;
    text[r] = "";
    next[l] = next[r];
    if (next[r] >= 0) prev[next[r]] = l;
    addBigram(prev[l], l);
    addBigram(l, next[l]);
  }
  const out: string[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(text[i]);
  return out;
}
