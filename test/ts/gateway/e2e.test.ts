/**
 * End to end: the official `openai` client against the gateway over HTTP — the real serving
 * engine (llama.cpp, a tiny qwen2 model and two Ingot adapters from a local content store) and
 * real Ed25519 proofs (the key from the simulated enclave, its attestation checked), the real SQLite ledger (temp file) with keys and on-chain deposits recorded.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { parseGatewayConfig } from "../../../gateway/src/config/parseGatewayConfig.js";
import { createGateway, type Gateway } from "../../../gateway/src/createGateway.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import { verifyAttestation } from "../../../gateway/src/attestation/verifyAttestation.js";
import { writeAdapter, writeModel } from "../eval/fixtures/scoringFixtures.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";
import { ledgerToGatewayLedger } from "../../../gateway/src/server/ledgerToGatewayLedger.js";
import { zeroAddress } from "viem";
import { writeFileSync } from "node:fs";
import { runVerifyProofCli } from "../../../gateway/src/cli/verifyProof.js";

/** The proof event of a raw event stream. */
const responseProofOf = (sse: string) => sse.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6))).find((e) => e.proof).proof;

const dir = mkdtempSync(join(tmpdir(), "ingotforge-gateway-e2e-"));
const payer = "0x00000000000000000000000000000000000000bb" as Address;
const broke = "0x00000000000000000000000000000000000000cc" as Address;
let gateway: Gateway;
let ledger: Ledger;
const keys: Record<string, string> = {};
let baseURL: string;
const client = (name = "alice") => { const apiKey = keys[name] ?? "sk-unknown"; return new OpenAI({ apiKey, baseURL, maxRetries: 0 }); };
const PRICE = 1_000n;

