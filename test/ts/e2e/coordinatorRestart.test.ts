import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, createPublicClient, hexToBytes, createWalletClient, defineChain, http, parseEther, toFunctionSelector, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { loadProtocolAbis } from "../../../coordinator/src/chain/loadProtocolAbis.js";
import type { ProtocolContext } from "../../../coordinator/src/chain/types.js";
import { withAccount } from "../../../coordinator/src/chain/withAccount.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { getForgeEnclaveKeys } from "../../../coordinator/src/chain/getForgeEnclaveKeys.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { DATA, TINY_LORA_HYPER, ensureTinyBaseModel, filesContaining, toJsonl, workerKey } from "./e2eFixtures.js";
import { deployDevProtocol } from "../../../scripts/lib/deployDevProtocol.js";
import { killGroup } from "../../../scripts/lib/killGroup.js";
import { startHardhatNode } from "../../../scripts/lib/startHardhatNode.js";
import { waitForExit } from "../../../scripts/lib/waitForExit.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const MNEMONIC = "test test test test test test test test test test test junk";

/**
 * The coordinator as a separate process against a `hardhat node`: it registers its enclave, the
 * creator seals the holdout with `seal-holdout`, the window closes, the coordinator is killed
 * (SIGKILL) after some coalitions are cached, and a restart finishes the eval with no training
 * done twice and exactly one submitEvalResult transaction; `replay` then matches the record.
 */
