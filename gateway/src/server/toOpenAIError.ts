import { GatewayError, InvalidRequestError } from "../errors.js";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ToOpenAIErrorReturnType {
  status: number;
  body: OpenAIErrorBody;
  /** Extra response headers (`retry-after` for rate limits). */
  headers: Record<string, string>;
}

/**
 * The OpenAI error shape for anything a handler throws: a GatewayError by its status, code, type
 * and param; fastify's own request errors (malformed or empty JSON, wrong content type, body too
 * large) as invalid requests with their status; anything else as a 500 that reveals nothing.
 */
export function toOpenAIError(error: unknown): ToOpenAIErrorReturnType {
  if (error instanceof GatewayError) {
    const headers: Record<string, string> = {};
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfterMs === "number") headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    return { status: error.status, headers, body: { error: { message: error.message, type: error.type, param: error.param, code: error.code } } };
  }
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const fastifyCode = typeof e.code === "string" ? e.code : "";
    const json = fastifyCode === "FST_ERR_CTP_INVALID_JSON_BODY" || fastifyCode === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError;
    const message = json
      ? `We could not parse the JSON body of your request (${String(e.message)}). Send valid JSON with 'Content-Type: application/json'.`
      : String(e.message);
    const base = new InvalidRequestError(message);
    const code = json ? "invalid_json" : fastifyCode === "FST_ERR_CTP_BODY_TOO_LARGE" ? "request_too_large" : fastifyCode === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? "unsupported_media_type" : base.code;
    return { status: e.statusCode, headers: {}, body: { error: { message, type: base.type, param: null, code } } };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { message: "The gateway had an internal error while processing your request; retry, and report it if it persists.", type: "server_error", param: null, code: "internal_error" } },
  };
}
