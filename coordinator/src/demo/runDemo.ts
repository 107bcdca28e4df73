import { readFile } from "node:fs/promises";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, keccak256, parseEther, toBytes, zeroAddress, type Address, type Hash, type Hex } from "viem";
import type { Logger } from "pino";
import type { ProtocolContext } from "../chain/types.js";
import { createForge } from "../chain/createForge.js";
import { contributeData } from "../chain/contributeData.js";
import { registerCompute } from "../chain/registerCompute.js";
import { contributeCapital } from "../chain/contributeCapital.js";
import { exampleForgeConfig } from "../chain/exampleForgeConfig.js";
import { getForgeStatus } from "../chain/getForgeStatus.js";
import { sendAndWait } from "../chain/sendAndWait.js";
import { payRevenue } from "../chain/payRevenue.js";
import { claimRevenue } from "../chain/claimRevenue.js";
import { withAccount } from "../chain/withAccount.js";
import { createSimulatedEnclave } from "../enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../enclave/simulated/simulatedMeasurement.js";
import { createLocalContentStore } from "../storage/createLocalContentStore.js";
import { storeSealedHoldout } from "../sealing/storeSealedHoldout.js";
import { DEFAULT_HOLDOUT_INFO } from "../sealing/holdoutSuite.js";
import { sealContribution } from "../sealing/sealContribution.js";
import { ensureDemoBaseModel } from "../eval/demo/ensureDemoBaseModel.js";
import type { DemoModelSpec } from "../eval/demo/demoModelSpec.js";
import { ggufToModel } from "../eval/model/ggufToModel.js";
import { createTokenizer } from "../eval/tokenizer/createTokenizer.js";
import { createScoringEngine } from "../eval/engine/createScoringEngine.js";
import { parseDatasetJsonlStrict } from "../eval/dataset/parseDatasetJsonlStrict.js";
import { createInProcessWorker } from "../compute/createInProcessWorker.js";
import { createComputePool } from "../compute/createComputePool.js";
import { createReexecutor } from "../compute/createReexecutor.js";
import { ensureEnclaveRegistered } from "../pipeline/ensureEnclaveRegistered.js";
import { runForgeEval } from "../pipeline/runForgeEval.js";
import { submitResultOnce } from "../pipeline/submitResultOnce.js";
import { DEMO_LORA_HYPER } from "../eval/demo/demoLoraHyper.js";
import { demoContributions } from "../eval/demo/demoContributions.js";
import type { DatasetExample } from "../eval/dataset/types.js";

/** Two training seeds: every coalition is trained twice and the spread is reported as noise. */
export const DEMO_TRAINING_SEEDS = [1, 2] as const;
import { serveThroughGateway } from "./serveThroughGateway.js";
import { formatAttributionPanel, type AttributionPanelRow } from "./formatAttributionPanel.js";
import { attributionPanelNote } from "./attributionPanelNote.js";
import type { Account, Chain, Transport, WalletClient } from "viem";
import { DEMO_MODEL_THREADS } from "../eval/demo/demoModelThreads.js";
import { DEMO_BASE_MODEL_CARD_NAME } from "../eval/demo/baseModelNameFromGguf.js";

type Wallet = WalletClient<Transport, Chain, Account>;

export interface RunDemoParameters {
  ctx: ProtocolContext;
  wallets: Wallet[];
  /** Deploys GatewayDeposits paying into `splitter`, with ctx.walletClient as settler (the Ignition module `ignition/modules/Gateway.ts`). */
  deployGateway: (splitter: Address) => Promise<Address>;
  /** Deploys ProofKeyRegistry over the protocol's quote verifier, administered by ctx.walletClient (`ignition/modules/ProofKeyRegistry.ts`). */
  deployProofKeyRegistry: (verifier: Address) => Promise<Address>;
  /** Moves the local chain's clock (the in-process chain's network helpers). */
  increaseTime: (toTimestamp: bigint) => Promise<void>;
  dataDir: string;
  workDir: string;
  logger: Logger;
  print: (line: string) => void;
  /** The demo base model's spec (default DEMO_MODEL_SPEC; tests pass a tiny one). */
  modelSpec?: DemoModelSpec;
  /** LoRA hyper-parameters (default DEMO_LORA_HYPER; tests pass fewer steps). */
  loraHyper?: typeof DEMO_LORA_HYPER;
  /** llama.cpp threads for scoring and serving (default DEMO_MODEL_THREADS: 1; scripts/demo.ts passes resolveThreads). */
  threads?: number;
  signal?: AbortSignal;
}

