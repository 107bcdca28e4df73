import { readFile } from "node:fs/promises";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, keccak256, parseEther, toBytes, zeroAddress, type Account, type Address, type Chain, type Hex, type Transport, type WalletClient } from "viem";
import type { Logger } from "pino";
import type { ForgeConfig, ProtocolContext } from "../../coordinator/src/chain/types.js";
import type { ContentStore } from "../../coordinator/src/storage/types.js";
import type { Enclave } from "../../coordinator/src/enclave/types.js";
import { createForge } from "../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../coordinator/src/chain/contributeData.js";
import { registerCompute } from "../../coordinator/src/chain/registerCompute.js";
import { contributeCapital } from "../../coordinator/src/chain/contributeCapital.js";
import { exampleForgeConfig } from "../../coordinator/src/chain/exampleForgeConfig.js";
import { sendAndWait } from "../../coordinator/src/chain/sendAndWait.js";
import { payRevenue } from "../../coordinator/src/chain/payRevenue.js";
import { withAccount } from "../../coordinator/src/chain/withAccount.js";
import { SIMULATED_MEASUREMENT } from "../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { storeSealedHoldout } from "../../coordinator/src/sealing/storeSealedHoldout.js";
import { sealContribution } from "../../coordinator/src/sealing/sealContribution.js";
import { DEFAULT_HOLDOUT_INFO } from "../../coordinator/src/sealing/holdoutSuite.js";
import { parseDatasetJsonlStrict } from "../../coordinator/src/eval/dataset/parseDatasetJsonlStrict.js";
import { ggufToModel } from "../../coordinator/src/eval/model/ggufToModel.js";
import { createTokenizer } from "../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { createScoringEngine } from "../../coordinator/src/eval/engine/createScoringEngine.js";
import { createInProcessWorker } from "../../coordinator/src/compute/createInProcessWorker.js";
import { createComputePool } from "../../coordinator/src/compute/createComputePool.js";
import { createReexecutor } from "../../coordinator/src/compute/createReexecutor.js";
import { runForgeEval } from "../../coordinator/src/pipeline/runForgeEval.js";
import { submitResultOnce } from "../../coordinator/src/pipeline/submitResultOnce.js";
import { demoContributions } from "../../coordinator/src/eval/demo/demoContributions.js";
import type { DEMO_LORA_HYPER } from "../../coordinator/src/eval/demo/demoLoraHyper.js";
import type { DatasetExample } from "../../coordinator/src/eval/dataset/types.js";
import type { ComputeWorker } from "../../coordinator/src/compute/types.js";
import type { AttributionMethod } from "../../coordinator/src/eval/attribution/attributeContributions.js";

type Wallet = WalletClient<Transport, Chain, Account>;

export interface SeedContext {
  ctx: ProtocolContext;
  wallets: Wallet[];
  store: ContentStore;
  enclave: Enclave;
  base: { path: string; root: Hex; name: string };
  dataDir: string;
  logger: Logger;
  print: (line: string) => void;
}

const metadata = (title: string, description: string, needs: string[]) =>
  "data:application/json," + encodeURIComponent(JSON.stringify({ title, description, needs }));

const NEEDS = ["(unsafe block → soundness analysis) pairs, JSONL", "GPU workers for the QLoRA fine-tune", "capital for the eval and serving"];

async function sealHoldout(s: SeedContext, limit?: number): Promise<{ root: Hex; count: number }> {
  const all = parseDatasetJsonlStrict(new Uint8Array(await readFile(path.join(s.dataDir, "holdout.jsonl"))), { source: "holdout.jsonl" });
  const kept = limit === undefined ? all : all.slice(0, limit);
  const holdoutBytes = toJsonl(kept);
  const count = kept.length;
  const { root } = await storeSealedHoldout({ plaintext: holdoutBytes, recipientPublicKey: toBytes(s.enclave.hpkePublicKey), info: DEFAULT_HOLDOUT_INFO, store: s.store });
  return { root, count };
}

