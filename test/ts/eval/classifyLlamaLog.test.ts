import { LlamaLogLevel } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { classifyLlamaLog } from "../../../coordinator/src/eval/engine/classifyLlamaLog.js";

describe("classifyLlamaLog", () => {
  it("passes a LoRA tensor's CPU fallback on as debug, not as a warning a person reads", () => {
    expect(classifyLlamaLog(LlamaLogLevel.warn, "llama_adapter_lora_init_impl: lora for 'blk.0.attn_q.weight' cannot use buft 'CPU_REPACK', fallback to CPU")).toBe("debug");
  });

  it("keeps other warnings and every error, and drops info and debug lines", () => {
    expect(classifyLlamaLog(LlamaLogLevel.warn, "llama_context: n_ctx_per_seq (512) < n_ctx_train (32768)")).toBe("warn");
    expect(classifyLlamaLog(LlamaLogLevel.error, "fallback to CPU")).toBe("error");
    expect(classifyLlamaLog(LlamaLogLevel.fatal, "out of memory")).toBe("error");
    expect(classifyLlamaLog(LlamaLogLevel.info, "llama_model_loader: loaded meta data")).toBeUndefined();
    expect(classifyLlamaLog(LlamaLogLevel.debug, "x")).toBeUndefined();
  });
});
