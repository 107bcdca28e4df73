/**
 * The `npm run gateway` process against a chain: it reads the LIVE Ingots from the Ingot
 * contract, registers its (simulated) enclave's proof key in ProofKeyRegistry, syncs the payer's deposit into its ledger, serves the official openai client, and
 * its settlement loop pays the charge into the RevenueSplitter (held back first, under the
 * configured minimum batch, until it is `maxBatchDelayMs` old); a second process on the same
 * ledger is refused; SIGINT stops it cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { getAddress, parseEther, zeroAddress, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { writeAdapter, writeModel } from "../eval/fixtures/scoringFixtures.js";
import { mintLiveIngot, serveJsonRpc, type Env } from "./fixtures/localGatewayChain.js";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { deployGatewayDeposits } from "../../../gateway/src/chain/deployGatewayDeposits.js";
import { gatewayDepositsAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import { deployProofKeyRegistry } from "../../../gateway/src/attestation/deployProofKeyRegistry.js";
import { proofKeyRegistryAbi } from "../../../gateway/src/attestation/proofKeyRegistryAbi.js";
import { readProofKeyRegistration } from "../../../gateway/src/attestation/readProofKeyRegistration.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";

const SERVE = fileURLToPath(new URL("../../../gateway/src/cli/serve.ts", import.meta.url));
// Hardhat's first default account (the public test mnemonic): the deployer, and so the settler.
const SETTLER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const PRICE = 1_000n;
const HOLD_MS = 3_000;

describe("the gateway process (serve CLI) on a chain", () => {
  let env: Env;
  let server: Server;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-serve-"));
    env = await deployLocalProtocol();
    server = await serveJsonRpc(env.connection.provider as never);
  }, 240_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (server) await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the chain's LIVE Ingot to the openai client, charges the synced deposit and settles it into the RevenueSplitter", async () => {
    const { model, path: modelPath } = writeModel(dir, 23, "F32", { contextLength: 256 });
    const store = await createLocalContentStore({ dir: join(dir, "store") });
    const baseModelRoot = await computeContentRoot(new Uint8Array(readFileSync(modelPath)));
    const adapterRoot = (await store.put(readFileSync(writeAdapter(dir, "served", model, 0.5).path))).root;
    const ingotId = await mintLiveIngot(env, "serve", { baseModelRoot, adapterRoot });
    const otherBase = await mintLiveIngot(env, "other base"); // another base model: not served here
    const { deposits } = await deployGatewayDeposits({ connection: env.connection, splitter: env.ctx.addresses.splitter, withdrawalDelay: 3600n });
    // The gateway's proof key comes from the simulated enclave and registers itself here at start.
    const { registry } = await deployProofKeyRegistry({ connection: env.connection, verifier: env.ctx.addresses.verifier });
    await env.publicClient.waitForTransactionReceipt({ hash: await env.wallets[0].writeContract({ address: registry, abi: proofKeyRegistryAbi, functionName: "setMeasurementAllowed", args: [SIMULATED_MEASUREMENT, true] }) });
    const payer: Address = getAddress(env.wallets[7].account.address);
    const hash = await env.wallets[7].writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [payer], value: parseEther("1") });
    await env.publicClient.waitForTransactionReceipt({ hash });

    const ledgerPath = join(dir, "ledger.sqlite");
    const setup = openLedger({ path: ledgerPath });
    const { apiKey } = setup.createApiKey({ payer });
    setup.close();
    writeFileSync(join(dir, "settler.key"), `${SETTLER_KEY}\n`, { mode: 0o600 });
    const config = {
      server: { host: "127.0.0.1", port: 0, seller: "gateway.test" },
      model: { path: modelPath, threads: 1, maxCompletionTokens: 16 },
      storage: { localDir: join(dir, "store") },
      ledger: { path: ledgerPath },
      proof: { enclave: { kind: "simulated", secretSeed: `0x${"5e".repeat(32)}` } },
      billing: { defaultPricePerTokenWei: String(PRICE) },
      chain: { rpcUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deposits, ingot: env.ctx.addresses.ingot, settlerKeyFile: join(dir, "settler.key"), intervalMs: 300, minBatchAmountWei: String(parseEther("1")), maxBatchDelayMs: HOLD_MS, proofKeyRegistry: registry },
      log: { level: "info" },
    };
    writeFileSync(join(dir, "gateway.json"), JSON.stringify(config));

    child = spawn(process.execPath, ["--import", "tsx", SERVE, "--config", join(dir, "gateway.json")], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
    const address = await waitFor(() => out.match(/"address":"(http:\/\/[^"]+)"[^\n]*"gateway listening"/)?.[1], 120_000, () => out);
    // The deposit made before the start is credit from the first request on: it was read before the gateway listened.
    const credit = (await (await fetch(`${address}/v1/credit`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { available: string };
    expect(credit.available).toBe(String(parseEther("1")));

    // A second gateway started on the same ledger by mistake is refused before it serves anything.
    const second = spawn(process.execPath, ["--import", "tsx", SERVE, "--config", join(dir, "gateway.json")], { stdio: ["ignore", "pipe", "pipe"] });
    let secondErr = "";
    second.stderr!.on("data", (d: Buffer) => (secondErr += d.toString()));
    expect(await new Promise<number | null>((resolve) => second.on("exit", resolve))).toBe(1);
    expect(secondErr).toMatch(/ledger\.sqlite: The ledger is in use by another gateway process \(pid \d+ on /);

    // Its proof key was registered from the enclave's quote before it listened.
    expect(out).toContain("proof key registered from the enclave's quote");
    const attestation = (await (await fetch(`${address}/v1/attestation`)).json()) as { public_key: string };
    expect(await readProofKeyRegistration({ publicClient: env.publicClient, registry, publicKey: attestation.public_key })).toMatchObject({ valid: true, simulated: true });

    const client = new OpenAI({ apiKey, baseURL: `${address}/v1`, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual([`ingot-${ingotId}`]);
    expect(otherBase).not.toBe(ingotId);
    const splitterBefore = await env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
    const servedAt = Date.now();
    const completion = await client.completions.create({ model: `ingot-${ingotId}`, prompt: "a b c", max_tokens: 8, temperature: 0 });
    const charged = BigInt(completion.usage!.total_tokens) * PRICE;
    expect(BigInt((completion as unknown as { proof: { payment: { amount: string } } }).proof.payment.amount)).toBe(charged);

    // The settlement loop holds the charge (far under the 1 ETH minimum) until it is HOLD_MS old,
    // then pays exactly the charge into the splitter, and debits the deposit.
    await waitFor(async () => (await env.publicClient.getBalance({ address: env.ctx.addresses.splitter })) - splitterBefore === charged || undefined, 60_000, () => out);
    expect(Date.now() - servedAt).toBeGreaterThanOrEqual(HOLD_MS);
    expect(out).toMatch(new RegExp(`"charges":1,"amount":"${charged}"[^\n]*"charges wait to be batched`));
    expect(await env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "balanceOf", args: [payer, zeroAddress] })).toBe(parseEther("1") - charged);

    child.kill("SIGINT");
    expect(await exited, out).toBe(0);
    const ledger = openLedger({ path: ledgerPath });
    try {
      expect(ledger.totals(zeroAddress)).toMatchObject({ charged, settled: charged, reserved: 0n, chargeCount: 1, settledChargeCount: 1 });
      // Stopping cleanly let the serving lease go: the next process takes it at once.
      expect(ledger.takeServingLease({ owner: "next", ttlMs: 30_000 })).toEqual({ releasedReservations: 0 });
    } finally {
      ledger.close();
    }
  }, 300_000);
});

describe("the gateway process (serve CLI) when it cannot start", () => {
  it("exitsWithOneLineSayingWhy_andLetsTheLedgerGo_whenItsEnclaveDoesNotAnswer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gateway-nostart-"));
    try {
      const ledgerPath = join(dir, "ledger.sqlite");
      const config = {
        server: { host: "127.0.0.1", port: 0, seller: "gateway.test" },
        model: { path: join(dir, "base.gguf") },
        storage: { localDir: join(dir, "store") },
        ledger: { path: ledgerPath },
        proof: { enclave: { kind: "dstack", endpoint: join(dir, "no-dstack.sock") } },
        billing: { defaultPricePerTokenWei: "1" },
      };
      writeFileSync(join(dir, "gateway.json"), JSON.stringify(config));
      const child = spawn(process.execPath, ["--import", "tsx", SERVE, "--config", join(dir, "gateway.json")], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      expect(await new Promise<number | null>((resolve) => child.on("exit", resolve))).toBe(1);
      // One line of its own (node's SQLite ExperimentalWarning may come before it), and no stack.
      expect(err).toMatch(/^the gateway could not start: .*no-dstack\.sock.*$/m);
      expect(err).not.toMatch(/^\s+at /m);
      const ledger = openLedger({ path: ledgerPath });
      try {
        // The lease was let go: another process takes it at once, even as another owner.
        expect(() => ledger.takeServingLease({ owner: "next", ttlMs: 30_000 })).not.toThrow();
      } finally {
        ledger.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, context: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met in ${timeoutMs} ms; process output:\n${context()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
