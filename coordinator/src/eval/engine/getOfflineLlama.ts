import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { classifyLlamaLog } from "./classifyLlamaLog.js";

type LlamaLogger = (level: "debug" | "warn" | "error", message: string) => void;

export interface GetOfflineLlamaParameters {
  gpu: false | "auto" | "cuda" | "vulkan";
  /** llama.cpp's warnings and errors (its info and debug lines are dropped; expected warnings come as debug: classifyLlamaLog). */
  logger?: LlamaLogger;
}

/** A use of the process's llama.cpp binding: `release` when done (never `llama.dispose()`). */
export interface OfflineLlamaLease {
  llama: Llama;
  release(): Promise<void>;
}

interface SharedBinding {
  llama: Promise<Llama>;
  loggers: Set<LlamaLogger>;
}

/**
 * One binding per process and GPU setting. llama.cpp's log callback is process-global, and
 * node-llama-cpp 3.x loses it when a second binding replaces it while the first is live (in
 * llama/addon/globals/addonLog.cpp, setLogger releases the old callback, whose finalizer clears
 * the "callback set" flag after the new one was set): every later line then goes raw to the
 * terminal, past every logger (the demo's gateway after its eval printed 22 LoRA lines that way;
 * test/ts/eval/secondLlamaLogs.test.ts). So engines in one process share the binding, each
 * lease's logger hears its lines, and the binding lives until the process exits (node-llama-cpp
 * disposes it then; it never holds the process open).
 */
const shared = new Map<string, SharedBinding>();

/**
 * node-llama-cpp's binding from the prebuilt binaries npm installed: never builds, never
 * downloads (the project is offline at run time), no progress output. Shared by every engine
 * of the process (see above); each lease's logger gets llama.cpp's lines while it is held.
 */
export async function getOfflineLlama({ gpu, logger }: GetOfflineLlamaParameters): Promise<OfflineLlamaLease> {
  const key = String(gpu);
  let binding = shared.get(key);
  if (!binding) {
    const loggers = new Set<LlamaLogger>();
    const created: SharedBinding = {
      loggers,
      llama: getLlama({
        gpu,
        build: "never",
        usePrebuiltBinaries: true,
        skipDownload: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          const as = classifyLlamaLog(level, message);
          if (as) for (const log of loggers) log(as, message);
        },
      }),
    };
    created.llama.catch(() => shared.delete(key));
    shared.set(key, created);
    binding = created;
  }
  const llama = await binding.llama;
  const { loggers } = binding;
  // A lease of its own even where two callers pass the same function.
  const own: LlamaLogger = (level, message) => logger?.(level, message);
  loggers.add(own);
  let released = false;
  return {
    llama,
    release: async () => {
      if (released) return;
      released = true;
      loggers.delete(own);
    },
  };
}
