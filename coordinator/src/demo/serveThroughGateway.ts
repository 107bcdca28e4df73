import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import OpenAI from "openai";
import { keccak256, parseEther, toBytes, zeroAddress, type Account, type Address, type Chain, type Hash, type Transport, type WalletClient } from "viem";
import type { Logger } from "pino";
import type { ProtocolContext } from "../chain/types.js";
import { withAccount } from "../chain/withAccount.js";
import { sendAndWait } from "../chain/sendAndWait.js";
import type { ContentStore } from "../storage/types.js";
import { createGateway } from "../../../gateway/src/createGateway.js";
import { parseGatewayConfig } from "../../../gateway/src/config/parseGatewayConfig.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import { ledgerToGatewayLedger } from "../../../gateway/src/server/ledgerToGatewayLedger.js";
import { createStaticIngotCatalog } from "../../../gateway/src/server/createStaticIngotCatalog.js";
import { createSettlementChain } from "../../../gateway/src/chain/createSettlementChain.js";
import { readServedIngots } from "../../../gateway/src/chain/readServedIngots.js";
import { gatewayDepositsAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import { syncChainEvents } from "../../../gateway/src/settlement/syncChainEvents.js";
import { settlePending } from "../../../gateway/src/settlement/settlePending.js";
import { verifyProof, type VerifyProofReturnType } from "../../../gateway/src/proof/verifyProof.js";
import { verifyAttestation, type VerifyAttestationReturnType } from "../../../gateway/src/attestation/verifyAttestation.js";
import { proofKeyRegistryAbi } from "../../../gateway/src/attestation/proofKeyRegistryAbi.js";
import { readProofKeyRegistration, type ProofKeyRegistration } from "../../../gateway/src/attestation/readProofKeyRegistration.js";
import { registerProofKey } from "../../../gateway/src/attestation/registerProofKey.js";
import { startLocalTsa } from "../../../gateway/src/witness/tsa/startLocalTsa.js";
import { verifyWitness, type VerifyWitnessReturnType } from "../../../gateway/src/witness/verifyWitness.js";
import { readFile } from "node:fs/promises";

type Wallet = WalletClient<Transport, Chain, Account>;

export interface ServeThroughGatewayParameters {
  /** The settler (ctx.walletClient holds SETTLER_ROLE on `deposits`). */
  ctx: ProtocolContext;
  deposits: Address;
  /** ProofKeyRegistry, administered by ctx.walletClient: the gateway's build is allow-listed and its proof key registered there. */
  proofKeyRegistry: Address;
  payer: Wallet;
  ingotId: bigint;
  baseModelPath: string;
  /** llama.cpp threads for the gateway's engine (default 1: the demo model is tiny). */
  threads?: number;
  store: ContentStore;
  workDir: string;
  logger: Logger;
  print: (line: string) => void;
  /** Price per prompt + completion token, in wei (default 1e12: 0.000001 ETH). */
  pricePerTokenWei?: bigint;
}

export interface ServeThroughGatewayReturnType {
  /** What the payer was charged and the RevenueSplitter received for the Ingot. */
  chargedWei: bigint;
  answer: string;
  verdict: VerifyProofReturnType;
  /** The proof key's attestation (the simulated enclave's quote) checked against the proof. */
  attestation: VerifyAttestationReturnType;
  /** What ProofKeyRegistry says of the key that signed the proof. */
  registration: ProofKeyRegistration;
  /** The proof's batch witness: inclusion path and RFC 3161 token of the local TSA, checked against its certificate. */
  witness: VerifyWitnessReturnType;
  txs: { what: string; hash: Hash }[];
}

/**
 * The Ingot earns: a payer deposits into GatewayDeposits, gets an API key, calls the Ingot with
 * the official `openai` client through the gateway (real llama.cpp, base + the Ingot's adapter
 * fetched by its root), checks the call's ArkForge proof and that the simulated enclave's quote
 * commits to the key that signed it, and the gateway settles the charge into
 * the RevenueSplitter with `pay(ingotId)`.
 */
export async function serveThroughGateway(p: ServeThroughGatewayParameters): Promise<ServeThroughGatewayReturnType> {
  const txs: { what: string; hash: Hash }[] = [];
  const dir = path.join(p.workDir, "gateway");
  await mkdir(dir, { recursive: true });
  // The in-process chain is new on every run, so is the ledger that mirrors it.
  const ledgerPath = path.join(dir, "ledger.sqlite");
  for (const suffix of ["", "-wal", "-shm"]) await rm(ledgerPath + suffix, { force: true });
  const ledger = openLedger({ path: ledgerPath });
  const chain = createSettlementChain({ publicClient: p.ctx.publicClient as never, walletClient: p.ctx.walletClient, deposits: p.deposits });

  const payer = p.payer.account.address;
  const deposit = await sendAndWait(withAccount(p.ctx, p.payer), { address: p.deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [payer], value: parseEther("0.01") });
  txs.push({ what: "gateway deposit (0.01 ETH)", hash: deposit.hash });
  await syncChainEvents({ ledger, chain });
  const { apiKey, keyId } = ledger.createApiKey({ payer, label: "demo" });
  p.print(`      payer ${payer} deposited 0.01 ETH into GatewayDeposits ${p.deposits}; API key ${keyId} (stored hashed)`);

  const served = await readServedIngots({ publicClient: p.ctx.publicClient as never, ingot: p.ctx.addresses.ingot });
  // A local RFC 3161 time-stamping authority (openssl ts -reply; its key and certificate made in the work dir on first run).
  const tsa = await startLocalTsa({ dir: path.join(p.workDir, "tsa") });
  const config = parseGatewayConfig({
    witness: { tsaUrl: tsa.url, intervalMs: 200, minProofs: 1, storePath: path.join(dir, "witness.sqlite") },
    server: { host: "127.0.0.1", port: 0, seller: "gateway.ingotforge.local" },
    model: { path: p.baseModelPath, threads: p.threads ?? 1, maxConcurrent: 2, maxCompletionTokens: 64 },
    storage: { localDir: dir },
    ledger: { path: ledgerPath },
    // The proof key is derived in the simulated enclave, as the coordinator's keys are.
    proof: { enclave: { kind: "simulated", secretSeed: keccak256(toBytes("ingotforge demo gateway enclave")) } },
    billing: { defaultPricePerTokenWei: String(p.pricePerTokenWei ?? 1_000_000_000_000n) },
    log: { level: "warn" },
  });
  for (const suffix of ["", "-wal", "-shm"]) await rm(path.join(dir, "witness.sqlite") + suffix, { force: true });
  const gateway = await createGateway({ config, logger: p.logger, ledger: ledgerToGatewayLedger(ledger), store: p.store, catalog: createStaticIngotCatalog(served) }).catch(async (error: unknown) => {
    await tsa.close();
    throw error;
  });
  try {
    const address = await gateway.listen();
    const client = new OpenAI({ apiKey, baseURL: `${address}/v1`, maxRetries: 0 });
    const models = await client.models.list();
    const model = `ingot-${p.ingotId}`;
    p.print(`      gateway at ${address} serves ${models.data.map((m) => m.id).join(", ")}; proof key ${gateway.signer.publicKeyHex}`);
    // The protocol allow-lists the gateway's build; the gateway registers its key from the enclave's quote.
    const allow = await sendAndWait(p.ctx, { address: p.proofKeyRegistry, abi: proofKeyRegistryAbi, functionName: "setMeasurementAllowed", args: [gateway.attestation.measurement!, true] });
    txs.push({ what: "allow the gateway's build", hash: allow.hash });
    const registered = await registerProofKey({ publicClient: p.ctx.publicClient as never, walletClient: p.ctx.walletClient, registry: p.proofKeyRegistry, attestation: gateway.attestation });
    txs.push({ what: "register the gateway's proof key", hash: registered.txHash });
    const request = {
      model,
      messages: [{ role: "user" as const, content: "Is this sound?\n\nlet v = vec![1u8, 2, 3];\nlet x = unsafe { *v.as_ptr().add(3) };" }],
      max_tokens: 48,
      temperature: 0,
    };
    const completion = await client.chat.completions.create(request);
    const { proof, ...response } = completion as typeof completion & { proof: { proof_id: string; payment: { transaction_id: string; amount: string } } };
    const answer = completion.choices[0]?.message.content ?? "";
    p.print(`      openai client → ${model}: ${completion.usage?.prompt_tokens} prompt + ${completion.usage?.completion_tokens} completion tokens`);
    // Honest about what answered: a tiny model trained in minutes on a CPU, not the product's base.
    p.print(`      answer (the tiny demo model, trained here in minutes: fluent answers need the production base): ${JSON.stringify(answer.slice(0, 160))}`);
    const fetched = (await (await fetch(`${address}/v1/proofs/${proof.proof_id}`)).json()) as unknown;
    const verdict = verifyProof(fetched, { publicKey: gateway.signer.publicKeyHex, request, response, apiKey, proofId: proof.proof_id });
    p.print(`      proof ${proof.proof_id}: ${verdict.valid ? "VERIFIED" : `INVALID (${verdict.errors.join("; ")})`} — chain hash, Ed25519 signature, request/response hashes, buyer fingerprint`);
    const attestationDocument = (await (await fetch(`${address}/v1/attestation`)).json()) as unknown;
    const signedWith = (fetched as { signature: { public_key: string } }).signature.public_key;
    const attestation = await verifyAttestation(attestationDocument, { publicKey: signedWith });
    p.print(
      `      proof key: ${attestation.valid && attestation.attested ? `the ${attestation.simulated ? "SIMULATED " : ""}enclave's quote commits to it (measurement ${attestation.measurement})${attestation.simulated ? "; a simulated quote vouches for nothing" : ""}` : `NOT ATTESTED (${attestation.errors.join("; ") || "a key from the config"})`}`,
    );
    const registration = await readProofKeyRegistration({ publicClient: p.ctx.publicClient as never, registry: p.proofKeyRegistry, publicKey: signedWith });
    p.print(`      proof key on chain: ${registration.valid ? "VALID" : "NOT VALID"} in ProofKeyRegistry ${p.proofKeyRegistry}${registration.simulated ? " (registered through the simulated verifier)" : ""}`);
    const chargedWei = BigInt(proof.payment.amount);
    // The proof's batch closes within the interval; the gateway then serves it with its witness.
    await gateway.witnesses!.batcher.flush();
    const witnessed = (await (await fetch(`${address}/v1/proofs/${proof.proof_id}`)).json()) as unknown;
    const witness = await verifyWitness(witnessed, { tsaCertificatePem: await readFile(tsa.certificatePath, "utf8"), requireTimestamp: true });
    p.print(
      `      proof witness: ${witness.valid ? `in batch root ${witness.root}, RFC 3161 time-stamped ${witness.genTime?.toISOString()} by the local openssl TSA (token signature checked against its certificate)` : `INVALID (${Object.entries(witness.checks).filter(([, c]) => c.status === "fail").map(([n, c]) => `${n}: ${c.detail}`).join("; ")})`}`,
    );

    const settled = await settlePending({ ledger, chain, asset: zeroAddress, maxCharges: 100 });
    for (const hash of settled.txHashes) txs.push({ what: `gateway settle (${settled.charges} charge)`, hash });
    p.print(`      charge ${proof.payment.transaction_id}: ${chargedWei} wei, settled into the RevenueSplitter in ${settled.batches} batch (${settled.gasUsed} gas)`);
    return { chargedWei, answer, verdict, attestation, registration, witness, txs };
  } finally {
    await gateway.close();
    await tsa.close();
    ledger.close();
  }
}