describe("coordinator process killed mid-eval and restarted", () => {
  let dir: string;
  let node: Awaited<ReturnType<typeof startHardhatNode>>;
  let ctx: ProtocolContext;
  let wallets: WalletClient<Transport, Chain, Account>[];
  let forge: Address;
  let dataDir: string;
  let addressesFile: string;
  let evalFile: string;
  let keyFile: string;
  const children: ChildProcess[] = [];
  const logs: string[] = [];

  const rpc = (method: string, params: unknown[] = []) => ctx.publicClient.request({ method: method as never, params: params as never });
  const env = () => ({
    ...process.env,
    PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
    INGOTFORGE_RPC_URL: node.url,
    INGOTFORGE_CHAIN_ID: "31337",
    INGOTFORGE_DATA_DIR: dataDir,
    INGOTFORGE_CONFIRMATIONS: "1",
    INGOTFORGE_LOG_LEVEL: "info",
  });
  const coordinator = (args: string[], logFile: string) => {
    const out = createWriteStream(logFile);
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["coordinator/src/service/main.ts", ...args], { cwd: ROOT, env: env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    children.push(child);
    logs.push(logFile);
    return child;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (child && child.exitCode !== null) throw new Error(`the coordinator exited (${child.exitCode}) while waiting for ${what}: ${(await readFile(logs.at(-1)!, "utf8")).slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stateOf = async () => {
    try {
      return JSON.parse(await readFile(path.join(dataDir, "coordinator-state.json"), "utf8")) as { forges: Record<string, { status: string; txHash?: Hex; attributionLogRoot?: Hex }> };
    } catch {
      return undefined;
    }
  };
  /**
   * Coalitions whose utility is cached, the empty one left out: its utility is 0 without any
   * training, so counting it would let "two cached" mean only one job trained. Keys are
   * `<seed>|<members>`; a trained coalition's utility is cached after its job is journaled.
   */
  const cachedCoalitions = async () => {
    const utilDir = path.join(dataDir, "forges", forge.toLowerCase(), "utilities");
    const files = await readdir(utilDir).catch(() => [] as string[]);
    let n = 0;
    for (const f of files.filter((f) => f.endsWith(".json"))) {
      const keys = Object.keys((JSON.parse(await readFile(path.join(utilDir, f), "utf8")) as { entries: object }).entries);
      n += keys.filter((k) => k.slice(k.indexOf("|") + 1).length > 0).length;
    }
    return n;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-restart-"));
    dataDir = path.join(dir, "coordinator");
    node = await startHardhatNode(ROOT);
    const chain = defineChain({ id: 31337, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
    const publicClient = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100 }) as PublicClient;
    wallets = Array.from({ length: 8 }, (_, i) => createWalletClient({ chain, transport: http(node.url), account: mnemonicToAccount(MNEMONIC, { addressIndex: i }), pollingInterval: 100 }));
    const { addresses } = await deployDevProtocol(ROOT, publicClient, wallets[0]);
    ctx = { publicClient, walletClient: wallets[0], addresses, abis: await loadProtocolAbis({ artifactsDir: path.join(ROOT, "artifacts") }) };
    addressesFile = path.join(dir, "addresses.json");
    await writeFile(addressesFile, JSON.stringify(addresses));
    evalFile = path.join(dir, "eval.json");
    await writeFile(evalFile, JSON.stringify({ hyper: TINY_LORA_HYPER, trainingSeeds: [1], method: { kind: "exact-shapley" }, verification: { policy: "sample", fraction: 0.5 } }));
    const key = workerKey("restart");
    keyFile = path.join(dir, "worker.key");
    await writeFile(keyFile, bytesToHex(key.privateKey), { mode: 0o600 });
    await mkdir(dataDir, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    for (const c of children) killGroup(c);
    await Promise.all(children.map(waitForExit));
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("restarts after SIGKILL mid-eval, retrains no job whose result was kept (at most the one in flight), submits once, and the record replays exactly", async () => {
    // 1. The coordinator starts and registers its (simulated) enclave.
    const first = coordinator(["run", "--addresses", addressesFile, "--eval", evalFile, "--worker-key", keyFile], path.join(dir, "run-1.log"));
    await until("the enclave registration", async () => (await readFile(path.join(dir, "run-1.log"), "utf8").catch(() => "")).includes("watching the factory"), 90_000, first);

    // 2. The creator seals the holdout to the registered enclave with the CLI and creates the Forge.
    const holdoutFile = path.join(dir, "holdout.jsonl");
    await writeFile(holdoutFile, toJsonl(DATA.holdout));
    const seal = coordinator(["seal-holdout", "--file", holdoutFile, "--addresses", addressesFile], path.join(dir, "seal.log"));
    expect((await waitForExit(seal)).code).toBe(0);
    const holdoutRoot = (await readFile(path.join(dir, "seal.log"), "utf8")).match(/^(0x[0-9a-f]{64})$/m)![1] as Hex;
    await rm(holdoutFile);

    const store = await createLocalContentStore({ dir: path.join(dataDir, "store") });
    const base = await ensureTinyBaseModel(path.join(dir, "cache"));
    const { root: baseModelRoot } = await store.put(new Uint8Array(await readFile(base.path)));
    const now = (await ctx.publicClient.getBlock()).timestamp;
    const config = exampleForgeConfig({ creator: wallets[0].account.address, now, holdoutRoot, holdoutExamples: DATA.holdout.length, baseModelRoot, allowedMeasurements: [SIMULATED_MEASUREMENT], windowSeconds: 3600n });
    forge = (await createForge(ctx, config)).forge;
    // Each contributor seals to the key of the enclave registered for the Forge's measurements.
    const [registered] = await getForgeEnclaveKeys(ctx, forge);
    for (const [i, examples] of [DATA.alice, DATA.bob, DATA.control].entries()) {
      const binding = { chainId: await ctx.publicClient.getChainId(), forge, contributor: wallets[i + 1].account.address };
      const { bytes } = await sealContribution({ plaintext: toJsonl(examples), recipientPublicKey: hexToBytes(registered.hpkePublicKey), binding });
      const { root } = await store.put(bytes);
      await contributeData(withAccount(ctx, wallets[i + 1]), { forge, root, sizeBytes: BigInt(bytes.length), exampleCount: examples.length, metadataURI: "license: CC-BY-4.0" });
    }
    await registerCompute(withAccount(ctx, wallets[5]), { forge, signer: wallets[5].account.address, ed25519PrivateKey: bytesToHex(workerKey("restart").privateKey), capacity: 1 });
    await contributeCapital(withAccount(ctx, wallets[6]), { forge, amount: parseEther("1") });

    // 3. The window closes (and one more block confirms it); kill the coordinator once some coalitions are cached.
    await rpc("evm_setNextBlockTimestamp", [Number(config.windowEnd)]);
    await rpc("evm_mine");
    await rpc("evm_mine");
    await until("two trained coalitions cached", async () => (await cachedCoalitions()) >= 2, 100_000, first);
    killGroup(first);
    await waitForExit(first);
    const cachedAtKill = await cachedCoalitions();
    // The worker results kept on disk when it died (createResultCachingWorker): these must never be trained again.
    const keptAtKill = new Set(
      (await readdir(path.join(dataDir, "forges", forge.toLowerCase(), "worker-results")).catch(() => [] as string[]))
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.split("-")[0]),
    );
    expect((await stateOf())!.forges[forge.toLowerCase()].status).toBe("evaluating");
    expect((await getForgeStatus(ctx, forge)).phase).toBe("Closed");

    // 4. The restart finishes; SIGINT then stops it cleanly.
    const second = coordinator(["run", "--addresses", addressesFile, "--eval", evalFile, "--worker-key", keyFile], path.join(dir, "run-2.log"));
    await until("the submission", async () => (await stateOf())?.forges[forge.toLowerCase()]?.status === "submitted", 100_000, second);
    second.kill("SIGINT");
    expect((await waitForExit(second)).code).toBe(130);

    const status = await getForgeStatus(ctx, forge);
    expect(status.phase).toBe("Live");
    const record = (await stateOf())!.forges[forge.toLowerCase()];

    // Exactly one submitEvalResult transaction in the whole chain.
    const selector = toFunctionSelector(ctx.abis.Forge.find((x) => x.type === "function" && x.name === "submitEvalResult") as never);
    const head = await ctx.publicClient.getBlockNumber();
    let submissions = 0;
    for (let n = 0n; n <= head; n++) {
      const block = await ctx.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      submissions += block.transactions.filter((tx) => tx.to?.toLowerCase() === forge.toLowerCase() && tx.input.startsWith(selector)).length;
    }
    expect(submissions).toBe(1);
    expect(record.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    // No finished training done twice: each run's "job trained" lines name each job once; no job whose
    // result was kept before the kill is trained again; at most the one job in flight when the
    // process died (trained, its result not yet on disk) is trained again. And the record's jobs
    // are the journal's jobs.
    const trainedLines = (await Promise.all([readFile(path.join(dir, "run-1.log"), "utf8"), readFile(path.join(dir, "run-2.log"), "utf8")]))
      .map((text) => text.split("\n").filter((l) => l.includes('"msg":"job trained"')).map((l) => (JSON.parse(l) as { jobId: Hex }).jobId));
    expect(trainedLines[0].length).toBeGreaterThanOrEqual(2);
    for (const lines of trainedLines) expect(new Set(lines).size).toBe(lines.length);
    expect(keptAtKill.size).toBeGreaterThanOrEqual(2);
    expect(trainedLines[1].filter((id) => keptAtKill.has(id.toLowerCase()))).toEqual([]);
    expect(trainedLines[1].filter((id) => trainedLines[0].includes(id)).length).toBeLessThanOrEqual(1);
    const journal = (await readFile(path.join(dataDir, "forges", forge.toLowerCase(), "jobs.jsonl"), "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { record: { job: { jobId: Hex } } }).record.job.jobId);
    expect(new Set(journal).size).toBe(journal.length);
    const store2 = await createLocalContentStore({ dir: path.join(dataDir, "store") });
    const log = JSON.parse(new TextDecoder().decode(await store2.get(record.attributionLogRoot!))) as { compute: { jobs: { jobs: { job: { jobId: Hex } }[] }; workByComputeId: string[] } };
    expect(log.compute.jobs.jobs.map((j) => j.job.jobId).sort()).toEqual([...journal].sort());
    // 3 players, exact Shapley, one seed: 7 coalitions; the final adapter is the grand coalition's job.
    expect(journal).toHaveLength(7);
    expect(cachedAtKill).toBeLessThan(7);
    // The worker keeps the credit it earned before the crash.
    expect(BigInt(log.compute.workByComputeId[0])).toBeGreaterThan(0n);

    // No holdout plaintext anywhere the coordinator wrote.
    expect(await filesContaining([dataDir, dir], DATA.holdout.map((_, i) => `HOLDOUT-PLAINTEXT-MARKER-${i}`))).toEqual([]);

    // 5. Anyone holding the inputs and the holdout key replays the record exactly.
    const seedFile = path.join(dir, "holdout-key.json");
    await writeFile(seedFile, JSON.stringify({}));
    const replay = coordinator(["replay", "--log", record.attributionLogRoot!, "--holdout-key", seedFile, "--reuse-adapters", "--work-dir", path.join(dir, "replay")], path.join(dir, "replay.log"));
    const replayed = await waitForExit(replay);
    const replayOut = await readFile(path.join(dir, "replay.log"), "utf8");
    expect(replayOut).toContain("MATCHES exactly");
    expect(replayed.code).toBe(0);
  }, 360_000);
});
