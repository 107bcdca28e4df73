import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { UnknownModelError } from "../errors.js";
import { canonicalJson } from "../proof/canonicalJson.js";
import { GenerationAbortedError } from "../serving/errors.js";
import type { ChatMessage, GenerateResult, OutputFormat, ServingPrompt } from "../serving/types.js";
import type { Charge } from "../types.js";
import { createSseWriter } from "./createSseWriter.js";
import { parseBody } from "./parseBody.js";
import { readApiKey } from "./readApiKey.js";
import { chatCompletionRequestSchema, completionRequestSchema, contentText } from "./requestSchemas.js";
import { toOpenAIError } from "./toOpenAIError.js";
import type { GatewayServerDeps, Reservation } from "./types.js";
import { pendingWitness } from "../witness/pendingWitness.js";

/** The response header that names the call's proof (sent first on streams, so it is known before the proof exists). */
export const PROOF_ID_HEADER = "x-ingotforge-proof-id";

export type CompletionKind = "chat" | "text";

/**
 * One billed call, for POST /v1/chat/completions (`chat`) and POST /v1/completions (`text`):
 * authenticate → validate → find the Ingot → tokenize and check limits → reserve the most it may
 * cost ((prompt + max_tokens) × price) → generate (queued) → issue the proof of the charge for
 * the tokens delivered → commit the charge and its proof together → respond (with the proof as a `proof` field, or as the
 * last SSE chunk before `[DONE]`). Streamed tokens go through `createSseWriter`, at most one
 * socket write per `streamFlushMs`. Any failure before the first token is sent releases the
 * reservation; a client that disconnects stops generation and is charged for what it was sent:
 * nothing for a whole answer it never got, the prompt and the tokens written for a stream (see
 * `endEarly`); a stream whose generation fails mid-way is charged the same way (`failMidStream`).
 */