/**
 * The whole product on one machine: the "Rust Unsafe-Code Auditor" Forge with a sealed holdout,
 * three data contributors (relevant data, a partial duplicate of it, unrelated text), one compute
 * worker, two capital contributors; the window closes; the coordinator (simulated enclave) trains
 * through the worker, evaluates on llama.cpp and submits; the Ingot is minted; the escrow and an
 * inference fee are paid to the holders, and every holder claims.
 */
export async function runDemo(p: RunDemoParameters) {
  const { ctx, wallets, print, logger } = p;
  const txs: { what: string; hash: Hash }[] = [];
  const step = (n: number, text: string) => print(`\n[${n}/9] ${text}`);
  const chainId = await ctx.publicClient.getChainId();
  const store = await createLocalContentStore({ dir: path.join(p.workDir, "store") });

  step(1, "Demo base model (a qwen2 model pre-trained here on a generic corpus, frozen as Q4_0)");
  const baseModel = await ensureDemoBaseModel({
    cacheDir: path.join(p.workDir, "cache"),
    corpusPath: path.join(p.dataDir, "pretrain-corpus.txt"),
    ...(p.modelSpec ? { spec: p.modelSpec } : {}),
    onProgress: (e) => {
      if (e.phase === "pretrain" && (e.step % 10 === 0 || e.step === e.totalSteps)) {
        print(`      pre-training step ${e.step}/${e.totalSteps}  loss ${e.loss.toFixed(3)}  ${Math.round(e.tokensPerSecond)} tok/s  eta ${Math.round(e.etaSeconds)}s`);
      }
    },
    ...(p.signal ? { signal: p.signal } : {}),
  });
  const baseBytes = new Uint8Array(await readFile(baseModel.path));
  const { root: baseModelRoot } = await store.put(baseBytes);
  const model = ggufToModel(baseBytes);
  const tokenizer = createTokenizer(model.tokenizer);
  print(`      ${baseModel.path} (${(baseBytes.length / 1024).toFixed(0)} KiB, ${baseModel.built ? "built now" : "from cache"}), 0G root ${baseModelRoot}`);

  step(2, "Simulated enclave registers its key from a quote");
  const enclave = await createSimulatedEnclave({ chainId, logger });
  const registration = await ensureEnclaveRegistered(ctx, enclave);
  if (!registration.alreadyRegistered) txs.push({ what: "registerEnclave", hash: registration.hash });
  print(`      signer ${enclave.signerAddress} (SIMULATED: no hardware attestation), key valid until ${new Date(Number(registration.expiresAt) * 1000).toISOString()}`);

  step(3, "The creator seals the holdout to the enclave and creates the Forge");
  const holdoutBytes = new Uint8Array(await readFile(path.join(p.dataDir, "holdout.jsonl")));
  const holdoutCount = parseDatasetJsonlStrict(holdoutBytes, { source: "holdout.jsonl" }).length;
  const { root: holdoutRoot } = await storeSealedHoldout({ plaintext: holdoutBytes, recipientPublicKey: toBytes(enclave.hpkePublicKey), info: DEFAULT_HOLDOUT_INFO, store });
  const now = (await ctx.publicClient.getBlock()).timestamp;
  const config = exampleForgeConfig({
    creator: wallets[0].account.address,
    now,
    holdoutRoot,
    holdoutExamples: holdoutCount,
    baseModelRoot,
    baseModelName: DEMO_BASE_MODEL_CARD_NAME,
    allowedMeasurements: [SIMULATED_MEASUREMENT],
  });
  const created = await createForge(ctx, config);
  txs.push({ what: "createForge", hash: created.hash });
  const forge = created.forge;
  print(`      Forge ${forge}, holdout ${holdoutCount} examples sealed with HPKE, root ${holdoutRoot}`);

  step(4, "Contributors add data, compute and capital");
  const demo = await demoContributions({ dataDir: p.dataDir, scenario: "demo" });
  const about: Record<string, string> = { alice: "Rust unsafe analyses", copycat: "partial copy of alice", control: "cooking & gardening text" };
  const dataContributors = demo.contributions.map((c, i) => ({ who: c.id, account: i + 1, bytes: toJsonl(c.examples), about: about[c.id] ?? c.id }));
  // Each contributor seals its file to the enclave's HPKE key, bound to (chain, Forge, its own
  // address): only the enclave reads it, after the window closes, and a copy sent by anyone else
  // is excluded. What is stored, and recorded on chain, is the envelope.
  for (const c of dataContributors) {
    const examples = parseDatasetJsonlStrict(c.bytes, { source: c.who }).length;
    const binding = { chainId, forge, contributor: wallets[c.account].account.address };
    const { bytes: sealed } = await sealContribution({ plaintext: c.bytes, recipientPublicKey: toBytes(enclave.hpkePublicKey), binding });
    const { root, size } = await store.put(sealed);
    const r = await contributeData(withAccount(ctx, wallets[c.account]), { forge, root, sizeBytes: BigInt(size), exampleCount: examples, metadataURI: `license: CC-BY-4.0; ${c.about}` });
    txs.push({ what: `contributeData (${c.who})`, hash: r.hash });
  }
  const workerKey = hexToSeed(keccak256(toBytes("ingotforge demo worker ed25519")));
  const workerPublicKey = bytesToHex(ed25519.getPublicKey(workerKey));
  const computeTx = await registerCompute(withAccount(ctx, wallets[4]), { forge, signer: wallets[4].account.address, ed25519PublicKey: workerPublicKey, capacity: 1 });
  txs.push({ what: "registerCompute (worker)", hash: computeTx.hash });
  for (const [account, eth] of [[5, "3"], [6, "1"]] as const) {
    const r = await contributeCapital(withAccount(ctx, wallets[account]), { forge, amount: parseEther(eth) });
    txs.push({ what: `contributeCapital (${eth} ETH)`, hash: r.hash });
  }
  print(`      3 data contributions (each sealed to the enclave, bound to its sender), 1 compute worker, 4 ETH escrowed`);

  step(5, "The window closes");
  await p.increaseTime(config.windowEnd);
  const closedAt = await ctx.publicClient.getBlock();
  print(`      phase ${(await getForgeStatus(ctx, forge)).phase}; public seed = hash of block ${closedAt.number}`);

  step(6, "The coordinator evaluates inside the (simulated) enclave");
  // One thread: on a model this small llama.cpp's second thread only adds barrier waits, and on
  // a busy 2-core machine those spin-waits collapse throughput (measured: 13,413 tok/s with 1
  // thread vs 405 with 2 while other processes kept both cores busy).
  const engine = await createScoringEngine({ modelPath: baseModel.path, mode: "exact", threads: p.threads ?? DEMO_MODEL_THREADS.threads });
  try {
    const worker = createInProcessWorker({ computeId: 0, ed25519PrivateKey: workerKey, model, baseModelRoot, store });
    const pool = createComputePool({
      workers: [worker],
      publicSeed: closedAt.hash!,
      // Re-execute a quarter of the jobs (chosen from the public seed): a worker cannot know which.
      verification: { policy: "sample", fraction: 0.25 },
      reexecute: createReexecutor({ store, model, baseModelRoot }),
      store,
      logger,
    });
    const evaluated = await runForgeEval({
      ctx,
      forge,
      store,
      enclave,
      base: { path: baseModel.path, root: baseModelRoot, name: "ingotforge-demo-qwen2" },
      engine,
      pool,
      tokenizer,
      hyper: p.loraHyper ?? DEMO_LORA_HYPER,
      trainingSeeds: DEMO_TRAINING_SEEDS,
      method: { kind: "exact-shapley" },
      publicSeed: closedAt.hash!,
      holdoutInfo: DEFAULT_HOLDOUT_INFO,
      workDir: path.join(p.workDir, "eval", forge),
      onEvent: (e) => {
        if (e.kind === "coalition") print(`      coalitions evaluated ${e.done}/${e.total}`);
        if (e.kind === "contributions") print(`      contributions: ${e.included} included, ${e.excluded} excluded`);
        if (e.kind === "holdout") print(`      holdout opened in the enclave: ${e.examples} examples, ${e.tokens} tokens (never written to disk)`);
      },
      ...(p.signal ? { signal: p.signal } : {}),
    });
    const submitted = await submitResultOnce(ctx, evaluated.result, evaluated.signature);
    if (submitted.submitted) txs.push({ what: "submitEvalResult", hash: submitted.hash });
    const ingotId = submitted.ingotId;
    print(`      holdout perplexity ${evaluated.perplexityBefore.toFixed(3)} (base) → ${evaluated.perplexityAfter.toFixed(3)} (fine-tuned); Ingot #${ingotId} minted`);

    step(7, "Revenue: the escrow becomes the first revenue, then an inference fee is paid");
    const release = await sendAndWait(ctx, { address: forge, abi: ctx.abis.Forge, functionName: "releaseCapital" });
    txs.push({ what: "releaseCapital", hash: release.hash });
    const fee = await payRevenue(withAccount(ctx, wallets[7]), { ingotId, asset: zeroAddress, amount: parseEther("0.25") });
    txs.push({ what: "pay (inference fee 0.25 ETH)", hash: fee.hash });

    step(8, "A user calls the Ingot through the inference gateway (openai client), pays per token, checks the proof");
    const deposits = await p.deployGateway(ctx.addresses.splitter);
    const proofKeyRegistry = await p.deployProofKeyRegistry(ctx.addresses.verifier);
    const gatewayCall = await serveThroughGateway({ ctx, deposits, proofKeyRegistry, payer: wallets[8], ingotId, baseModelPath: baseModel.path, store, workDir: p.workDir, logger, print, threads: p.threads ?? DEMO_MODEL_THREADS.threads });
    txs.push(...gatewayCall.txs);

    step(9, "Every holder claims");
    const supply = (await ctx.publicClient.readContract({ address: ctx.addresses.ingot, abi: ctx.abis.Ingot, functionName: "SHARE_SUPPLY" })) as bigint;
    const sharesOf = async (who: Address) =>
      (await ctx.publicClient.readContract({ address: ctx.addresses.ingot, abi: ctx.abis.Ingot, functionName: "balanceOf", args: [who, ingotId] })) as bigint;
    const claim = async (i: number) => {
      const r = await claimRevenue(withAccount(ctx, wallets[i]), { ingotId, asset: zeroAddress });
      if (r.amount > 0n) txs.push({ what: `claim (account ${i})`, hash: r.hash });
      return r.amount;
    };
    const rows: AttributionPanelRow[] = [];
    const nameOf = (dataId: string) => dataContributors[evaluated.contributions.findIndex((x) => String(x.dataId) === dataId)]?.who ?? `#${dataId}`;
    for (const [i, c] of dataContributors.entries()) {
      const contribution = evaluated.contributions[i];
      const entry = evaluated.log.estimator.scoreVector.entries.find((e) => e.id === String(contribution.dataId));
      rows.push({
        who: c.who,
        kind: "data",
        detail: `${contribution.exampleCount} ex., ${c.about}`,
        delta: evaluated.values[i],
        deltaStdError: entry?.stdError,
        shares: await sharesOf(wallets[c.account].account.address),
        supply,
        paidWei: await claim(c.account),
        note: attributionPanelNote({ contribution, entry, value: evaluated.values[i], name: nameOf }),
      });
    }
    rows.push({ who: "worker", kind: "compute", detail: `verified work ${evaluated.result.computeWork[0]} tokens`, shares: await sharesOf(wallets[4].account.address), supply, paidWei: await claim(4) });
    rows.push({ who: "capital #1", kind: "capital", detail: "3 ETH", shares: await sharesOf(wallets[5].account.address), supply, paidWei: await claim(5) });
    rows.push({ who: "capital #2", kind: "capital", detail: "1 ETH", shares: await sharesOf(wallets[6].account.address), supply, paidWei: await claim(6) });
    rows.push({ who: "creator", kind: "creator", detail: "opened the Forge", shares: await sharesOf(wallets[0].account.address), supply, paidWei: await claim(0) });
    const dust = await ctx.publicClient.getBalance({ address: ctx.addresses.splitter });

    print("");
    print(formatAttributionPanel(`Rust Unsafe-Code Auditor, Ingot #${ingotId}`, rows));
    const paidIn = parseEther("4.25") + gatewayCall.chargedWei;
    print(`  holdout perplexity ${evaluated.perplexityBefore.toFixed(3)} → ${evaluated.perplexityAfter.toFixed(3)}; paid in ${paidIn} wei (4.25 ETH + ${gatewayCall.chargedWei} wei of gateway fees), claimed ${rows.reduce((a, r) => a + r.paidWei, 0n)} wei, ${dust} wei of rounding dust stays claimable in the splitter`);
    print(`  adapter root ${evaluated.result.adapterRoot}; attribution record root ${evaluated.result.attributionLogRoot}`);
    print("\nTransactions:");
    for (const t of txs) print(`  ${t.what.padEnd(34)} ${t.hash}`);
    return { forge, ingotId, rows, evaluated, txs, gateway: gatewayCall };
  } finally {
    await engine.dispose();
  }
}

function toJsonl(examples: readonly DatasetExample[]): Uint8Array {
  return new TextEncoder().encode(examples.map((e) => JSON.stringify({ id: e.id, prompt: e.prompt, response: e.response })).join("\n") + "\n");
}

function hexToSeed(hex: Hex): Uint8Array {
  return toBytes(hex).slice(0, 32);
}
