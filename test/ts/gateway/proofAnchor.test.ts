import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import pino from "pino";
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVerifyProofCli } from "../../../gateway/src/cli/verifyProof.js";
import { GatewayChainError } from "../../../gateway/src/chain/errors.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import type { GatewayProof } from "../../../gateway/src/proof/types.js";
import { createProofIssuer } from "../../../gateway/src/server/createProofIssuer.js";
import { appendRoots } from "../../../gateway/src/witness/anchor/appendRoots.js";
import { createProofAnchorer } from "../../../gateway/src/witness/anchor/createProofAnchorer.js";
import { deployProofLog } from "../../../gateway/src/witness/anchor/deployProofLog.js";
import { proofLogAbi } from "../../../gateway/src/witness/anchor/proofLogAbi.js";
import { createProofBatcher } from "../../../gateway/src/witness/createProofBatcher.js";
import { openWitnessStore, type WitnessStore } from "../../../gateway/src/witness/openWitnessStore.js";
import { requestTimeStamp } from "../../../gateway/src/witness/requestTimeStamp.js";
import { startLocalTsa, type LocalTsa } from "../../../gateway/src/witness/tsa/startLocalTsa.js";
import { serveJsonRpc } from "./fixtures/localGatewayChain.js";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseEther } from "viem";
import { parseGatewayConfig } from "../../../gateway/src/config/parseGatewayConfig.js";
import { openProofWitnesses } from "../../../gateway/src/witness/openProofWitnesses.js";
import { APPENDER_ROLE } from "../../../ignition/modules/ProofLog.js";

type Wallet = WalletClient<Transport, Chain, Account>;
const silent = pino({ level: "silent" });
const signer = createProofSigner(randomBytes(32));
const issuer = createProofIssuer({ signer, seller: "gw.test" });

