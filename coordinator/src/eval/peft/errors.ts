/** Errors of the PEFT adapter import; each says what is wrong and what to do. */

export class PeftError extends Error {
  override name = "PeftError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The bytes are not a well-formed safetensors file. */
export class SafetensorsFormatError extends PeftError {
  override name = "SafetensorsFormatError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(`Not a valid safetensors file: ${message}. Check that adapter_model.safetensors was copied completely.`, options);
  }
}

/** adapter_config.json is unreadable or describes something we cannot convert. */
export class PeftConfigError extends PeftError {
  override name = "PeftConfigError";
  constructor(problems: string[], options?: { cause?: unknown }) {
    super(`adapter_config.json cannot be used: ${problems.join("; ")}.`, options);
  }
}

/** The adapter's tensors do not fit a qwen2 LoRA adapter for this base model. */
export class PeftAdapterError extends PeftError {
  override name = "PeftAdapterError";
  constructor(
    readonly problems: string[],
    advice = "Train with peft's LoraConfig on q/k/v/o_proj, gate/up/down_proj or lm_head of the same base model, without DoRA, lora_bias or modules_to_save.",
  ) {
    super(`PEFT adapter cannot be converted: ${problems.slice(0, 6).join("; ")}${problems.length > 6 ? `; and ${problems.length - 6} more` : ""}. ${advice}`);
  }
}
