import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { classifyLlamaLog } from "./classifyLlamaLog.js";

export interface GetOfflineLlamaParameters {
  gpu: false | "auto" | "cuda" | "vulkan";
  /** llama.cpp's warnings and errors (its info and debug lines are dropped; expected warnings come as debug: classifyLlamaLog). */
  logger?: (level: "debug" | "warn" | "error", message: string) => void;
}

/**
 * node-llama-cpp's binding from the prebuilt binaries npm installed: never builds, never
 * downloads (the project is offline at run time), no progress output.
 */
export function getOfflineLlama({ gpu, logger }: GetOfflineLlamaParameters): Promise<Llama> {
  return getLlama({
    gpu,
    build: "never",
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      const as = classifyLlamaLog(level, message);
      if (as) logger?.(as, message);
    },
  });
}
