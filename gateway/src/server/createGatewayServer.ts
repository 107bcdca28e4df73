import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { UnknownModelError } from "../errors.js";
import { drainRequest } from "./drainRequest.js";
import { RequestTooLargeError, UnknownProofError, UnknownRouteError, UnsupportedMediaTypeError } from "./errors.js";
import { handleCompletion } from "./handleCompletion.js";
import { readApiKey } from "./readApiKey.js";
import { toOpenAIError } from "./toOpenAIError.js";
import type { GatewayServerDeps } from "./types.js";
import { pendingWitness } from "../witness/pendingWitness.js";
import type { ServedIngot } from "../types.js";

/**
 * The OpenAI-compatible HTTP API of the gateway (fastify), over the dependencies passed in:
 *
 * - `GET  /v1/models`, `GET /v1/models/:model` — the LIVE Ingots served (bearer key required)
 * - `POST /v1/chat/completions` — chat, `stream: true` as SSE (`stream_options.include_usage`)
 * - `POST /v1/completions` — raw text completion, same billing and streaming
 * - `GET  /v1/credit` — the key's payer's credit in the billing asset (bearer key required; not
 *   an OpenAI endpoint): what it may spend, how short it is, what is held, unsettled or deferred
 * - `GET  /v1/proofs/:id` — a proof this gateway issued (public: anyone may verify a call), with
 *   its batch witness once the batch is time-stamped (`witness.status: "pending"` before)
 * - `GET  /v1/attestation` — what vouches for the key proofs are signed with: an enclave quote
 *   that commits to it, or `kind: "none"` for a key from the config (public)
 *
 * Errors are OpenAI-shaped, `{ error: { message, type, param, code } }`, with the GatewayError's
 * status; malformed JSON is a 400. Each paid call answers with its proof id in the
 * `x-ingotforge-proof-id` header. Call `listen` (or `inject` in tests) on the result.
 */
export function createGatewayServer(deps: GatewayServerDeps): FastifyInstance {
  const { catalog, ledger, logger } = deps;
  // fastify's own two lines per request are off: each paid call logs one "call served" line with
  // its charge, usage, proof and stage timings, and failures are logged by the error handler.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
  });

  // Bodies are JSON only: fastify's text/plain parser would hand a string to the handlers.
  app.removeContentTypeParser("text/plain");
  const bodyLimit = deps.bodyLimit ?? 1024 * 1024;
  app.setErrorHandler(async (error, request, reply) => {
    const tooLarge = (error as { code?: unknown }).code === "FST_ERR_CTP_BODY_TOO_LARGE";
    if (tooLarge) {
      // fastify stops reading at the limit and closes the connection after its answer. Bytes the
      // client is still sending would then meet a closed socket, whose reset can wipe the answer
      // before the client reads it (EPIPE, ECONNRESET): read the rest first, within bounds.
      await drainRequest(request.raw, { maxBytes: Math.max(16 * bodyLimit, 64 * 1024 * 1024), maxMs: 10_000 });
    }
    const code = (error as { code?: unknown }).code;
    const shown =
      tooLarge ? new RequestTooLargeError(bodyLimit)
      : code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? new UnsupportedMediaTypeError(String(request.headers["content-type"] ?? ""))
      : error;
    const { status, body, headers } = toOpenAIError(shown);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.debug({ code: body.error.code }, "request refused");
    return reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = toOpenAIError(new UnknownRouteError(request.method, request.url));
    void reply.code(status).send(body);
  });

  const modelObject = (i: ServedIngot) => ({
    id: i.model,
    object: "model",
    created: 0,
    owned_by: "ingotforge",
    ingot_id: i.ingotId.toString(),
    base_model: i.baseModelName,
    base_model_root: i.baseModelRoot,
    adapter_root: i.adapterRoot,
    metadata_uri: i.metadataURI,
  });

  app.get("/v1/models", async (request) => {
    await ledger.authenticate(readApiKey(request.headers.authorization));
    return { object: "list", data: (await catalog.list()).map(modelObject) };
  });
  app.get<{ Params: { model: string } }>("/v1/models/:model", async (request) => {
    await ledger.authenticate(readApiKey(request.headers.authorization));
    const ingot = await catalog.find(request.params.model);
    if (!ingot) throw new UnknownModelError(request.params.model);
    return modelObject(ingot);
  });
  app.post("/v1/chat/completions", (request, reply) => handleCompletion(deps, "chat", request, reply));
  app.post("/v1/completions", (request, reply) => handleCompletion(deps, "text", request, reply));
  app.get("/v1/credit", async (request) => {
    const caller = await ledger.authenticate(readApiKey(request.headers.authorization));
    const asset = deps.prices.asset;
    const c = await ledger.creditOf({ caller, asset });
    // Wei exceed 2^53: amounts are decimal strings.
    return {
      object: "credit",
      payer: caller.payer,
      asset,
      available: c.available.toString(),
      short: c.short.toString(),
      reserved: c.reserved.toString(),
      unsettled: c.unsettled.toString(),
      deferred: c.deferred.toString(),
      pending_withdrawal: c.pendingWithdrawal.toString(),
    };
  });
  app.get("/v1/attestation", async (request, reply) => {
    if (!deps.attestation) {
      const { status, body } = toOpenAIError(new UnknownRouteError(request.method, request.url));
      return reply.code(status).send(body);
    }
    return deps.attestation;
  });
  app.get<{ Params: { id: string } }>("/v1/proofs/:id", async (request) => {
    const proof = await ledger.getProof(request.params.id);
    if (!proof) throw new UnknownProofError(request.params.id);
    if (!deps.witnesses) return proof;
    const witness = await deps.witnesses.witnessOf(proof.proof_id);
    return { ...proof, witness: witness ?? pendingWitness(proof.proof_id) };
  });
  return app;
}