let dir: string;
let tsa: LocalTsa;
let publicClient: PublicClient;
let wallets: Wallet[];
let proofLog: Address;
let rpc: Server;
let rpcUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "proof-anchor-"));
  tsa = await startLocalTsa({ dir: join(dir, "tsa") });
  const connection = await hre.network.create();
  publicClient = (await connection.viem.getPublicClient()) as unknown as PublicClient;
  wallets = (await connection.viem.getWalletClients()) as unknown as Wallet[];
  // The appender is an account of its own (not the deployer), as the README advises.
  ({ proofLog } = await deployProofLog({ connection, appender: wallets[5]!.account.address }));
  rpc = await serveJsonRpc(connection.provider as never);
  rpcUrl = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}/`;
}, 120_000);
afterAll(async () => {
  await tsa?.close();
  await new Promise<void>((r) => (rpc ? rpc.close(() => r()) : r()));
  await rm(dir, { recursive: true, force: true });
});

async function issue(n: number): Promise<GatewayProof> {
  return issuer.issue({
    request: { model: "ingot-1", messages: [{ role: "user", content: `q${n}` }] },
    response: { choices: [{ message: { content: `a${n}` } }] },
    caller: { keyId: "key_1", payer: "0x00000000000000000000000000000000000000aa", fingerprint: "ab".repeat(32) },
    charge: { chargeId: `chg_${n}`, asset: "0x0000000000000000000000000000000000000000", amount: 10n },
    ingot: { ingotId: 1n, model: "ingot-1", baseModelName: "tiny", baseModelRoot: `0x${"11".repeat(32)}` as Hex, adapterRoot: `0x${"01".repeat(32)}` as Hex, metadataURI: "" },
    timestamp: new Date(),
  });
}

function batcherOver(store: WitnessStore, onBatch?: () => void) {
  return createProofBatcher({ store, tsaUrl: tsa.url, timeStamp: (d) => requestTimeStamp({ tsaUrl: tsa.url, digest: d }), intervalMs: 60_000, maxProofs: 1000, logger: silent, ...(onBatch ? { onBatch } : {}) });
}

describe("ProofLog anchoring", () => {
  it("anchorsEveryNBatchesInOneTransaction_andTheProofsCarryTheAnchor_whichVerifyProofChecksOnChain", async () => {
    const store = openWitnessStore({ path: ":memory:" });
    const anchorer = createProofAnchorer({
      store,
      append: (roots) => appendRoots({ publicClient, walletClient: wallets[5]!, proofLog, roots }),
      everyBatches: 2,
      maxDelayMs: 60_000,
      logger: silent,
    });
    const batcher = batcherOver(store, () => anchorer.batchClosed());
    const proofs: GatewayProof[] = [];
    for (let batch = 0; batch < 3; batch++) {
      for (let i = 0; i < 2; i++) {
        const proof = await issue(batch * 10 + i);
        proofs.push(proof);
        batcher.add(proof.proof_id, proof.hashes.chain.slice(7));
      }
      await batcher.flush();
    }
    // Batches 1 and 2 went in one transaction when the second closed; batch 3 waits for a partner.
    // (The append runs in the background: wait for its receipt to be recorded.)
    for (let i = 0; i < 200 && !store.witnessOf(proofs[2]!.proof_id)!.anchor; i++) await new Promise((r) => setTimeout(r, 25));
    const w1 = store.witnessOf(proofs[0]!.proof_id)!;
    const w2 = store.witnessOf(proofs[2]!.proof_id)!;
    expect(w1.anchor).toMatchObject({ sequence: 0, contract: proofLog.toLowerCase() });
    expect(w2.anchor).toMatchObject({ sequence: 1, transaction: w1.anchor!.transaction });
    expect(await publicClient.readContract({ address: proofLog, abi: proofLogAbi, functionName: "anchorOf", args: [`0x${w2.root.slice(7)}`] })).toMatchObject({ sequence: 1n });

    // verify-proof --proof-log: the anchored proof passes; batch 3's only once it is anchored.
    const io = { out: [] as string[], stdout(t: string) { this.out.push(t); }, stderr(t: string) { this.out.push(t); }, readStdin: async () => "" };
    const file = join(dir, "anchored.json");
    await writeFile(file, JSON.stringify({ ...proofs[2], witness: w2 }));
    expect(await runVerifyProofCli([file, "--public-key", signer.publicKeyHex, "--proof-log", proofLog, "--rpc", rpcUrl], io)).toBe(0);
    expect(io.out.join("")).toMatch(/PASS\s+anchor\s+root anchored in ProofLog .* at sequence 1/);
    const w3 = store.witnessOf(proofs[4]!.proof_id)!;
    expect(w3.anchor).toBeUndefined();
    await writeFile(file, JSON.stringify({ ...proofs[4], witness: w3 }));
    expect(await runVerifyProofCli([file, "--public-key", signer.publicKeyHex, "--proof-log", proofLog, "--rpc", rpcUrl], io)).toBe(1);
    expect(io.out.join("")).toMatch(/FAIL\s+anchor\s+root [0-9a-f]{64} is not in ProofLog/);

    await anchorer.flush();
    expect(store.witnessOf(proofs[4]!.proof_id)!.anchor).toMatchObject({ sequence: 2 });
    expect(await runVerifyProofCli([file, "--public-key", signer.publicKeyHex, "--proof-log", proofLog, "--rpc", rpcUrl], io)).toBe(0);
    expect(anchorer.stats).toMatchObject({ transactions: 2, roots: 3, failures: 0 });
    await anchorer.close();
    await batcher.close();
    store.close();
  }, 120_000);

  it("appendRoots_refusesToAnchorARootTwice_soARetryOfAMinedAppendAddsNothing", async () => {
    const root = randomBytes(32).toString("hex");
    await appendRoots({ publicClient, walletClient: wallets[5]!, proofLog, roots: [root] });
    const before = await publicClient.readContract({ address: proofLog, abi: proofLogAbi, functionName: "nextSequence" });
    const retry = appendRoots({ publicClient, walletClient: wallets[5]!, proofLog, roots: [root] });
    await expect(retry).rejects.toBeInstanceOf(GatewayChainError);
    await expect(retry).rejects.toThrow(/ProofLogRootAlreadyAnchored/);
    expect(await publicClient.readContract({ address: proofLog, abi: proofLogAbi, functionName: "nextSequence" })).toBe(before);
    // An account without APPENDER_ROLE (the deployer, who is only admin) is refused.
    await expect(appendRoots({ publicClient, walletClient: wallets[0]!, proofLog, roots: [randomBytes(32).toString("hex")] })).rejects.toThrow(/AccessControlUnauthorizedAccount|reverted/);
  }, 60_000);

  it("openProofWitnesses_wiresTheConfig_batchesTimestampsAndAnchorsWithTheAppenderKeyFile", async () => {
    // An appender key of its own, granted the role by the log's admin and funded for gas.
    const key = generatePrivateKey();
    const appender = privateKeyToAccount(key).address;
    await publicClient.waitForTransactionReceipt({ hash: await wallets[0]!.writeContract({ address: proofLog, abi: [{ type: "function", name: "grantRole", inputs: [{ type: "bytes32", name: "role" }, { type: "address", name: "account" }], outputs: [], stateMutability: "nonpayable" }], functionName: "grantRole", args: [APPENDER_ROLE, appender] }) });
    await publicClient.waitForTransactionReceipt({ hash: await wallets[0]!.sendTransaction({ to: appender, value: parseEther("1") }) });
    const keyFile = join(dir, "appender.hex");
    await writeFile(keyFile, `${key}\n`);
    const config = parseGatewayConfig({
      server: { seller: "gw.test" },
      model: { path: "unused.gguf" },
      storage: { localDir: dir },
      ledger: { path: join(dir, "wired-ledger.sqlite") },
      proof: { privateKeyHex: "11".repeat(32) },
      billing: { defaultPricePerTokenWei: "1" },
      chain: { rpcUrl: rpcUrl, deposits: `0x${"11".repeat(20)}`, ingot: `0x${"22".repeat(20)}`, settlerKeyFile: keyFile },
      witness: { tsaUrl: tsa.url, intervalMs: 50, maxProofs: 2, minProofs: 1, anchor: { proofLog, appenderKeyFile: keyFile, everyBatches: 1, maxDelayMs: 1000 } },
    });
    const opened = await openProofWitnesses({ config: config.witness!, chain: config.chain, ledgerPath: config.ledger.path, logger: silent });
    try {
      const proof = await issue(100);
      await opened.witnesses.add(proof.proof_id, proof.hashes.chain.slice(7));
      for (let i = 0; i < 200 && !(await opened.witnesses.witnessOf(proof.proof_id))?.anchor; i++) await new Promise((r) => setTimeout(r, 25));
      const witness = (await opened.witnesses.witnessOf(proof.proof_id))!;
      expect(witness).toMatchObject({ status: "timestamped", leaf_count: 1, anchor: { contract: proofLog.toLowerCase() } });
      const anchored = await publicClient.readContract({ address: proofLog, abi: proofLogAbi, functionName: "anchorOf", args: [`0x${witness.root.slice(7)}`] });
      expect(anchored.anchoredAt).toBeGreaterThan(0n);
      expect(opened.anchorer!.stats).toMatchObject({ transactions: 1, roots: 1, failures: 0 });
    } finally {
      await opened.close();
    }
    // The store defaults to the ledger's path + .witness.sqlite, and keeps the batch.
    const reopened = openWitnessStore({ path: `${config.ledger.path}.witness.sqlite` });
    expect(reopened.getBatch(1)?.anchor).toBeDefined();
    reopened.close();
  }, 60_000);

  it("prints the anchor's gas per batch root, alone and ten to a transaction", async () => {
    const one = await appendRoots({ publicClient, walletClient: wallets[5]!, proofLog, roots: [randomBytes(32).toString("hex")] });
    const ten = await appendRoots({ publicClient, walletClient: wallets[5]!, proofLog, roots: Array.from({ length: 10 }, () => randomBytes(32).toString("hex")) });
    console.log(`ProofLog.append gas: 1 root ${one.gasUsed} per transaction; 10 roots ${ten.gasUsed} (${ten.gasUsed / 10n} per root)`);
    expect(ten.gasUsed / 10n).toBeLessThan(one.gasUsed);
  }, 60_000);
});
