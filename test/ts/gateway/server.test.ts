import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { request, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import type { Address, Hex } from "viem";
import { AdapterIntegrityError, ServerBusyError } from "../../../gateway/src/errors.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { ServingError } from "../../../gateway/src/serving/errors.js";
import { responseForProof } from "../../../gateway/src/proof/responseForProof.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import { createGatewayServer } from "../../../gateway/src/server/createGatewayServer.js";
import { createProofIssuer } from "../../../gateway/src/server/createProofIssuer.js";
import { createStaticIngotCatalog } from "../../../gateway/src/server/createStaticIngotCatalog.js";
import { createPriceBook } from "../../../gateway/src/config/createPriceBook.js";
import type { GatewayServerDeps } from "../../../gateway/src/server/types.js";
import { createMemoryLedger, createScriptedEngine, type MemoryLedger } from "./fixtures/gatewayDoubles.js";

const payer = "0x00000000000000000000000000000000000000aa" as Address;
const signer = createProofSigner(randomBytes(32));
const ingot = (id: bigint) => ({ ingotId: id, model: `ingot-${id}`, baseModelName: "tiny", baseModelRoot: `0x${"11".repeat(32)}` as Hex, adapterRoot: `0x${String(id).padStart(2, "0").repeat(32)}` as Hex, metadataURI: "" });
const reply = ["Sound", "if", "p", "is", "aligned", "and", "valid."];
let ledger: MemoryLedger;
let engine: ReturnType<typeof createScriptedEngine>;
let app: ReturnType<typeof createGatewayServer>;
const auth = { authorization: "Bearer sk-good" };

beforeEach(async () => {
  ledger = createMemoryLedger();
  ledger.addKey("sk-good", payer);
  ledger.addKey("sk-revoked", payer, true);
  ledger.credit.set(payer, 10_000n);
  engine = createScriptedEngine(reply);
  await serveWith({});
});

/** (Re)start the server over this test's ledger and engine, with some dependencies replaced. */
async function serveWith(over: Partial<GatewayServerDeps>) {
  await app?.close();
  app = createGatewayServer({
    engine,
    catalog: createStaticIngotCatalog([ingot(1n), ingot(2n)]),
    ledger,
    proofs: createProofIssuer({ signer, seller: "gw.test" }),
    prices: createPriceBook({ asset: "0x0000000000000000000000000000000000000000", defaultPricePerTokenWei: 10n, ingotPricesWei: { "2": 3n } }),
    logger: pino({ level: "silent" }),
    ...over,
  });
}
afterAll(() => app?.close());

const chatBody = (over: Record<string, unknown> = {}) => ({ model: "ingot-1", messages: [{ role: "user", content: "is this sound" }], ...over });

function parseSse(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => l.slice(6))
    .map((d) => (d === "[DONE]" ? "[DONE]" : JSON.parse(d)));
}

