import { ComputeError } from "../errors.js";

/**
 * The configured trainer command ran but did not finish the job: it could not be started, exited
 * non-zero or was killed. `stderrTail` is the end of what it wrote to stderr (at most 4 KiB).
 */
export class ExternalTrainerFailedError extends ComputeError {
  override name = "ExternalTrainerFailedError";
  constructor(
    readonly jobId: string,
    readonly exitCode: number | null,
    readonly exitSignal: string | null,
    readonly stderrTail: string,
    detail: string,
    cause?: unknown,
  ) {
    super(`The external trainer failed job ${jobId}: ${detail}${stderrTail ? `; stderr ends with:\n${stderrTail}` : ""}`, {
      hint: "Run the trainer command by hand on a kept job directory (keepJobDirs) to see why",
      retryable: true,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** The trainer command did not exit within its time limit; its process group was killed. */
export class ExternalTrainerTimeoutError extends ComputeError {
  override name = "ExternalTrainerTimeoutError";
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
    readonly stderrTail: string,
  ) {
    super(`The external trainer did not finish job ${jobId} within ${timeoutMs} ms; its process group was killed`, {
      hint: "Raise timeoutMs for this job size, or check that the trainer is not stuck (GPU busy, waiting on input)",
      retryable: true,
    });
  }
}

/** What went wrong with the trainer's PEFT output. */
export type ExternalOutputProblem = "missing" | "malformed" | "shape-mismatch";

/**
 * The trainer exited 0 but its output directory does not hold a usable PEFT adapter for this job:
 * files missing, not a LoRA adapter_config.json / safetensors pair that fits the base, or not the
 * rank, alpha and targets the job asked for.
 */
export class ExternalTrainerOutputError extends ComputeError {
  override name = "ExternalTrainerOutputError";
  constructor(
    readonly jobId: string,
    readonly problem: ExternalOutputProblem,
    detail: string,
    cause?: unknown,
  ) {
    super(`The external trainer's output for job ${jobId} is ${problem === "missing" ? "missing" : problem === "malformed" ? "not a usable PEFT LoRA adapter" : "not the adapter the job asked for"}: ${detail}`, {
      hint: "Write peft's save_pretrained output (adapter_config.json + adapter_model.safetensors, safe_serialization=True) for the job's r, lora_alpha and target_modules to $INGOTFORGE_OUTPUT_DIR; see compute/external/README.md",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}