/**
 * The product page's example Forge, OPEN for a week from the chain's current time, with nothing
 * contributed yet; capital in ETH, or in `capitalAsset` (an ERC-20).
 */
export async function seedOpenForge(s: SeedContext, opts: { capitalAsset?: Address; title?: string } = {}): Promise<Address> {
  const { forge } = await createSeedForge(s, {
    ...(opts.capitalAsset ? { capitalAsset: opts.capitalAsset } : {}),
    metadataURI: metadata(opts.title ?? "Rust Unsafe-Code Auditor", "A code model that reviews Rust unsafe blocks and explains the soundness obligations a reviewer must check.", NEEDS),
  });
  return forge;
}

/**
 * A Forge by the first wallet over the seed's base model and its sealed holdout (the first
 * `holdoutExamples`, default all), open from the chain's current time, allowing the simulated
 * measurement; `extra` adds the window, the capital asset and the metadata.
 */
async function createSeedForge(s: SeedContext, extra: { holdoutExamples?: number; windowSeconds?: bigint; capitalAsset?: Address; metadataURI: string }): Promise<{ forge: Address; config: ForgeConfig }> {
  const { holdoutExamples, ...rest } = extra;
  const holdout = await sealHoldout(s, holdoutExamples);
  const now = (await s.ctx.publicClient.getBlock()).timestamp;
  const config = exampleForgeConfig({
    creator: s.wallets[0].account.address,
    now,
    holdoutRoot: holdout.root,
    holdoutExamples: holdout.count,
    baseModelRoot: s.base.root,
    baseModelName: s.base.name,
    allowedMeasurements: [SIMULATED_MEASUREMENT],
    ...rest,
  });
  const { forge } = await createForge(s.ctx, config);
  return { forge, config };
}

/**
 * A LIVE Ingot with its attribution, the way `npm run demo` makes one: a Forge with the demo's
 * three data contributions (relevant data, a partial copy, off-task text), one worker (`worker`: a process over the file queue in `npm run app`, else in-process)
 * and two capital positions; the window is closed by moving the local chain's clock; the
 * coordinator pipeline evaluates in the simulated enclave and submits; the escrow is released and
 * one inference fee paid, so holders have something to claim.
 */
export interface SeedLiveIngotParameters {
  increaseTime: (to: bigint) => Promise<void>;
  workDir: string;
  hyper: typeof DEMO_LORA_HYPER;
  /** Evaluate on the first n holdout examples only (default: all 46). */
  holdoutExamples?: number;
  trainingSeeds?: readonly number[];
  method?: AttributionMethod;
  threads?: number;
  /**
   * The compute worker: its Ed25519 key (registered by test account #4) and how to start it for the
   * new Forge once registered (e.g. a worker process over the file queue); it is stopped after the
   * eval. Default: the demo's fixed key, trained in this process.
   */
  worker?: { privateKey: Hex; start: (forge: Address, computeId: number) => Promise<{ worker: ComputeWorker; stop(): Promise<void> }> };
}