export async function handleCompletion(deps: GatewayServerDeps, kind: CompletionKind, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { engine, catalog, ledger, proofs, prices, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const receivedAt = performance.now();
  const caller = await ledger.authenticate(readApiKey(request.headers.authorization));
  const body = request.body;
  const common =
    kind === "chat" ? parseBody(chatCompletionRequestSchema, body) : parseBody(completionRequestSchema, body);
  const ingot = await catalog.find(common.model);
  if (!ingot) throw new UnknownModelError(common.model);

  let prompt: ServingPrompt;
  let maxTokens: number | undefined;
  if (kind === "chat") {
    const chat = common as ReturnType<typeof parseBody<typeof chatCompletionRequestSchema>>;
    const messages: ChatMessage[] = chat.messages.map((m) => ({ role: m.role === "developer" ? "system" : m.role, content: contentText(m.content) }));
    prompt = { kind: "chat", messages };
    maxTokens = chat.max_completion_tokens ?? chat.max_tokens ?? undefined;
  } else {
    const text = common as ReturnType<typeof parseBody<typeof completionRequestSchema>>;
    prompt = { kind: "text", text: typeof text.prompt === "string" ? text.prompt : text.prompt[0] };
    // The legacy completions API generates 16 tokens unless told otherwise.
    maxTokens = text.max_tokens ?? 16;
  }
  const rf = common.response_format;
  const format: OutputFormat | undefined =
    rf?.type === "json_object" ? { kind: "json" } : rf?.type === "json_schema" ? { kind: "json_schema", schema: rf.json_schema.schema } : undefined;
  const prepared = engine.prepare(prompt, { maxTokens, ...(format ? { format } : {}) });
  const price = prices.priceOf(ingot);
  const stream = common.stream === true;
  const includeUsage = stream && common.stream_options?.include_usage === true;
  const stop = common.stop == null ? [] : typeof common.stop === "string" ? [common.stop] : common.stop;
  const id = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${randomBytes(12).toString("hex")}`;
  const created = Math.floor(now().getTime() / 1000);
  const model = ingot.model;
  const log = logger.child({ call: id, keyId: caller.keyId, model });

  const reservation: Reservation = await ledger.reserve({
    caller,
    asset: price.asset,
    amount: BigInt(prepared.promptTokens + prepared.maxTokens) * price.pricePerToken,
    ingotId: ingot.ingotId,
  });
  const admittedAt = performance.now();
  const controller = new AbortController();
  const sse = createSseWriter({ sink: reply.raw, flushIntervalMs: deps.streamFlushMs ?? 0 });
  const onClose = () => {
    if (reply.raw.writableFinished) return;
    sse.cancel();
    controller.abort(new Error("the client closed the connection"));
  };
  reply.raw.on("close", onClose);
  const proofId = stream ? `prf_${stamp(now())}_${randomBytes(6).toString("hex")}` : undefined;
  const chunk = (delta: { role?: "assistant"; content?: string; text?: string }, finishReason: string | null) =>
    kind === "chat"
      ? { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta: { ...(delta.role ? { role: delta.role } : {}), ...(delta.content !== undefined ? { content: delta.content } : {}) }, logprobs: null, finish_reason: finishReason }] }
      : { id, object: "text_completion", created, model, choices: [{ text: delta.text ?? "", index: 0, logprobs: null, finish_reason: finishReason }] };

  // Every stream event sent, with the completion tokens whose text it completes (0 for the role
  // chunk) and its canonical JSON, made as it goes out so that the proof at the end only hashes.
  const sent: { chunk: unknown; tokens: number; canonical: string }[] = [];
  const send = (event: unknown, tokens: number) => {
    sent.push({ chunk: event, tokens, canonical: canonicalJson(event) });
    sse.send(event);
  };
  const canonicalList = (events: readonly { canonical: string }[]) => `[${events.map((e) => e.canonical).join(",")}]`;

  /** Issue the proof of a charge for these tokens and commit both; the reservation is released if either fails. */
  const charge = async (p: { promptTokens: number; completionTokens: number; response: unknown; responseCanonicalJson?: string; status: "charged" | "partial" }) => {
    const c = { chargeId: `chg_${randomUUID()}`, asset: price.asset, amount: BigInt(p.promptTokens + p.completionTokens) * price.pricePerToken };
    try {
      const proof = await proofs.issue({
        request: body,
        response: p.response,
        ...(p.responseCanonicalJson !== undefined ? { responseCanonicalJson: p.responseCanonicalJson } : {}),
        caller,
        charge: c,
        ingot,
        timestamp: now(),
        status: p.status,
        usage: { promptTokens: p.promptTokens, completionTokens: p.completionTokens },
        ...(proofId ? { proofId } : {}),
      });
      const signedAt = performance.now();
      const committed = await ledger.commitCharge({
        reservationId: reservation.reservationId,
        chargeId: c.chargeId,
        amount: c.amount,
        promptTokens: p.promptTokens,
        completionTokens: p.completionTokens,
        proof,
        // The witness queue is durable (the ledger's, in this transaction): a crash before the batch closes loses no proof's witness.
        ...(deps.witnesses ? { queueWitness: true } : {}),
      });
      if (!deps.witnesses) return { proof, committed, signedAt };
      // Batched and time-stamped later, off the call path; the proof delivered now says where the completed one is.
      try {
        deps.witnesses.add(proof.proof_id, proof.hashes.chain.slice("sha256:".length));
      } catch (error) {
        logger.error({ err: error, proofId: proof.proof_id }, "could not queue the proof for a time-stamped batch; it is served without a witness");
      }
      return { proof: { ...proof, witness: pendingWitness(proof.proof_id) }, committed, signedAt };
    } catch (error) {
      await Promise.resolve(ledger.releaseReservation(reservation.reservationId)).catch(() => undefined);
      throw error;
    }
  };

  /**
   * The client left before the answer was complete. A stream is charged for the prompt and the
   * completion tokens whose text was written to its socket (the events the writer handed over
   * before the connection closed), with a proof of status "partial" over exactly those events;
   * nothing is charged when no token was written (or for a whole answer never sent).
   */
  const endEarly = async (generated: number) => {
    if (!headersSent) reply.hijack();
    reply.raw.destroy();
    const written = sent.slice(0, sse.written);
    const delivered = written.reduce((most, e) => Math.max(most, e.tokens), 0);
    if (delivered === 0) {
      await ledger.releaseReservation(reservation.reservationId);
      log.info({ completionTokens: generated }, "client disconnected before any token was written; reservation released, nothing charged");
      return;
    }
    try {
      const { proof, committed } = await charge({ promptTokens: prepared.promptTokens, completionTokens: delivered, response: written.map((e) => e.chunk), responseCanonicalJson: canonicalList(written), status: "partial" });
      log.info({ chargeId: committed.chargeId, amount: committed.amount.toString(), prompt_tokens: prepared.promptTokens, completion_tokens: delivered, generated, proofId: proof.proof_id, stream }, "client disconnected; charged what was delivered");
    } catch (error) {
      log.error({ err: error, delivered }, "the partial charge of a stream the client left could not be committed; reservation released");
    }
  };

  /**
   * Generation failed after the stream started (the gateway's fault, not the client's). The
   * tokens already sent are paid for as when a client leaves: the prompt and the completion
   * tokens delivered, with a proof of status "partial" whose response hash covers every event
   * sent, the error event included; the client gets the error, then that proof. Refunding them
   * instead would make any failure a caller can provoke a way to read for free (gateway/README.md,
   * "Billing"). Nothing is charged when no token was sent.
   */
  const failMidStream = async (error: unknown) => {
    const { status, body: errorBody } = toOpenAIError(error);
    const delivered = sent.reduce((most, e) => Math.max(most, e.tokens), 0);
    (status >= 500 ? log.error.bind(log) : log.warn.bind(log))({ err: error, delivered }, "stream failed after it started");
    if (delivered === 0) {
      await ledger.releaseReservation(reservation.reservationId);
      sse.hold(errorBody);
      sse.end();
      return;
    }
    const events = [...sent, { chunk: errorBody as unknown, tokens: delivered, canonical: canonicalJson(errorBody) }];
    try {
      const { proof, committed } = await charge({ promptTokens: prepared.promptTokens, completionTokens: delivered, response: events.map((e) => e.chunk), responseCanonicalJson: canonicalList(events), status: "partial" });
      log.info({ chargeId: committed.chargeId, amount: committed.amount.toString(), prompt_tokens: prepared.promptTokens, completion_tokens: delivered, proofId: proof.proof_id }, "stream failed mid-way; charged what was delivered");
      sse.hold(errorBody);
      sse.hold({ id, object: kind === "chat" ? "chat.completion.chunk" : "text_completion", created, model, choices: [], proof });
    } catch (chargeError) {
      log.error({ err: chargeError, delivered }, "the partial charge of a stream that failed could not be committed; reservation released");
      sse.hold(errorBody);
    }
    sse.end();
  };

  let charged: Charge | undefined;
  let headersSent = false;
  try {
    let result: GenerateResult;
    try {
      result = await engine.generate({
        adapterRoot: ingot.adapterRoot,
        prompt: prepared,
        sampling: { temperature: common.temperature ?? 0, ...(common.top_p != null ? { topP: common.top_p } : {}), ...(common.seed != null ? { seed: common.seed } : {}) },
        stop,
        signal: controller.signal,
        onStart: stream
          ? () => {
              reply.hijack();
              reply.raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", [PROOF_ID_HEADER]: proofId! });
              headersSent = true;
              send(kind === "chat" ? chunk({ role: "assistant", content: "" }, null) : chunk({ text: "" }, null), 0);
            }
          : undefined,
        onToken: stream ? (piece, tokens) => send(kind === "chat" ? chunk({ content: piece }, null) : chunk({ text: piece }, null), tokens) : undefined,
      });
    } catch (error) {
      if (error instanceof GenerationAbortedError) {
        // Only onClose aborts generation, and it has cancelled the writer already.
        await endEarly(error.completionTokens);
        return;
      }
      if (headersSent && !controller.signal.aborted) {
        await failMidStream(error);
        return;
      }
      await ledger.releaseReservation(reservation.reservationId);
      throw error;
    }
    if (controller.signal.aborted) {
      // Generation ended as the client left: the last events never went out.
      await endEarly(result.completionTokens);
      return;
    }

    const generatedAt = performance.now();
    const usage = { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
    const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
    // A stream's last events before the proof: the finish chunk, and the usage chunk when asked for.
    const tail: unknown[] = [kind === "chat" ? chunk({}, result.finishReason) : chunk({ text: "" }, result.finishReason)];
    if (includeUsage) tail.push({ id, object, created, model, choices: [], usage });
    // What the proof's response hash covers: the body without its proof field, or every event of
    // the stream before the proof event, exactly as sent (the client holds the same list).
    const events = stream ? [...sent, ...tail.map((chunk) => ({ chunk, tokens: result.completionTokens, canonical: canonicalJson(chunk) }))] : [];
    const response = stream
      ? events.map((e) => e.chunk)
      : kind === "chat"
        ? { id, object: "chat.completion", created, model, choices: [{ index: 0, message: { role: "assistant", content: result.text }, logprobs: null, finish_reason: result.finishReason }], usage }
        : { id, object: "text_completion", created, model, choices: [{ text: result.text, index: 0, logprobs: null, finish_reason: result.finishReason }], usage };
    // The proof names the charge, and the charge is committed with its proof (one durable write).
    const { proof, committed, signedAt } = await charge({ promptTokens: result.promptTokens, completionTokens: result.completionTokens, response, ...(stream ? { responseCanonicalJson: canonicalList(events) } : {}), status: "charged" });
    charged = committed;
    // Where the call's time went (ms): authenticate → reserve, queue + generation, proof (hash + sign), commit (durable).
    const committedAt = performance.now();
    const ms = { admit: round(admittedAt - receivedAt), generate: round(generatedAt - admittedAt), proof: round(signedAt - generatedAt), commit: round(committedAt - signedAt) };
    log.info({ chargeId: charged.chargeId, amount: charged.amount.toString(), ...usage, proofId: proof.proof_id, stream, ms }, "call served");

    if (!stream) {
      reply.header(PROOF_ID_HEADER, proof.proof_id);
      await reply.code(200).send({ ...(response as object), proof });
      return;
    }
    // The last events (finish, usage, proof) go out with whatever tokens are still queued and [DONE], in one write.
    for (const event of tail) sse.hold(event);
    sse.hold({ id, object, created, model, choices: [], proof });
    sse.end("data: [DONE]\n\n");
  } catch (error) {
    if (!headersSent) throw error;
    // Headers are out: report in the stream, as OpenAI does, and end it.
    const { status, body: errorBody } = toOpenAIError(error);
    (status >= 500 ? log.error.bind(log) : log.warn.bind(log))({ err: error, charged: charged?.chargeId }, "stream failed after it started");
    if (!reply.raw.writableEnded) {
      sse.hold(errorBody);
      sse.end();
    }
  } finally {
    reply.raw.off("close", onClose);
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function stamp(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10).replaceAll("-", "")}_${iso.slice(11, 19).replaceAll(":", "")}`;
}
