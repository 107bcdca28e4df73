import type { Hex } from "viem";
import { ggufToLoraAdapter } from "../eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../eval/model/loraAdapterToGguf.js";
import type { LoraAdapter } from "../eval/model/types.js";
import { hashAdapter } from "../eval/train/hashAdapter.js";
import { computeContentRoot } from "../storage/computeContentRoot.js";
import { ContentNotFoundError, ContentRootMismatchError } from "../storage/errors.js";
import type { ContentStore } from "../storage/types.js";
import type { TrainingJob } from "./types.js";

export type AdapterCheckReason = "adapter-missing" | "adapter-root-mismatch" | "adapter-malformed" | "adapter-not-canonical" | "adapter-hash-mismatch" | "adapter-shape-mismatch";

export type CheckAdapterResultReturnType =
  | { ok: true; adapterBytes: Uint8Array; adapter: LoraAdapter }
  | { ok: false; reason: AdapterCheckReason; detail: string };

/**
 * Fetches the adapter a worker claims and checks it without re-executing anything: the store's
 * bytes re-hash to the claimed root; they parse as a LoRA GGUF; they are exactly the file the
 * deterministic writer makes from those values for this job (nothing hidden beside the tensors);
 * rank, alpha and targets are the job's; and hashAdapter of the values is the claimed hash.
 * Storage failures that are not the worker's fault (I/O) are thrown, not reported.
 */
export async function checkAdapterResult(params: { store: ContentStore; job: TrainingJob; adapterRoot: Hex; adapterHash: Hex }): Promise<CheckAdapterResultReturnType> {
  const { job } = params;
  let bytes: Uint8Array;
  try {
    bytes = await params.store.get(params.adapterRoot);
  } catch (cause) {
    if (cause instanceof ContentNotFoundError) return { ok: false, reason: "adapter-missing", detail: `no content under ${params.adapterRoot} in the ${params.store.kind} store` };
    if (cause instanceof ContentRootMismatchError) return { ok: false, reason: "adapter-root-mismatch", detail: cause.message };
    throw cause;
  }
  const actualRoot = await computeContentRoot(bytes);
  if (actualRoot !== params.adapterRoot) return { ok: false, reason: "adapter-root-mismatch", detail: `stored bytes hash to ${actualRoot}` };
  let adapter: LoraAdapter;
  try {
    adapter = ggufToLoraAdapter(bytes);
  } catch (cause) {
    return { ok: false, reason: "adapter-malformed", detail: (cause as Error).message };
  }
  if (adapter.rank !== job.hyper.rank || adapter.alpha !== Math.fround(job.hyper.alpha)) {
    return { ok: false, reason: "adapter-shape-mismatch", detail: `rank ${adapter.rank} alpha ${adapter.alpha}, the job asks rank ${job.hyper.rank} alpha ${job.hyper.alpha}` };
  }
  const allowed = new Set<string>(job.hyper.targets);
  const stray = adapter.pairs.find((p) => !allowed.has(targetKind(p.target)));
  if (stray) return { ok: false, reason: "adapter-shape-mismatch", detail: `pair ${stray.target} is not one of the job's targets (${job.hyper.targets.join(", ")})` };
  const canonical = loraAdapterToGguf(
    { rank: job.hyper.rank, alpha: job.hyper.alpha, pairs: adapter.pairs },
    { baseModelName: job.baseModelRoot, name: `ingotforge-job-${job.jobId.slice(2)}` },
  );
  if (!sameBytes(canonical, bytes)) return { ok: false, reason: "adapter-not-canonical", detail: "the file differs from the canonical GGUF of its own tensors (extra metadata or tensors)" };
  const actualHash = `0x${hashAdapter(adapter)}`;
  if (actualHash !== params.adapterHash) return { ok: false, reason: "adapter-hash-mismatch", detail: `stored adapter hashes to ${actualHash}, the result claims ${params.adapterHash}` };
  return { ok: true, adapterBytes: bytes, adapter };
}

/** `blk.3.attn_q.weight` → attn_q; `output.weight` → output. */
function targetKind(target: string): string {
  const m = /^blk\.\d+\.([a-z_]+)\.weight$/.exec(target);
  if (m) return m[1];
  return target === "output.weight" ? "output" : target;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