export async function seedLiveIngot(s: SeedContext, p: SeedLiveIngotParameters): Promise<{ forge: Address; ingotId: bigint }> {
  const { ctx, wallets, store } = s;
  const { forge, config } = await createSeedForge(s, {
    ...(p.holdoutExamples !== undefined ? { holdoutExamples: p.holdoutExamples } : {}),
    windowSeconds: 3600n,
    metadataURI: metadata("Rust Unsafe-Code Auditor (round 1)", "The first round of the auditor: evaluated, attributed and LIVE.", NEEDS),
  });
  s.print(`  LIVE seed: Forge ${forge} created; contributions…`);
  const demo = await demoContributions({ dataDir: s.dataDir, scenario: "demo" });
  const about: Record<string, string> = { alice: "Rust unsafe analyses", copycat: "partial copy of alice", control: "cooking & gardening text" };
  const chainId = await ctx.publicClient.getChainId();
  for (const [i, c] of demo.contributions.entries()) {
    // Sealed to the enclave and bound to its sender, as the page (and the pipeline) require.
    const { bytes } = await sealContribution({ plaintext: toJsonl(c.examples), recipientPublicKey: toBytes(s.enclave.hpkePublicKey), binding: { chainId, forge, contributor: wallets[i + 1].account.address } });
    const { root, size } = await store.put(bytes);
    await contributeData(withAccount(ctx, wallets[i + 1]), { forge, root, sizeBytes: BigInt(size), exampleCount: c.examples.length, metadataURI: `license: CC-BY-4.0; ${about[c.id] ?? c.id}` });
  }
  const workerKey = p.worker ? toBytes(p.worker.privateKey) : toBytes(keccak256(toBytes("ingotforge app worker ed25519"))).slice(0, 32);
  const { computeId } = await registerCompute(withAccount(ctx, wallets[4]), { forge, signer: wallets[4].account.address, ed25519PrivateKey: bytesToHex(workerKey), capacity: 1 });
  await contributeCapital(withAccount(ctx, wallets[5]), { forge, amount: parseEther("3") });
  await contributeCapital(withAccount(ctx, wallets[6]), { forge, amount: parseEther("1") });
  await p.increaseTime(config.windowEnd);
  const closedAt = await ctx.publicClient.getBlock();
  s.print(`  LIVE seed: window closed; the coordinator evaluates in the SIMULATED enclave…`);

  const baseBytes = new Uint8Array(await readFile(s.base.path));
  const model = ggufToModel(baseBytes);
  const remote = p.worker ? await p.worker.start(forge, Number(computeId)) : undefined;
  const engine = await createScoringEngine({ modelPath: s.base.path, mode: "exact", threads: p.threads ?? 1 });
  try {
    const worker = remote?.worker ?? createInProcessWorker({ computeId: Number(computeId), ed25519PrivateKey: workerKey, model, baseModelRoot: s.base.root, store });
    const pool = createComputePool({ workers: [worker], publicSeed: closedAt.hash!, verification: { policy: "sample", fraction: 0.25 }, reexecute: createReexecutor({ store, model, baseModelRoot: s.base.root }), store, logger: s.logger });
    const evaluated = await runForgeEval({
      ctx,
      forge,
      store,
      enclave: s.enclave,
      base: { path: s.base.path, root: s.base.root, name: s.base.name },
      engine,
      pool,
      tokenizer: createTokenizer(model.tokenizer),
      hyper: p.hyper,
      trainingSeeds: p.trainingSeeds ?? [1, 2],
      method: p.method ?? { kind: "exact-shapley" },
      publicSeed: closedAt.hash!,
      holdoutInfo: DEFAULT_HOLDOUT_INFO,
      workDir: path.join(p.workDir, "eval", forge),
      onEvent: (e) => {
        if (e.kind === "coalition") s.print(`  LIVE seed: coalitions evaluated ${e.done}/${e.total}`);
      },
    });
    const submitted = await submitResultOnce(ctx, evaluated.result, evaluated.signature);
    const ingotId = submitted.ingotId;
    await sendAndWait(ctx, { address: forge, abi: ctx.abis.Forge, functionName: "releaseCapital" });
    await payRevenue(withAccount(ctx, wallets[7]), { ingotId, asset: zeroAddress, amount: parseEther("0.25") });
    s.print(`  LIVE seed: Ingot #${ingotId} minted (perplexity ${evaluated.perplexityBefore.toFixed(3)} → ${evaluated.perplexityAfter.toFixed(3)}); 4 ETH escrow and a 0.25 ETH fee paid to its holders`);
    return { forge, ingotId };
  } finally {
    await engine.dispose();
    await remote?.stop();
  }
}

function toJsonl(examples: readonly DatasetExample[]): Uint8Array {
  return new TextEncoder().encode(examples.map((e) => JSON.stringify({ id: e.id, prompt: e.prompt, response: e.response })).join("\n") + "\n");
}
