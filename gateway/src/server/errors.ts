/** API errors of the HTTP layer that gateway/src/errors.ts does not define. */
import { GatewayError } from "../errors.js";

/** No `Authorization: Bearer <key>` header. */
export class MissingApiKeyError extends GatewayError {
  readonly status = 401; readonly code = "missing_api_key"; readonly type = "invalid_request_error";
  constructor() {
    super("You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");
    this.name = "MissingApiKeyError";
  }
}

/** GET /v1/proofs/:id for an id this gateway never issued. */
export class UnknownProofError extends GatewayError {
  readonly status = 404; readonly code = "proof_not_found"; readonly type = "invalid_request_error";
  override readonly param = "id";
  constructor(readonly proofId: string) {
    super(`No proof with id '${proofId}' was issued by this gateway.`);
    this.name = "UnknownProofError";
  }
}

/** A route that does not exist. */
export class UnknownRouteError extends GatewayError {
  readonly status = 404; readonly code = "unknown_url"; readonly type = "invalid_request_error";
  constructor(readonly method: string, readonly url: string) {
    super(`Unknown request URL: ${method} ${url}.`);
    this.name = "UnknownRouteError";
  }
}

/** A request body over `server.bodyLimitBytes` (answered once the body has been read, so the client gets the answer). */
export class RequestTooLargeError extends GatewayError {
  readonly status = 413; readonly code = "request_too_large"; readonly type = "invalid_request_error";
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than this gateway accepts (${limitBytes} bytes). Send a shorter request: fewer or shorter messages.`);
    this.name = "RequestTooLargeError";
  }
}

/** A body that is not JSON by its content type (fastify parses only `application/json` here). */
export class UnsupportedMediaTypeError extends GatewayError {
  readonly status = 415; readonly code = "unsupported_media_type"; readonly type = "invalid_request_error";
  constructor(readonly contentType: string) {
    super(`This endpoint takes a JSON body, and the request's Content-Type is '${contentType}'. Send the body as JSON with 'Content-Type: application/json'.`);
    this.name = "UnsupportedMediaTypeError";
  }
}
