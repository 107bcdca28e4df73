/**
 * Gateway overhead benchmark: `npx tsx scripts/bench-gateway.ts [--requests 48] [--max-tokens 32] [--threads 1]`.
 *
 * On a tiny qwen2 model (written here, F32, with one LoRA adapter in a local content store), one
 * run measures requests/s and p50/p99 latency of streamed calls (a) straight into the serving
 * engine and (b) through the whole gateway over HTTP (auth, reservation, generation, charge,
 * proof, SSE), at 1 and 8 concurrent streams, and the overhead ratio b/a; then the time to build
 * and sign one proof; then the gas of settling batches of 1, 10 and 50 charges on the in-process chain. The ledger is the real SQLite one (a temp file; every call authenticates, reserves, commits
 * a charge and saves its proof in it), credited by a recorded deposit.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { getAddress, zeroAddress, type Address } from "viem";
import { createLocalContentStore } from "../coordinator/src/storage/createLocalContentStore.js";
import { parseGatewayConfig } from "../gateway/src/config/parseGatewayConfig.js";
import { createGateway } from "../gateway/src/createGateway.js";
import { createProofIssuer } from "../gateway/src/server/createProofIssuer.js";
import { writeAdapter, writeModel } from "../test/ts/eval/fixtures/scoringFixtures.js";
import { openLedger } from "../gateway/src/ledger/openLedger.js";
import { deployLocalProtocol } from "../test/ts/chain/deployLocalProtocol.js";
import { mintLiveIngot } from "../test/ts/gateway/fixtures/localGatewayChain.js";
import { deployGatewayDeposits } from "../gateway/src/chain/deployGatewayDeposits.js";
import { createSettlementChain } from "../gateway/src/chain/createSettlementChain.js";
import { gatewayDepositsAbi } from "../gateway/src/chain/gatewayDepositsAbi.js";
import { ledgerToGatewayLedger } from "../gateway/src/server/ledgerToGatewayLedger.js";

const { values } = parseArgs({ options: { requests: { type: "string", default: "48" }, "max-tokens": { type: "string", default: "32" }, threads: { type: "string", default: "1" } } });
const REQUESTS = Number(values.requests);
const MAX_TOKENS = Number(values["max-tokens"]);
const THREADS = Number(values.threads);

const dir = mkdtempSync(join(tmpdir(), "ingotforge-bench-gateway-"));
try {
  const { model, path } = writeModel(dir, 31, "F32", { contextLength: 512 });
  const store = await createLocalContentStore({ dir: join(dir, "store") });
  const { root } = await store.put(readFileSync(writeAdapter(dir, "bench", model, 0.5).path));
  const sqlite = openLedger({ path: join(dir, "ledger.sqlite") });
  const ledger = ledgerToGatewayLedger(sqlite);
  const payer = getAddress("0x00000000000000000000000000000000000000dd");
  const { apiKey } = sqlite.createApiKey({ payer, label: "bench" });
  sqlite.recordChainEvents({ deposits: [{ depositId: `0x${"ab".repeat(32)}:0`, payer, asset: zeroAddress, amount: 10n ** 30n, blockNumber: 1n }], withdrawals: [], toBlock: 1n });
  const config = parseGatewayConfig({
    server: { host: "127.0.0.1", port: 0, seller: "gw.bench" },
    model: { path, threads: THREADS, maxConcurrent: 8, maxQueue: 64, maxCompletionTokens: 256 },
    storage: { localDir: join(dir, "store") },
    ledger: { path: join(dir, "ledger.sqlite") },
    proof: { privateKeyHex: randomBytes(32).toString("hex") },
    billing: { defaultPricePerTokenWei: "1000" },
    ingots: [{ ingotId: 1, baseModelName: "tiny", baseModelRoot: `0x${"33".repeat(32)}`, adapterRoot: root }],
    log: { level: "silent" },
  });
  const gateway = await createGateway({ config, logger: pino({ level: "silent" }), ledger, store });
  const base = await gateway.listen();
  const messages = [{ role: "user" as const, content: "unsafe { let p = &x as *const u32; *p }" }];
  const body = { model: "ingot-1", messages, max_tokens: MAX_TOKENS, stream: true, stream_options: { include_usage: true } };

  const direct = async () => {
    const prompt = gateway.engine.prepare({ kind: "chat", messages }, { maxTokens: MAX_TOKENS });
    let pieces = 0;
    const r = await gateway.engine.generate({ adapterRoot: root, prompt, onToken: () => pieces++ });
    return r.completionTokens;
  };
  const viaGateway = async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200 || !text.endsWith("data: [DONE]\n\n")) throw new Error(`gateway answered ${res.status}: ${text.slice(0, 200)}`);
    const usage = text.split("\n\n").map((l) => l.slice(6)).filter((d) => d.includes('"usage"')).map((d) => JSON.parse(d).usage)[0];
    return usage.completion_tokens as number;
  };

  const measure = async (call: () => Promise<number>, concurrency: number) => {
    const latencies: number[] = [];
    let tokens = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < REQUESTS) {
          next++;
          const t0 = performance.now();
          const generated = await call();
          tokens += generated;
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
    return { rps: REQUESTS / seconds, p50: q(0.5), p99: q(0.99), tokensPerRequest: tokens / REQUESTS };
  };

  // Warm up: the adapter fetch and context creation happen once, outside the timings.
  await direct();
  await viaGateway();
  console.log(`tiny qwen2 (hidden 64, 2 layers, vocab 320, F32), LoRA rank 4; ${REQUESTS} streamed chat calls per row, max_tokens ${MAX_TOKENS}, ${THREADS} llama.cpp thread(s)`);
  console.log("streams  path     req/s    p50 ms   p99 ms   tokens/req");
  for (const c of [1, 8]) {
    const a = await measure(direct, c);
    const b = await measure(viaGateway, c);
    const row = (name: string, m: typeof a) => console.log(`${String(c).padStart(7)}  ${name.padEnd(7)} ${m.rps.toFixed(1).padStart(6)}  ${m.p50.toFixed(1).padStart(8)} ${m.p99.toFixed(1).padStart(8)}   ${m.tokensPerRequest.toFixed(1)}`);
    row("engine", a);
    row("gateway", b);
    console.log(`         overhead: p50 ×${(b.p50 / a.p50).toFixed(2)}, throughput ×${(a.rps / b.rps).toFixed(2)}`);
  }

  // Proof creation + signing (buildProof: two hashes, chain hash, two Ed25519 signatures).
  const issuer = createProofIssuer({ signer: gateway.signer, seller: "gw.bench" });
  const response = { id: "chatcmpl-x", object: "chat.completion", created: 1, model: "ingot-1", choices: [{ index: 0, message: { role: "assistant", content: "x".repeat(200) }, logprobs: null, finish_reason: "length" }], usage: { prompt_tokens: 180, completion_tokens: 32, total_tokens: 212 } };
  const caller = { keyId: "k", payer, fingerprint: "ab".repeat(32) };
  const charge = { chargeId: "chg_1", payer, asset: "0x0000000000000000000000000000000000000000" as Address, ingotId: 1n, amount: 212000n, promptTokens: 180, completionTokens: 32, createdAt: "" };
  const ingot = config.ingots.map((i) => ({ ...i, model: "ingot-1" }))[0];
  const N = 500;
  for (let i = 0; i < 20; i++) issuer.issue({ request: body, response, caller, charge, ingot, timestamp: new Date() });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) issuer.issue({ request: body, response, caller, charge: { ...charge, chargeId: `chg_${i}` }, ingot, timestamp: new Date() });
  console.log(`proof creation + signing: ${((performance.now() - t0) / N).toFixed(3)} ms per call (${N} proofs)`);
  await gateway.close();
  sqlite.close();

  // Settlement gas: one batch of n charges (each from its own payer's deposit) into one Ingot,
  // from the receipt of GatewayDeposits.settle on the in-process chain (real protocol, a LIVE Ingot).
  const env = await deployLocalProtocol();
  const ingotId = await mintLiveIngot(env, "bench");
  const { deposits } = await deployGatewayDeposits({ connection: env.connection, splitter: env.ctx.addresses.splitter, withdrawalDelay: 3600n });
  const settlement = createSettlementChain({ publicClient: env.publicClient as never, walletClient: env.wallets[0], deposits });
  const payers = env.wallets.slice(1, 10);
  for (const w of payers) {
    const hash = await w.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [w.account.address], value: 10n ** 18n });
    await env.publicClient.waitForTransactionReceipt({ hash });
  }
  console.log("settlement gas (GatewayDeposits.settle → RevenueSplitter.pay, one Ingot, ETH)");
  for (const n of [1, 10, 50]) {
    const batchLedger = openLedger({ path: join(dir, `settle-${n}.sqlite`) });
    batchLedger.recordChainEvents({ deposits: await settlement.readDeposits({ fromBlock: 0n, toBlock: await settlement.latestBlock() }), withdrawals: [], toBlock: await settlement.latestBlock() });
    for (let i = 0; i < n; i++) {
      const payerOf = getAddress(payers[i % payers.length].account.address);
      const reservationId = batchLedger.reserve({ payer: payerOf, asset: zeroAddress, ingotId, amount: 1_000_000n });
      batchLedger.commitCharge({ reservationId, amount: 1_000_000n - BigInt(i), promptTokens: 100, completionTokens: 32 });
    }
    const batch = batchLedger.createBatch({ asset: zeroAddress, maxCharges: n })!;
    const result = await settlement.settleBatch(batch);
    if (result.status !== "settled") throw new Error(`batch of ${n} was not settled: ${result.status}`);
    console.log(`  ${String(n).padStart(3)} charges (${batch.debits.length} payers → ${batch.credits.length} Ingot): ${result.gasUsed} gas, ${(Number(result.gasUsed) / n).toFixed(0)} gas per charge`);
    batchLedger.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
