/**
 * A stream the client leaves early is paid for what it was sent: the prompt and the completion
 * tokens written to its socket, no more and no less, over the real SQLite ledger (credit
 * conserved: what was reserved is charged or freed, to the wei).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { zeroAddress, type Address, type Hex } from "viem";
import { createPriceBook } from "../../../gateway/src/config/createPriceBook.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import { createGatewayServer } from "../../../gateway/src/server/createGatewayServer.js";
import { createProofIssuer } from "../../../gateway/src/server/createProofIssuer.js";
import { createStaticIngotCatalog } from "../../../gateway/src/server/createStaticIngotCatalog.js";
import { ledgerToGatewayLedger } from "../../../gateway/src/server/ledgerToGatewayLedger.js";
import { createScriptedEngine } from "./fixtures/gatewayDoubles.js";

const dir = mkdtempSync(join(tmpdir(), "ingotforge-gateway-partial-"));
const payer = "0x00000000000000000000000000000000000000aa" as Address;
const signer = createProofSigner(randomBytes(32));
const PRICE = 10n;
const DEPOSIT = 1_000_000n;
const TOKENS = 100;
const words = Array.from({ length: TOKENS }, (_, i) => `w${i}`);
const ingot = { ingotId: 1n, model: "ingot-1", baseModelName: "tiny", baseModelRoot: `0x${"11".repeat(32)}` as Hex, adapterRoot: `0x${"01".repeat(32)}` as Hex, metadataURI: "" };
const body = { model: "ingot-1", messages: [{ role: "user", content: "is this sound" }], max_tokens: TOKENS, stream: true };
const PROMPT_TOKENS = 3;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let ledger: Ledger;
let engine: ReturnType<typeof createScriptedEngine>;
let app: ReturnType<typeof createGatewayServer>;
let apiKey: string;
let n = 0;

beforeEach(() => {
  ledger = openLedger({ path: join(dir, `ledger-${n++}.sqlite`) });
  apiKey = ledger.createApiKey({ payer }).apiKey;
  ledger.recordChainEvents({ deposits: [{ depositId: `0x${"d".repeat(64)}:0`, payer, asset: zeroAddress, amount: DEPOSIT, blockNumber: 1n }], withdrawals: [], toBlock: 1n });
  engine = createScriptedEngine(words, { contextSize: 256, maxCompletionTokens: 128 });
  app = createGatewayServer({
    engine,
    catalog: createStaticIngotCatalog([ingot]),
    ledger: ledgerToGatewayLedger(ledger),
    proofs: createProofIssuer({ signer, seller: "gw.test" }),
    prices: createPriceBook({ asset: zeroAddress, defaultPricePerTokenWei: PRICE, ingotPricesWei: {} }),
    logger: pino({ level: "silent" }),
    streamFlushMs: 0,
  });
});
afterEach(async () => {
  await app.close();
  ledger.close();
});

const until = async (done: () => boolean, what: string) => {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

/** Stream a call over node:http, read until `tokens` content deltas have arrived, then drop the connection. */
async function streamAndLeaveAfter(tokens: number): Promise<{ proofId: string; events: Record<string, any>[] }> {
  let open!: () => void;
  engine.pauseAfter(tokens, new Promise<void>((r) => (open = r)));
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  const req = request(`${address}/v1/chat/completions`, { method: "POST", agent: false, headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" } });
  req.end(JSON.stringify(body));
  const [res] = (await new Promise((resolve) => req.once("response", (r) => resolve([r])))) as [IncomingMessage];
  const events: Record<string, any>[] = [];
  let buffered = "";
  await new Promise<void>((resolve) => {
    res.on("data", (data: Buffer) => {
      buffered += data.toString("utf8");
      const parts = buffered.split("\n\n");
      buffered = parts.pop()!;
      for (const part of parts) events.push(JSON.parse(part.slice("data: ".length)));
      if (events.filter((e) => e.choices?.[0]?.delta?.content).length >= tokens) resolve();
    });
  });
  req.destroy();
  res.destroy();
  // Let the server see the connection close while generation is held, then let generation go on.
  await new Promise((r) => setTimeout(r, 50));
  open();
  await until(() => ledger.totals(zeroAddress).reserved === 0n && engine.running === 0, "the call to end");
  return { proofId: res.headers["x-ingotforge-proof-id"] as string, events };
}

describe("a stream the client leaves early", () => {
  it.each([
    ["1 token", 1],
    ["50 % of the tokens", TOKENS / 2],
    ["99 % of the tokens", TOKENS - 1],
  ])("charges the prompt and exactly the tokens delivered when the client leaves after %s, with credit conserved", async (_label, delivered) => {
    const { proofId, events } = await streamAndLeaveAfter(delivered);
    const content = events.filter((e) => e.choices?.[0]?.delta?.content).map((e) => e.choices[0].delta.content);
    expect(content).toHaveLength(delivered);

    const totals = ledger.totals(zeroAddress);
    const expected = BigInt(PROMPT_TOKENS + delivered) * PRICE;
    expect(totals.chargeCount).toBe(1);
    expect(totals.charged).toBe(expected);
    // Reserved (prompt + max_tokens) × price = charged + released: nothing held, nothing lost.
    expect(totals.reserved).toBe(0n);
    expect(ledger.availableCredit(payer, zeroAddress)).toBe(DEPOSIT - expected);

    const proof = ledger.getProof(proofId);
    expect(proof).toBeDefined();
    const json = JSON.parse(proof!.json);
    expect(json.payment).toMatchObject({ status: "partial", amount: expected.toString() });
    expect(json.usage).toEqual({ prompt_tokens: PROMPT_TOKENS, completion_tokens: delivered, total_tokens: PROMPT_TOKENS + delivered });
    const charge = ledger.getCharge(json.payment.transaction_id)!;
    expect([charge.promptTokens, charge.completionTokens, charge.amount]).toEqual([PROMPT_TOKENS, delivered, expected]);
    // Its response hash is over exactly the events the client received.
    expect(verifyProof(json, { publicKey: signer.publicKeyHex, request: body, response: events, proofId }).errors).toEqual([]);
  });

  it("queues the partial proof for a time-stamped batch too, and serves it pending until then", async () => {
    await app.close();
    const queued: [string, string][] = [];
    app = createGatewayServer({
      engine,
      catalog: createStaticIngotCatalog([ingot]),
      ledger: ledgerToGatewayLedger(ledger),
      proofs: createProofIssuer({ signer, seller: "gw.test" }),
      prices: createPriceBook({ asset: zeroAddress, defaultPricePerTokenWei: PRICE, ingotPricesWei: {} }),
      logger: pino({ level: "silent" }),
      streamFlushMs: 0,
      witnesses: { add: (id, chain) => void queued.push([id, chain]), witnessOf: () => undefined },
    });
    const { proofId } = await streamAndLeaveAfter(10);
    const stored = JSON.parse(ledger.getProof(proofId)!.json);
    expect(stored.payment.status).toBe("partial");
    expect(queued).toEqual([[proofId, stored.hashes.chain.slice("sha256:".length)]]);
    const served = (await app.inject({ method: "GET", url: `/v1/proofs/${proofId}` })).json();
    expect(served.witness).toEqual({ status: "pending", url: `/v1/proofs/${proofId}` });
    expect(verifyProof(served, { publicKey: signer.publicKeyHex }).errors).toEqual([]);
  });

  it("charges nothing when the client leaves before any token was written", async () => {
    let open!: () => void;
    engine.hold(new Promise<void>((r) => (open = r)));
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const req = request(`${address}/v1/chat/completions`, { method: "POST", agent: false, headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" } });
    req.end(JSON.stringify(body));
    const [res] = (await new Promise((resolve) => req.once("response", (r) => resolve([r])))) as [IncomingMessage];
    await new Promise((r) => res.once("data", r)); // the role chunk only
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    open();
    await until(() => ledger.totals(zeroAddress).reserved === 0n && engine.running === 0, "the call to end");
    expect(ledger.totals(zeroAddress)).toMatchObject({ chargeCount: 0, charged: 0n, reserved: 0n });
    expect(ledger.availableCredit(payer, zeroAddress)).toBe(DEPOSIT);
  });
});

describe("a stream the gateway fails mid-way", () => {
  /** Every `data:` event of a stream read whole, `[DONE]` left out. */
  const eventsOf = (payload: string) =>
    payload
      .split("\n\n")
      .filter((part) => part.startsWith("data: ") && part !== "data: [DONE]")
      .map((part) => JSON.parse(part.slice("data: ".length)) as Record<string, any>);

  it.each([
    ["1 token", 1],
    ["50 % of the tokens", TOKENS / 2],
    ["99 % of the tokens", TOKENS - 1],
  ])("charges the prompt and exactly the tokens delivered when generation fails after %s, and sends the error then the partial proof", async (_label, delivered) => {
    engine.failAfter(delivered, new Error("llama_decode failed: out of KV slots"));
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: `Bearer ${apiKey}` }, payload: body });
    expect(res.statusCode).toBe(200);
    const events = eventsOf(res.payload);
    const content = events.filter((e) => e.choices?.[0]?.delta?.content).map((e) => e.choices[0].delta.content);
    expect(content).toHaveLength(delivered);
    const error = events.find((e) => e.error);
    expect(error?.error).toMatchObject({ type: "server_error", code: "internal_error" });
    const last = events[events.length - 1]!;
    expect(last.proof).toBeDefined();
    expect(events.indexOf(error!)).toBe(events.length - 2);

    const expected = BigInt(PROMPT_TOKENS + delivered) * PRICE;
    const totals = ledger.totals(zeroAddress);
    expect(totals).toMatchObject({ chargeCount: 1, charged: expected, reserved: 0n });
    expect(ledger.availableCredit(payer, zeroAddress)).toBe(DEPOSIT - expected);
    expect(last.proof.payment).toMatchObject({ status: "partial", amount: expected.toString() });
    expect(last.proof.usage).toEqual({ prompt_tokens: PROMPT_TOKENS, completion_tokens: delivered, total_tokens: PROMPT_TOKENS + delivered });
    expect(JSON.parse(ledger.getProof(last.proof.proof_id)!.json).payment.status).toBe("partial");
    // The response hash covers every event before the proof, the error event included: what the client holds.
    const received = events.filter((e) => !("proof" in e));
    expect(verifyProof(last.proof, { publicKey: signer.publicKeyHex, request: body, response: received, proofId: res.headers["x-ingotforge-proof-id"] as string }).errors).toEqual([]);
  });

  it("charges nothing when generation fails before any token was written, and sends the error alone", async () => {
    engine.failAfter(0, new Error("llama_decode failed"));
    const res = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: `Bearer ${apiKey}` }, payload: body });
    const events = eventsOf(res.payload);
    expect(events.some((e) => e.error)).toBe(true);
    expect(events.some((e) => e.proof)).toBe(false);
    expect(ledger.totals(zeroAddress)).toMatchObject({ chargeCount: 0, charged: 0n, reserved: 0n });
    expect(ledger.availableCredit(payer, zeroAddress)).toBe(DEPOSIT);
  });
});
