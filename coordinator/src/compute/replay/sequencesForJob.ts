import { exampleHash } from "../../eval/dataset/exampleHash.js";
import { parseDatasetJsonl } from "../../eval/dataset/parseDatasetJsonl.js";
import { tokenizeExample, type ChatTokenizer } from "../../eval/dataset/tokenizeExample.js";
import { hashSequences } from "../hashSequences.js";
import type { ScoredSequence, TrainingJob } from "../types.js";
import { ReplayJobError } from "./errors.js";

export interface SequencesForJobParameters {
  job: TrainingJob;
  /** Tokenized sequences whose ids are example hashes (e.g. what the coordinator had), any superset of the job's. */
  sequences?: readonly ScoredSequence[];
  /** Raw contribution files (dataset JSONL), re-tokenized with `tokenizer` as the eval pipeline does. */
  datasets?: readonly Uint8Array[];
  /** The base model's tokenizer; needed for `datasets`. */
  tokenizer?: ChatTokenizer;
}

export interface SequencesForJobReturnType {
  sequences: ScoredSequence[];
  source: "supplied" | "re-tokenized";
  /** The job carries a sequencesHash and these sequences hash to it (the exact tokens are proven). */
  bound: boolean;
}

/**
 * The job's training sequences, in its order, found by example hash: first among the supplied
 * sequences, else by re-tokenizing the raw datasets (Qwen2.5 chat template, default system
 * prompt — exactly tokenizeContribution in the eval pipeline). A pool record holds the job's
 * example hashes and, when planned with them, the sequences' hash, but never the tokens, so one
 * of the two sources is required. When the job has a sequencesHash the result is checked against it.
 */
export function sequencesForJob(params: SequencesForJobParameters): SequencesForJobReturnType {
  const { job } = params;
  const wanted = new Set(job.exampleHashes.map((h) => h.toLowerCase()));
  const found = new Map<string, ScoredSequence>();
  let source: SequencesForJobReturnType["source"] = "supplied";
  for (const s of params.sequences ?? []) if (wanted.has(s.id.toLowerCase())) found.set(s.id.toLowerCase(), s);
  if (found.size < wanted.size && params.datasets && params.datasets.length > 0) {
    if (!params.tokenizer) throw new TypeError("sequencesForJob: datasets need the base model's tokenizer");
    source = "re-tokenized";
    for (const bytes of params.datasets) {
      for (const example of parseDatasetJsonl(bytes).examples) {
        const hash = exampleHash(example);
        if (!wanted.has(hash) || found.has(hash)) continue;
        found.set(hash, { ...tokenizeExample(params.tokenizer, example), id: hash });
      }
    }
  }
  const missing = job.exampleHashes.filter((h) => !found.has(h.toLowerCase()));
  if (missing.length > 0) {
    throw new ReplayJobError("sequences-unavailable", job.jobId, `${missing.length} of the job's ${job.exampleHashes.length} examples are in none of the sequences or datasets given (first: ${missing[0]})`, {
      hint: "A pool record holds example hashes, not the examples: pass the job's data contribution files (--data) or the tokenized sequences (--sequences)",
    });
  }
  const sequences = job.exampleHashes.map((h) => found.get(h.toLowerCase())!);
  if (job.sequencesHash !== undefined) {
    const actual = hashSequences(sequences);
    if (actual !== job.sequencesHash) {
      throw new ReplayJobError("sequences-mismatch", job.jobId, `the job's examples, ${source === "supplied" ? "as supplied" : "re-tokenized"}, hash to ${actual}, not the job's sequencesHash ${job.sequencesHash}`, {
        hint: "Tokenize with the job's base model and the eval pipeline's chat template (or pass the exact sequences the coordinator trained on)",
      });
    }
  }
  return { sequences, source, bound: job.sequencesHash !== undefined };
}