beforeAll(async () => {
  const { model, path } = writeModel(dir, 21, "F32", { contextLength: 512 });
  const store = await createLocalContentStore({ dir: join(dir, "store") });
  const roots: Hex[] = [];
  for (const seed of ["one", "two"]) roots.push((await store.put(readFileSync(writeAdapter(dir, seed, model, 0.5).path))).root);
  ledger = openLedger({ path: join(dir, "ledger.sqlite") });
  keys.alice = ledger.createApiKey({ payer }).apiKey;
  const revoked = ledger.createApiKey({ payer });
  keys.revoked = revoked.apiKey;
  ledger.revokeApiKey(revoked.keyId);
  keys.broke = ledger.createApiKey({ payer: broke }).apiKey;
  const deposit = (n: number, who: Address, amount: bigint) => ({ depositId: `0x${"d".repeat(64)}:${n}`, payer: who, asset: zeroAddress, amount, blockNumber: 1n });
  ledger.recordChainEvents({ deposits: [deposit(0, payer, 10n ** 18n), deposit(1, broke, 10n)], withdrawals: [], toBlock: 1n });
  const config = parseGatewayConfig({
    server: { host: "127.0.0.1", port: 0, seller: "gw.e2e.test" },
    model: { path, threads: 1, maxConcurrent: 1, maxQueue: 0, maxCompletionTokens: 400 },
    storage: { localDir: join(dir, "store") },
    ledger: { path: join(dir, "ledger.sqlite") },
    // The proof key from the simulated enclave, so the attestation path runs end to end.
    proof: { enclave: { kind: "simulated", secretSeed: `0x${randomBytes(32).toString("hex")}` } },
    billing: { defaultPricePerTokenWei: PRICE.toString(), ingotPricesWei: { "2": "7" } },
    ingots: roots.map((adapterRoot, i) => ({ ingotId: i + 1, baseModelName: "tiny-qwen2", baseModelRoot: `0x${"22".repeat(32)}`, adapterRoot })),
    log: { level: "silent" },
  });
  gateway = await createGateway({ config, logger: pino({ level: "silent" }), ledger: ledgerToGatewayLedger(ledger), store });
  baseURL = `${await gateway.listen()}/v1`;
});
afterAll(async () => {
  await gateway?.close();
  ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

const status = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(OpenAI.APIError);
  const api = e as InstanceType<typeof OpenAI.APIError>;
  return { status: api.status, code: api.code, param: api.param };
};

describe("gateway end to end (openai client)", () => {
  it("models_listsBothIngots", async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(["ingot-1", "ingot-2"]);
  });

  it("chat_returnsDeterministicText_chargesItsTokens_andAVerifiableProof", async () => {
    const body = { model: "ingot-1", messages: [{ role: "user" as const, content: "unsafe { *p }" }], max_tokens: 12 };
    const { data, response } = await client().chat.completions.create(body).withResponse();
    const again = await client().chat.completions.create(body);
    expect(again.choices[0].message.content).toBe(data.choices[0].message.content);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    const charge = ledger.getCharge((data as unknown as { proof: { payment: { transaction_id: string } } }).proof.payment.transaction_id)!;
    expect(charge.amount).toBe(BigInt(data.usage!.total_tokens) * PRICE);
    const { proof, ...plain } = data as unknown as Record<string, unknown> & { proof: { proof_id: string } };
    expect(response.headers.get("x-ingotforge-proof-id")).toBe(proof.proof_id);
    const fetched = await (await fetch(`${baseURL}/proofs/${proof.proof_id}`)).json();
    expect(fetched).toEqual(proof);
    const verdict = verifyProof(fetched, { publicKey: gateway.signer.publicKeyHex, request: body, response: plain, apiKey: keys.alice, proofId: proof.proof_id });
    expect(verdict.errors).toEqual([]);
    // The key that signed it is the one the enclave's quote commits to.
    const attestation = await (await fetch(`${baseURL}/attestation`)).json();
    expect(await verifyAttestation(attestation, { publicKey: (proof as unknown as { signature: { public_key: string } }).signature.public_key })).toMatchObject({ valid: true, attested: true, simulated: true });
  });

  it("credit_reportsWhatThePayerMaySpend_andWhatIsChargedButNotSettled_asDecimalStrings", async () => {
    const credit = () => fetch(`${baseURL}/credit`, { headers: { authorization: `Bearer ${keys.alice}` } }).then((r) => r.json() as Promise<Record<string, string>>);
    const before = await credit();
    const done = await client().completions.create({ model: "ingot-1", prompt: "a b", max_tokens: 4 });
    const after = await credit();
    const cost = BigInt(done.usage!.total_tokens) * PRICE;
    expect(after).toMatchObject({ object: "credit", payer, asset: zeroAddress, short: "0", reserved: "0", deferred: "0", pending_withdrawal: "0" });
    expect(BigInt(after.available)).toBe(BigInt(before.available) - cost);
    expect(BigInt(after.unsettled)).toBe(BigInt(before.unsettled) + cost);
    expect(BigInt(after.available) + BigInt(after.unsettled)).toBe(10n ** 18n);
    expect((await fetch(`${baseURL}/credit`)).status).toBe(401);
  });

  it("chatStream_deliversTheSameText_withUsageAndAProofChunk", async () => {
    const body = { model: "ingot-2", messages: [{ role: "user" as const, content: "unsafe { *p }" }], max_tokens: 12 };
    const plain = await client().chat.completions.create(body);
    const streamBody = { ...body, stream: true as const, stream_options: { include_usage: true } };
    const { data: stream, response } = await client().chat.completions.create(streamBody).withResponse();
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let proof: any;
    let first: OpenAI.ChatCompletionChunk | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      first ??= chunk;
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
      if ((chunk as any).proof) proof = (chunk as any).proof;
    }
    expect(text).toBe(plain.choices[0].message.content);
    expect(usage).toEqual(plain.usage);
    expect(response.headers.get("x-ingotforge-proof-id")).toBe(proof.proof_id);
    expect(first!.choices[0].delta.role).toBe("assistant");
    expect(finish).toBe(plain.choices[0].finish_reason);
    // Ingot 2's price override.
    expect(proof.payment.amount).toBe(String(BigInt(usage!.total_tokens) * 7n));
  });

  it.each([true, false])("chatStream_theChunksTheOpenaiClientYielded_verifyAgainstTheProof_withIncludeUsage%s", async (includeUsage) => {
    const streamBody = { model: "ingot-1", messages: [{ role: "user" as const, content: "unsafe { *p }" }], max_tokens: 12, stream: true as const, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) };
    const stream = await client().chat.completions.create(streamBody);
    const chunks: Record<string, any>[] = [];
    for await (const chunk of stream) chunks.push(chunk as unknown as Record<string, any>);
    const proof = chunks.find((c) => c.proof)!.proof;
    expect(chunks.some((c) => c.usage)).toBe(includeUsage);
    const received = chunks.filter((c) => !c.proof);
    const pinned = { publicKey: gateway.signer.publicKeyHex, request: streamBody, apiKey: keys.alice };
    expect(verifyProof(proof, { ...pinned, response: received }).errors).toEqual([]);
    const contentChunks = received.filter((c) => c.choices[0]?.delta?.content).length;
    expect(proof.usage.completion_tokens).toBeGreaterThanOrEqual(contentChunks);
    if (includeUsage) expect(chunks.find((c) => c.usage)!.usage).toEqual(proof.usage);
    expect(proof.payment).toMatchObject({ status: "charged", amount: String(BigInt(proof.usage.total_tokens) * PRICE) });
    // A client that changes what it received no longer matches.
    const edited = structuredClone(received);
    edited[1].choices[0].delta.content += "!";
    expect(verifyProof(proof, { ...pinned, response: edited }).checks.response_hash.status).toBe("fail");

    // verify-proof --response: the chunks saved as JSON (the proof chunk in it is left out), and the raw stream saved from fetch.
    const files = mkdtempSync(join(dir, "verify-"));
    writeFileSync(join(files, "proof.json"), JSON.stringify(proof));
    writeFileSync(join(files, "req.json"), JSON.stringify(streamBody));
    writeFileSync(join(files, "chunks.json"), JSON.stringify(chunks));
    writeFileSync(join(files, "edited.json"), JSON.stringify(edited));
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), readStdin: async () => "" };
    const cli = (...args: string[]) => runVerifyProofCli([join(files, "proof.json"), "--public-key", gateway.signer.publicKeyHex, "--request", join(files, "req.json"), ...args], io);
    expect(await cli("--response", join(files, "chunks.json"))).toBe(0);
    expect(out.join("")).toMatch(/PASS\s+response_hash\s/);
    expect(await cli("--response", join(files, "edited.json"))).toBe(1);

    const raw = await fetch(`${baseURL}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${keys.alice}`, "content-type": "application/json" }, body: JSON.stringify(streamBody) });
    const rawText = await raw.text();
    writeFileSync(join(files, "stream.txt"), rawText);
    const rawProof = responseProofOf(rawText);
    writeFileSync(join(files, "proof.json"), JSON.stringify(rawProof));
    out.length = 0;
    expect(await cli("--response", join(files, "stream.txt"))).toBe(0);
    expect(out.join("")).toMatch(/PASS\s+response_hash\s/);
  });

  it("jsonMode_jsonObjectAndJsonSchema_answerJsonThatParses_streamedOrWhole", async () => {
    const messages = [{ role: "user" as const, content: "unsafe { *p } as json" }];
    const plain = await client().chat.completions.create({ model: "ingot-1", messages, max_tokens: 60 });
    expect(() => JSON.parse(plain.choices[0].message.content!)).toThrow();
    const asObject = await client().chat.completions.create({ model: "ingot-1", messages, max_tokens: 60, response_format: { type: "json_object" } });
    expect(asObject.choices[0].finish_reason).toBe("stop");
    expect(typeof JSON.parse(asObject.choices[0].message.content!)).toBe("object");

    const schema = { type: "object", properties: { sound: { type: "boolean" }, issue: { enum: ["aliasing", "alignment", "lifetime"] } }, required: ["sound", "issue"], additionalProperties: false };
    const body = { model: "ingot-2", messages, max_tokens: 60, response_format: { type: "json_schema" as const, json_schema: { name: "review", schema, strict: true } } };
    const whole = await client().chat.completions.create(body);
    const value = JSON.parse(whole.choices[0].message.content!);
    expect(typeof value.sound).toBe("boolean");
    expect(["aliasing", "alignment", "lifetime"]).toContain(value.issue);
    let streamed = "";
    for await (const chunk of await client().chat.completions.create({ ...body, stream: true })) streamed += chunk.choices[0]?.delta?.content ?? "";
    expect(streamed).toBe(whole.choices[0].message.content);
    // The legacy completions endpoint takes it too.
    const text = await client().completions.create({ model: "ingot-1", prompt: "unsafe { *p }", max_tokens: 60, response_format: { type: "json_object" } } as OpenAI.CompletionCreateParamsNonStreaming);
    expect(typeof JSON.parse(text.choices[0].text)).toBe("object");
  });

  it("jsonMode_aSchemaTheGrammarCannotEnforce_is400_andNothingIsReserved", async () => {
    const before = ledger.totals(zeroAddress);
    const refused = client().chat.completions.create({ model: "ingot-1", messages: [{ role: "user", content: "x" }], response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "string", pattern: "^[a-z]+$" } } } });
    expect(await status(refused)).toEqual({ status: 400, code: "invalid_request", param: "response_format.json_schema.schema" });
    expect(ledger.totals(zeroAddress)).toMatchObject({ chargeCount: before.chargeCount, reserved: 0n });
  });

  it("completions_returnTextWithinMaxTokens", async () => {
    const r = await client().completions.create({ model: "ingot-1", prompt: "let bytes = unsafe", max_tokens: 20 });
    expect(r.choices[0].text.length).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(20);
  });

  it("refusals_malformedJsonUnknownModelOversizedPromptKeysAndCredit", async () => {
    const bad = await fetch(`${baseURL}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${keys.alice}`, "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: unknown }).error).toMatchObject({ type: "invalid_request_error", code: "invalid_json", param: null });
    const msg = [{ role: "user" as const, content: "hi" }];
    expect(await status(client().chat.completions.create({ model: "ingot-7", messages: msg }))).toEqual({ status: 404, code: "model_not_found", param: "model" });
    expect(await status(client().chat.completions.create({ model: "ingot-1", messages: [{ role: "user", content: "unsafe impl Send for Foo {} ".repeat(100) }] }))).toMatchObject({ status: 400, code: "context_length_exceeded" });
    expect(await status(client("unknown").chat.completions.create({ model: "ingot-1", messages: msg }))).toMatchObject({ status: 401, code: "invalid_api_key" });
    expect(await status(client("revoked").chat.completions.create({ model: "ingot-1", messages: msg }))).toMatchObject({ status: 401, code: "api_key_revoked" });
    expect(await status(client("broke").chat.completions.create({ model: "ingot-1", messages: msg, max_tokens: 5 }))).toMatchObject({ status: 402, code: "insufficient_credit" });
    expect(ledger.availableCredit(broke, zeroAddress)).toBe(10n);
  });

  it("busyAndDisconnect_aSecondCallIs503_andAnAbortedStreamIsChargedForWhatItWasSent", async () => {
    const body = { model: "ingot-1", prompt: "unsafe impl Sync for Bar", max_tokens: 400, temperature: 0 };
    // Precondition (deterministic at temperature 0): this call runs all 400 tokens.
    const full = await client().completions.create(body);
    expect(full.choices[0].finish_reason).toBe("length");
    const before = ledger.totals(zeroAddress);
    const creditBefore = ledger.availableCredit(payer, zeroAddress);

    const { data: stream, response } = await client().completions.create({ ...body, stream: true }).withResponse();
    const it = stream[Symbol.asyncIterator]();
    let received = "";
    while (received.length < 3) received += ((await it.next()).value as OpenAI.Completion).choices[0]?.text ?? ""; // the call holds the only slot now
    expect(await status(client().completions.create({ ...body, max_tokens: 2 }))).toMatchObject({ status: 503, code: "server_busy" });
    stream.controller.abort();
    for (let i = 0; i < 200 && (gateway.engine.stats().running > 0 || ledger.totals(zeroAddress).reserved > 0n); i++) await new Promise((r) => setTimeout(r, 10));
    expect(gateway.engine.stats().running).toBe(0);
    // One partial charge: the prompt and the tokens written before the client left, no more.
    const after = ledger.totals(zeroAddress);
    expect(after.chargeCount).toBe(before.chargeCount + 1);
    expect(after.reserved).toBe(0n);
    const proof = (await (await fetch(`${baseURL}/proofs/${response.headers.get("x-ingotforge-proof-id")}`)).json()) as { payment: { status: string; amount: string }; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
    expect(proof.payment.status).toBe("partial");
    expect(proof.usage.prompt_tokens).toBe(full.usage!.prompt_tokens);
    expect(proof.usage.completion_tokens).toBeGreaterThan(0);
    expect(proof.usage.completion_tokens).toBeLessThan(400);
    expect(BigInt(proof.payment.amount)).toBe(BigInt(proof.usage.total_tokens) * PRICE);
    expect(after.charged - before.charged).toBe(BigInt(proof.payment.amount));
    expect(ledger.availableCredit(payer, zeroAddress)).toBe(creditBefore - BigInt(proof.payment.amount));
    // The gateway serves the next call normally.
    expect((await client().completions.create({ ...body, max_tokens: 3 })).usage!.completion_tokens).toBe(3);
  });
});