describe("createGatewayServer", () => {
  it("models_listsTheLiveIngots_andNeedsAKey", async () => {
    const ok = await app.inject({ method: "GET", url: "/v1/models", headers: auth });
    expect(ok.json().data.map((m: { id: string }) => m.id)).toEqual(["ingot-1", "ingot-2"]);
    const none = await app.inject({ method: "GET", url: "/v1/models" });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe("missing_api_key");
  });

  it("chat_chargesDeliveredTokensAtTheIngotPrice_andReturnsAVerifiableProof", async () => {
    const body = chatBody({ model: "ingot-2", max_tokens: 5 });
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: body });
    expect(res.statusCode).toBe(200);
    const json = res.json();
    expect(json.choices[0]).toMatchObject({ message: { role: "assistant", content: "Sound if p is aligned" }, finish_reason: "length" });
    expect(json.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
    // Reserved (3 + 5) × 3, charged 8 × 3 at ingot 2's override.
    expect([...ledger.reservations.values()][0]).toMatchObject({ amount: 24n, state: "committed" });
    expect(ledger.charges[0].amount).toBe(24n);
    expect(ledger.credit.get(payer)).toBe(10_000n - 24n);
    const { proof, ...response } = json;
    expect(res.headers["x-ingotforge-proof-id"]).toBe(proof.proof_id);
    const verdict = verifyProof(proof, { publicKey: signer.publicKeyHex, request: body, response, apiKey: "sk-good", proofId: proof.proof_id });
    expect(verdict.errors).toEqual([]);
    expect(proof.payment).toMatchObject({ transaction_id: ledger.charges[0].chargeId, amount: "24", currency: "eth" });
    expect(ledger.proofs.get(proof.proof_id)).toEqual(proof);
    const fetched = await app.inject({ method: "GET", url: `/v1/proofs/${proof.proof_id}` });
    expect(fetched.json()).toEqual(proof);
  });

  // 1000 ms: every token after the role chunk is held and goes out with the last events in one write.
  it.each([0, 1000])("chatStream_sendsRoleContentFinishUsageAndProofChunks_thenDone_withAFlushIntervalOf%ims", async (streamFlushMs) => {
    await serveWith({ streamFlushMs });
    const body = chatBody({ stream: true, stream_options: { include_usage: true } });
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: body });
    expect(res.headers["content-type"]).toContain("text/event-stream");
    const events = parseSse(res.body) as Record<string, any>[];
    expect(events.at(-1)).toBe("[DONE]");
    expect(events[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    const text = events.slice(1).filter((e) => e.choices?.[0]?.delta?.content).map((e) => e.choices[0].delta.content).join("");
    expect(text).toBe(reply.join(" "));
    const finish = events.find((e) => e.choices?.[0]?.finish_reason);
    expect(finish!.choices[0].finish_reason).toBe("stop");
    const usage = events.find((e) => e.usage)!.usage;
    expect(usage).toEqual({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
    const proof = events.at(-2)!.proof;
    expect(res.headers["x-ingotforge-proof-id"]).toBe(proof.proof_id);
    // The streamed call's response hash is over the events before the proof event, as sent.
    expect(verifyProof(proof, { publicKey: signer.publicKeyHex, request: body, response: events.slice(0, -2), proofId: res.headers["x-ingotforge-proof-id"] as string }).errors).toEqual([]);
    expect(verifyProof(proof, { publicKey: signer.publicKeyHex, response: responseForProof(res.body) }).errors).toEqual([]);
    expect(verifyProof(proof, { response: events.slice(0, -3) }).errors).toEqual([expect.stringMatching(/^response_hash: /)]);
    expect(ledger.charges[0].amount).toBe(100n);
  });

  it("completions_reserveWithTheDefault16Tokens_andReturnText", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/completions", headers: auth, payload: { model: "ingot-1", prompt: "fn main" } });
    expect(res.json().choices[0].text).toBe(reply.join(" "));
    expect([...ledger.reservations.values()][0].amount).toBe((2n + 16n) * 10n);
    expect(ledger.charges[0].amount).toBe((2n + 7n) * 10n);
  });

  it("malformedJson_is400InvalidJson_inTheOpenAIShape", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { ...auth, "content-type": "application/json" }, payload: "{\"model\": " });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { message: expect.stringContaining("could not parse the JSON"), type: "invalid_request_error", param: null, code: "invalid_json" } });
  });

  it.each([
    ["a Content-Length over the limit", true],
    ["a chunked body that grows over the limit", false],
  ])("refuses %s with 413, answered after the body is read so the client gets the answer", async (_label, withLength) => {
    await serveWith({ bodyLimit: 64 * 1024 });
    const address = new URL(await app.listen({ port: 0, host: "127.0.0.1" }));
    const body = Buffer.from(JSON.stringify(chatBody({ messages: [{ role: "user", content: "a".repeat(4 * 1024 * 1024) }] })));
    const socket = connect(Number(address.port), address.hostname);
    // The client does not read until it has sent everything: an answer the server sent before
    // closing a connection with unread bytes is lost to the reset those bytes cause.
    socket.pause();
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-good\r\ncontent-type: application/json\r\n${withLength ? `content-length: ${body.length}` : "transfer-encoding: chunked"}\r\n\r\n`;
    const sent = new Promise<void>((resolve) => socket.write(Buffer.concat([Buffer.from(head), withLength ? body : Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n\r\n")])]), () => resolve()));
    socket.on("error", () => undefined);
    await Promise.race([sent, new Promise((r) => setTimeout(r, 2000))]);
    await new Promise((r) => setTimeout(r, 100));
    let received = "";
    socket.on("data", (d) => (received += d));
    const ended = new Promise<string | undefined>((resolve) => {
      socket.once("end", () => resolve(undefined));
      socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    socket.resume();
    const failure = await Promise.race([ended, new Promise<string>((r) => setTimeout(() => r("no end within 5 s"), 5000))]);
    socket.destroy();
    expect({ failure, status: received.split("\r\n")[0] }).toEqual({ failure: undefined, status: "HTTP/1.1 413 Payload Too Large" });
    const json = JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4));
    expect(json.error).toMatchObject({ code: "request_too_large", type: "invalid_request_error", message: expect.stringContaining("65536 bytes") });
    expect(ledger.reservations.size).toBe(0);
  });

  it("refuses a text/plain body with 415, saying to send JSON", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { ...auth, "content-type": "text/plain" }, payload: JSON.stringify(chatBody()) });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: "unsupported_media_type", type: "invalid_request_error", message: expect.stringMatching(/'text\/plain'.*application\/json/) });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["five stop strings", { stop: ["a", "b", "c", "d", "e"] }, "stop", /at most 4 stop strings.*got 5/],
    ["an image part", { messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "https://x/y.png" } }] }] }, "messages.0.content.1.type", /only text parts.*'image_url'/],
    ["a text part without text", { messages: [{ role: "user", content: [{ type: "text" }] }] }, "messages.0.content.0.text", /text part needs a 'text' string/],
    ["a content that is a number", { messages: [{ role: "user", content: 7 }] }, "messages.0.content", /string or a list of text parts/],
    ["a stop that is a number", { stop: 7 }, "stop", /string or a list of up to 4 strings/],
  ])("refuses %s with a message naming the field and what is allowed", async (_label, over, param, message) => {
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody(over) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "invalid_request", param });
    expect(res.json().error.message).toMatch(message);
    expect(res.json().error.message).not.toContain("Invalid input.");
  });

  it.each<[string, unknown, string, RegExp]>([
    ["an unknown response_format type", { type: "xml" }, "response_format.type", /must be text, json_object or json_schema/],
    ["a json_schema without its schema", { type: "json_schema", json_schema: { name: "x" } }, "response_format.json_schema.schema", /schema is required/],
  ])("refuses %s with 400 before reserving", async (_label, responseFormat, param, message) => {
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ response_format: responseFormat }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "invalid_request", param, message: expect.stringMatching(message) });
    expect(ledger.reservations.size).toBe(0);
  });

  it("hands the engine json_object and json_schema as output formats, and text as none", async () => {
    const seen: unknown[] = [];
    const prepare = engine.prepare;
    await serveWith({ engine: { ...engine, prepare: (p, o) => (seen.push(o?.format), prepare(p, o)), generate: engine.generate } });
    const schema = { type: "object", properties: { ok: { type: "boolean" } } };
    for (const responseFormat of [{ type: "json_object" }, { type: "json_schema", json_schema: { name: "v", schema } }, { type: "text" }]) {
      expect((await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ response_format: responseFormat }) })).statusCode).toBe(200);
    }
    expect(seen).toEqual([{ kind: "json" }, { kind: "json_schema", schema }, undefined]);
  });

  it("refuses a completions prompt of two strings, saying only one is served", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/completions", headers: auth, payload: { model: "ingot-1", prompt: ["a", "b"] } });
    expect(res.json().error).toMatchObject({ param: "prompt", message: expect.stringMatching(/exactly one.*got 2/) });
  });

  it("keys_unknownAndRevoked_are401WithTheirCodes", async () => {
    const unknown = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: "Bearer sk-nope" }, payload: chatBody() });
    const revoked = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: "Bearer sk-revoked" }, payload: chatBody() });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, "invalid_api_key"]);
    expect([revoked.statusCode, revoked.json().error.code]).toEqual([401, "api_key_revoked"]);
    expect(ledger.reservations.size).toBe(0);
  });

  it("refusals_beforeReserving_unknownModelTooLongAndBadParams", async () => {
    const unknown = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ model: "ingot-9" }) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: "model_not_found", param: "model" });
    const long = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ messages: [{ role: "user", content: "w ".repeat(60) }], max_tokens: 10 }) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
    const n = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ n: 2 }) });
    expect(n.json().error).toMatchObject({ code: "invalid_request", param: "n" });
    const role = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ messages: [{ role: "tool", content: "x" }] }) });
    expect(role.json().error.param).toBe("messages.0.role");
    expect(ledger.reservations.size).toBe(0);
    expect((await app.inject({ method: "GET", url: "/v1/nothing" })).json().error.code).toBe("unknown_url");
    expect((await app.inject({ method: "GET", url: "/v1/proofs/prf_missing" })).statusCode).toBe(404);
  });

  it("noCredit_is402_andNothingIsGenerated", async () => {
    ledger.credit.set(payer, 50n);
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ max_tokens: 10 }) });
    expect(res.statusCode).toBe(402);
    expect(res.json().error).toMatchObject({ code: "insufficient_credit", type: "insufficient_quota" });
    expect(engine.calls).toHaveLength(0);
  });

  it("engineFailures_busyOrBadAdapter_releaseTheReservation", async () => {
    engine.failNext(new ServerBusyError(4, 16, 16));
    const busy = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody() });
    engine.failNext(new AdapterIntegrityError(`0x${"01".repeat(32)}`, "its bytes hash to 0xdead"));
    const bad = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody() });
    expect([busy.statusCode, busy.json().error.code]).toEqual([503, "server_busy"]);
    expect(busy.headers["retry-after"]).toBe("1");
    expect([bad.statusCode, bad.json().error.code]).toEqual([502, "adapter_unavailable"]);
    expect([...ledger.reservations.values()].map((r) => r.state)).toEqual(["released", "released"]);
    expect(ledger.charges).toHaveLength(0);
  });

  it("proofFailure_answers500_chargesNothing_storesNoProof_andReleasesTheReservation", async () => {
    await serveWith({ proofs: { issue: () => Promise.reject(new Error("the signer is unreachable")) } });
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody() });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toBeDefined();
    expect([...ledger.reservations.values()].map((r) => r.state)).toEqual(["released"]);
    expect(ledger.charges).toHaveLength(0);
    expect(ledger.proofs.size).toBe(0);
    expect(ledger.credit.get(payer)).toBe(10_000n);
  });

  // 1000 ms: the tokens before the failure are still queued when it comes, and must go out with the error.
  it.each([0, 1000])("streamFailingAfterItStarted_deliversTheTokensSentAnErrorEventAndThePartialProof_withoutDone_andChargesWhatWasSent_withAFlushIntervalOf%ims", async (streamFlushMs) => {
    const failing: GatewayServerDeps["engine"] = {
      prepare: engine.prepare,
      async generate(p) {
        p.onStart?.();
        p.onToken?.("Sound", 1);
        p.onToken?.(" if", 2);
        throw new ServingError("llama.cpp failed mid-generation");
      },
    };
    await serveWith({ engine: failing, streamFlushMs });
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ stream: true }) });
    expect(res.statusCode).toBe(200);
    const events = parseSse(res.body) as Record<string, any>[];
    expect(events[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(events.slice(1, 3).map((e) => e.choices[0].delta.content)).toEqual(["Sound", " if"]);
    expect(events).toHaveLength(5);
    expect(events[3].error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    expect(events[4].proof.payment.status).toBe("partial");
    expect(res.body.includes("[DONE]")).toBe(false);
    expect([...ledger.reservations.values()].map((r) => r.state)).toEqual(["committed"]);
    expect(ledger.charges).toHaveLength(1);
    const [charge] = ledger.charges;
    expect(charge!.completionTokens).toBe(2);
    expect(charge!.amount).toBe(BigInt(charge!.promptTokens + 2) * 10n);
    expect(ledger.credit.get(payer)).toBe(10_000n - charge!.amount);
    expect(events[4].proof.payment.amount).toBe(charge!.amount.toString());
  });

  it("servedCall_logsOneCallServedLineWithItsStageTimings_andNoPerRequestNoise", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (line, _e, done) => (lines.push(JSON.parse(String(line))), done()) });
    await serveWith({ logger: pino({ level: "info" }, sink) });
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: auth, payload: chatBody({ max_tokens: 3 }) });
    expect(res.statusCode).toBe(200);
    expect(lines.map((l) => l.msg)).toEqual(["call served"]);
    const ms = lines[0].ms as Record<string, number>;
    expect(Object.keys(ms).sort()).toEqual(["admit", "commit", "generate", "proof"]);
    for (const v of Object.values(ms)) expect(v).toBeGreaterThanOrEqual(0);
    expect(lines[0]).toMatchObject({ chargeId: ledger.charges[0].chargeId, completion_tokens: 3, proofId: res.json().proof.proof_id });
  });

  it.each([0, 1000])("streamDisconnect_stopsGeneration_releasesTheReservation_andChargesNothing_withAFlushIntervalOf%ims", async (streamFlushMs) => {
    await serveWith({ streamFlushMs });
    let open!: () => void;
    engine.hold(new Promise<void>((r) => (open = r)));
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    // node:http with no agent, so the client's one socket closes when the call is dropped.
    const req = request(`${address}/v1/chat/completions`, { method: "POST", agent: false, headers: { ...auth, "content-type": "application/json" } });
    req.end(JSON.stringify(chatBody({ stream: true })));
    const [res] = (await once(req, "response")) as [IncomingMessage];
    await once(res, "data"); // the role chunk: the call is running
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    open();
    for (let i = 0; i < 100 && engine.running > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.running).toBe(0);
    expect([...ledger.reservations.values()].map((r) => r.state)).toEqual(["released"]);
    expect(ledger.charges).toHaveLength(0);
    expect(ledger.credit.get(payer)).toBe(10_000n);
  });
});
