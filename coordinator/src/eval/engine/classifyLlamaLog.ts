import { LlamaLogLevel } from "node-llama-cpp";

/**
 * llama.cpp warnings that say nothing is wrong: with LoRA adapters on a CPU build, every adapter
 * tensor logs "llama_adapter_lora_init_impl: lora for '…' cannot use buft '…', fallback to CPU"
 * (22 lines per adapter on the demo model). They are kept for debug logs only.
 */
const EXPECTED_WARNINGS: readonly RegExp[] = [/cannot use buft .*fallback to CPU/];

/** The level a llama.cpp log line is passed on at: errors and unexpected warnings as such, expected warnings as debug, the rest dropped. */
export function classifyLlamaLog(level: LlamaLogLevel, message: string): "error" | "warn" | "debug" | undefined {
  if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) return "error";
  if (level === LlamaLogLevel.warn) return EXPECTED_WARNINGS.some((re) => re.test(message)) ? "debug" : "warn";
  return undefined;
}
