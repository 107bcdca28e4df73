/**
 * Errors every gateway part may raise, each with the data a caller needs. The HTTP layer maps
 * them to OpenAI-shaped errors (`{ error: { message, type, param, code } }`) by `status` and `code`.
 */
import type { Address } from "viem";

export abstract class GatewayError extends Error {
  /** HTTP status the API answers with. */
  abstract readonly status: number;
  /** OpenAI `error.code`. */
  abstract readonly code: string;
  /** OpenAI `error.type`. */
  abstract readonly type: string;
  readonly param: string | null = null;
}

export class UnknownApiKeyError extends GatewayError {
  readonly status = 401; readonly code = "invalid_api_key"; readonly type = "invalid_request_error";
  constructor() { super("Incorrect API key provided."); this.name = "UnknownApiKeyError"; }
}

export class RevokedApiKeyError extends GatewayError {
  readonly status = 401; readonly code = "api_key_revoked"; readonly type = "invalid_request_error";
  constructor(readonly keyId: string) { super(`API key ${keyId} has been revoked.`); this.name = "RevokedApiKeyError"; }
}

export class RateLimitedError extends GatewayError {
  readonly status = 429; readonly code = "rate_limit_exceeded"; readonly type = "requests";
  constructor(readonly keyId: string, readonly limitPerMinute: number, readonly retryAfterMs: number) {
    super(`Rate limit of ${limitPerMinute} requests per minute reached for key ${keyId}; retry in ${Math.ceil(retryAfterMs / 1000)} s.`);
    this.name = "RateLimitedError";
  }
}

export class InsufficientCreditError extends GatewayError {
  readonly status = 402; readonly code = "insufficient_credit"; readonly type = "insufficient_quota";
  /**
   * @param available the payer's spendable credit (0 when it is below zero)
   * @param short how far below zero it is: served calls the deposit no longer covers (a
   *   withdrawal took it), or a withdrawal request for more than was free
   */
  constructor(readonly payer: Address, readonly asset: Address, readonly available: bigint, readonly required: bigint, readonly short: bigint = 0n) {
    super(
      short > 0n
        ? `Payer ${payer} has no credit in ${asset}: it is ${short} wei short (calls already served that its deposit no longer covers, or a pending withdrawal request), and this call may cost up to ${required}. Deposit at least ${short + required} wei into GatewayDeposits to continue.`
        : `Payer ${payer} has ${available} wei of credit in ${asset}; this call may cost up to ${required}. Deposit at least ${required - available} wei more into GatewayDeposits to continue.`,
    );
    this.name = "InsufficientCreditError";
  }
}

export class UnknownModelError extends GatewayError {
  readonly status = 404; readonly code = "model_not_found"; readonly type = "invalid_request_error";
  override readonly param = "model";
  constructor(readonly model: string) { super(`The model '${model}' does not exist or is not a LIVE Ingot served here.`); this.name = "UnknownModelError"; }
}

export class InvalidRequestError extends GatewayError {
  readonly status = 400; readonly code = "invalid_request"; readonly type = "invalid_request_error";
  override readonly param: string | null;
  constructor(message: string, param: string | null = null) { super(message); this.param = param; this.name = "InvalidRequestError"; }
}

export class PromptTooLongError extends GatewayError {
  readonly status = 400; readonly code = "context_length_exceeded"; readonly type = "invalid_request_error";
  override readonly param = "messages";
  constructor(readonly promptTokens: number, readonly maxTokens: number, readonly limit: number) {
    super(`This model's limit is ${limit} tokens; the prompt has ${promptTokens} and ${maxTokens} were asked to be generated.`);
    this.name = "PromptTooLongError";
  }
}

export class ServerBusyError extends GatewayError {
  readonly status = 503; readonly code = "server_busy"; readonly type = "server_error";
  /** Sent as `retry-after` (whole seconds): a slot frees as soon as one call ends. */
  readonly retryAfterMs = 1000;
  constructor(readonly running: number, readonly queued: number, readonly queueLimit: number) {
    super(`The gateway is busy (${running} running, ${queued} queued, queue limit ${queueLimit}); retry shortly.`);
    this.name = "ServerBusyError";
  }
}

export class AdapterIntegrityError extends GatewayError {
  readonly status = 502; readonly code = "adapter_unavailable"; readonly type = "server_error";
  constructor(readonly adapterRoot: string, readonly reason: string) {
    super(`The adapter stored under ${adapterRoot} could not be used: ${reason}.`);
    this.name = "AdapterIntegrityError";
  }
}
