/**
 * Sigstore Rekor as the proofs' optional second public log, through @sigstore/sign (entry) and
 * @sigstore/verify (check). Offline: against startLocalRekor, a LOCAL endpoint speaking the part
 * of Rekor's v1 API the package uses. Nothing here reaches rekor.sigstore.dev.
 */
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, randomBytes } from "node:crypto";
import { p256 } from "@noble/curves/nist";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVerifyProofCli } from "../../../gateway/src/cli/verifyProof.js";
import { createPriceBook } from "../../../gateway/src/config/createPriceBook.js";
import { parseGatewayConfig } from "../../../gateway/src/config/parseGatewayConfig.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { createGatewayServer } from "../../../gateway/src/server/createGatewayServer.js";
import { createProofIssuer } from "../../../gateway/src/server/createProofIssuer.js";
import { createStaticIngotCatalog } from "../../../gateway/src/server/createStaticIngotCatalog.js";
import { RekorError } from "../../../gateway/src/witness/errors.js";
import { openProofWitnesses } from "../../../gateway/src/witness/openProofWitnesses.js";
import { openWitnessStore } from "../../../gateway/src/witness/openWitnessStore.js";
import { createRekorPublisher } from "../../../gateway/src/witness/rekor/createRekorPublisher.js";
import { createRekorSigner } from "../../../gateway/src/witness/rekor/createRekorSigner.js";
import { logRootInRekor } from "../../../gateway/src/witness/rekor/logRootInRekor.js";
import { startLocalRekor, type LocalRekor } from "../../../gateway/src/witness/rekor/startLocalRekor.js";
import { verifyRekorEntry } from "../../../gateway/src/witness/rekor/verifyRekorEntry.js";
import { startLocalTsa, type LocalTsa } from "../../../gateway/src/witness/tsa/startLocalTsa.js";
import { verifyWitness } from "../../../gateway/src/witness/verifyWitness.js";
import { createMemoryLedger, createScriptedEngine } from "./fixtures/gatewayDoubles.js";

const silent = pino({ level: "silent" });
const p256Pem = () => execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout"]).toString();
const ROOT = "ab".repeat(32);
const sha256Hex = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let dir: string;
let rekor: LocalRekor;
let tsa: LocalTsa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "proof-rekor-"));
  rekor = await startLocalRekor();
  tsa = await startLocalTsa({ dir: join(dir, "tsa") });
});
afterAll(async () => {
  await rekor?.close();
  await tsa?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the local Rekor endpoint (a stand-in, not Rekor)", () => {
  it("refuses a hashedrekord whose signature does not verify over the digest, and a malformed entry", async () => {
    const signer = createRekorSigner(p256Pem());
    const { signature } = await signer.sign(Buffer.from(ROOT, "hex"));
    const entry = (digestHex: string) => ({
      apiVersion: "0.0.1",
      kind: "hashedrekord",
      spec: { data: { hash: { algorithm: "sha256", value: digestHex } }, signature: { content: signature.toString("base64"), publicKey: { content: Buffer.from(signer.publicKeyPem).toString("base64") } } },
    });
    const post = (body: unknown) => fetch(`${rekor.url}/api/v1/log/entries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const wrong = await post(entry("cd".repeat(32)));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/does not verify/);
    expect((await post({ kind: "intoto" })).status).toBe(400);
    // An entry already in the log: 409 with its Location, which a GET serves (what @sigstore/sign's fetchOnConflict follows).
    const created = await post(entry(sha256Hex(Buffer.from(ROOT, "hex"))));
    expect(created.status).toBe(201);
    const repeat = await post(entry(sha256Hex(Buffer.from(ROOT, "hex"))));
    expect(repeat.status).toBe(409);
    const location = repeat.headers.get("location")!;
    const fetched = (await (await fetch(`${rekor.url}${location}`)).json()) as Record<string, unknown>;
    expect(fetched).toEqual(await created.json());
  });
});

describe("logRootInRekor and verifyRekorEntry (@sigstore/sign, @sigstore/verify)", () => {
  it("logs a batch root and verifies it against the pinned log key, and only that root and that key", async () => {
    const signer = createRekorSigner(p256Pem());
    const entry = await logRootInRekor({ rekorUrl: rekor.url, signer, rootHex: ROOT });
    expect(entry).toMatchObject({ rekor_url: rekor.url, log_id: rekor.logId });
    expect(entry.bundle).toMatchObject({ messageSignature: { messageDigest: { algorithm: "SHA2_256" } }, verificationMaterial: { publicKey: { hint: signer.keyHint } } });
    const pass = verifyRekorEntry(entry, ROOT, rekor.publicKeyPem);
    expect(pass.status).toBe("pass");
    expect(pass.integratedTime!.toISOString().replace(/\.000Z$/, "Z")).toBe(entry.integrated_time);

    expect(verifyRekorEntry(entry, "cd".repeat(32), rekor.publicKeyPem).status).toBe("fail");
    const stranger = await startLocalRekor();
    try {
      expect(verifyRekorEntry(entry, ROOT, stranger.publicKeyPem).status).toBe("fail");
    } finally {
      await stranger.close();
    }
    // A changed signed entry timestamp, integrated time or inclusion path fails.
    const tlog = (entry.bundle as any).verificationMaterial.tlogEntries[0];
    const withTlog = (patch: Record<string, unknown>) => ({ ...entry, bundle: { ...entry.bundle, verificationMaterial: { ...(entry.bundle as any).verificationMaterial, tlogEntries: [{ ...tlog, ...patch }] } } });
    expect(verifyRekorEntry(withTlog({ integratedTime: String(Number(tlog.integratedTime) - 3600) }), ROOT, rekor.publicKeyPem).status).toBe("fail");
    expect(verifyRekorEntry(withTlog({ inclusionPromise: { signedEntryTimestamp: Buffer.from(randomBytes(70)).toString("base64") } }), ROOT, rekor.publicKeyPem).status).toBe("fail");
    const envelope: string = tlog.inclusionProof.checkpoint.envelope;
    const [origin, size, rootLine, ...rest] = envelope.split("\n");
    const forged = [origin, size, randomBytes(32).toString("base64"), ...rest].join("\n");
    expect(rootLine).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(verifyRekorEntry(withTlog({ inclusionProof: { ...tlog.inclusionProof, checkpoint: { envelope: forged } } }), ROOT, rekor.publicKeyPem).status).toBe("fail");
    expect(verifyRekorEntry({ rekor_url: rekor.url }, ROOT, rekor.publicKeyPem).status).toBe("fail");
  });

  it("fetches the existing entry when the log answers 409 (the package's fetchOnConflict), with a deterministic signer", async () => {
    // RFC 6979 ECDSA (noble) signs the same root the same way, so the second entry is the same body: Rekor answers 409.
    const pem = p256Pem();
    const base = createRekorSigner(pem);
    const d = Buffer.from(createPrivateKey(pem).export({ format: "jwk" }).d!, "base64url");
    const deterministic = { ...base, sign: async (data: Buffer) => ({ signature: Buffer.from(p256.sign(createHash("sha256").update(data).digest(), d, { prehash: false }).toDERRawBytes()), key: { $case: "publicKey" as const, publicKey: base.publicKeyPem, hint: base.keyHint } }) };
    const root = "5a".repeat(32);
    const first = await logRootInRekor({ rekorUrl: rekor.url, signer: deterministic, rootHex: root });
    const entries = rekor.entries;
    const second = await logRootInRekor({ rekorUrl: rekor.url, signer: deterministic, rootHex: root });
    expect(rekor.entries).toBe(entries);
    expect(second.log_index).toBe(first.log_index);
    expect(verifyRekorEntry(second, root, rekor.publicKeyPem).status).toBe("pass");
  });

  it("throws RekorError when Rekor cannot be reached, and the publisher keeps the batch for the next try", async () => {
    const signer = createRekorSigner(p256Pem());
    await expect(logRootInRekor({ rekorUrl: "http://127.0.0.1:9", signer, rootHex: ROOT, timeoutMs: 2000 })).rejects.toBeInstanceOf(RekorError);
    const store = openWitnessStore({ path: ":memory:" });
    try {
      store.saveBatch({ batch: 1, root: ROOT, chainHashes: ["11".repeat(32)], proofIds: ["prf_1"], tsaUrl: "local", token: "AA==", genTime: new Date().toISOString() });
      let url = "http://127.0.0.1:9";
      const publisher = createRekorPublisher({ store, log: (rootHex) => logRootInRekor({ rekorUrl: url, signer, rootHex, timeoutMs: 2000 }), retryMs: 60_000, logger: silent });
      await publisher.flush();
      expect(publisher.stats.failures).toBe(1);
      expect(store.unlogged(10).map((b) => b.batch)).toEqual([1]);
      url = rekor.url;
      publisher.batchClosed();
      await publisher.flush();
      expect(store.unlogged(10)).toEqual([]);
      expect(verifyRekorEntry(store.getBatch(1)!.rekor, ROOT, rekor.publicKeyPem).status).toBe("pass");
      await publisher.close();
    } finally {
      store.close();
    }
  });
});

describe("createRekorPublisher at start", () => {
  it("logs the batches a previous run stored and never logged, without waiting for a new batch", async () => {
    const store = openWitnessStore({ path: ":memory:" });
    const signer = createRekorSigner(p256Pem());
    try {
      store.saveBatch({ batch: 1, root: "7e".repeat(32), chainHashes: ["22".repeat(32)], proofIds: ["prf_old"], tsaUrl: "local", token: "AA==", genTime: new Date().toISOString() });
      const publisher = createRekorPublisher({ store, log: (rootHex) => logRootInRekor({ rekorUrl: rekor.url, signer, rootHex }), retryMs: 60_000, logger: silent });
      for (let i = 0; i < 200 && store.unlogged(1).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(store.unlogged(1)).toEqual([]);
      expect(verifyRekorEntry(store.getBatch(1)!.rekor, "7e".repeat(32), rekor.publicKeyPem).status).toBe("pass");
      await publisher.close();
    } finally {
      store.close();
    }
  });
});

describe("the gateway with witness.rekor", () => {
  it("serves each proof with its batch root's Rekor entry, which verifyWitness and verify-proof --rekor-key check", async () => {
    const keyFile = join(dir, "rekor-signer.pem");
    await writeFile(keyFile, p256Pem());
    const raw = {
      server: { seller: "gw.test" },
      model: { path: "unused.gguf" },
      storage: { localDir: dir },
      ledger: { path: join(dir, "ledger.sqlite") },
      proof: { privateKeyHex: "11".repeat(32) },
      billing: { defaultPricePerTokenWei: "1" },
    };
    const config = parseGatewayConfig({ ...raw, witness: { tsaUrl: tsa.url, intervalMs: 60_000, maxDelayMs: 60_000, rekor: { url: rekor.url, signerKeyFile: keyFile } } });
    expect(parseGatewayConfig({ ...raw, witness: { tsaUrl: tsa.url } }).witness?.rekor).toBeUndefined(); // off by default
    expect(parseGatewayConfig({ ...raw, witness: { tsaUrl: tsa.url, rekor: { signerKeyFile: keyFile } } }).witness?.rekor).toEqual({ url: "https://rekor.sigstore.dev", signerKeyFile: keyFile, timeoutMs: 10_000, retryMs: 60_000 });
    const opened = await openProofWitnesses({ config: config.witness!, ledgerPath: config.ledger.path, logger: silent });
    const payer = "0x00000000000000000000000000000000000000aa" as Address;
    const ledger = createMemoryLedger();
    ledger.addKey("sk-good", payer);
    ledger.credit.set(payer, 10_000n);
    const signer = createProofSigner(randomBytes(32));
    const app = createGatewayServer({
      engine: createScriptedEngine(["Sound", "if", "aligned."]),
      catalog: createStaticIngotCatalog([{ ingotId: 1n, model: "ingot-1", baseModelName: "tiny", baseModelRoot: `0x${"11".repeat(32)}` as Hex, adapterRoot: `0x${"01".repeat(32)}` as Hex, metadataURI: "" }]),
      ledger,
      proofs: createProofIssuer({ signer, seller: "gw.test" }),
      prices: createPriceBook({ asset: "0x0000000000000000000000000000000000000000", defaultPricePerTokenWei: 10n, ingotPricesWei: {} }),
      logger: silent,
      witnesses: opened.witnesses,
    });
    try {
      const before = rekor.entries;
      const call = await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: "Bearer sk-good" }, payload: { model: "ingot-1", messages: [{ role: "user", content: "q" }] } });
      const id = call.json().proof.proof_id as string;
      await opened.batcher.flush();
      await opened.rekor!.flush();
      expect(rekor.entries).toBe(before + 1);
      const served = (await app.inject({ method: "GET", url: `/v1/proofs/${id}` })).json();
      expect(served.witness.rekor).toMatchObject({ rekor_url: rekor.url, log_id: rekor.logId });
      const checked = await verifyWitness(served, { tsaCertificatePem: await readFile(tsa.certificatePath, "utf8"), rekorPublicKeyPem: rekor.publicKeyPem, requireTimestamp: true });
      expect(checked.checks.rekor.status).toBe("pass");
      expect(checked.valid).toBe(true);

      const proofFile = join(dir, "served.json");
      const rekorKey = join(dir, "rekor.pub");
      await writeFile(proofFile, JSON.stringify(served));
      await writeFile(rekorKey, rekor.publicKeyPem);
      const out: string[] = [];
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), readStdin: async () => "" };
      expect(await runVerifyProofCli([proofFile, "--public-key", signer.publicKeyHex, "--rekor-key", rekorKey], io)).toBe(0);
      expect(out.join("")).toMatch(/PASS\s+rekor/);
      // Another log's key: the entry does not check.
      const stranger = await startLocalRekor();
      await writeFile(rekorKey, stranger.publicKeyPem);
      await stranger.close();
      expect(await runVerifyProofCli([proofFile, "--public-key", signer.publicKeyHex, "--rekor-key", rekorKey], io)).toBe(1);
      // A proof whose batch is not in Rekor fails when a Rekor key is pinned.
      const { rekor: _dropped, ...withoutRekor } = served.witness;
      expect((await verifyWitness({ ...served, witness: withoutRekor }, { rekorPublicKeyPem: rekor.publicKeyPem })).checks.rekor.status).toBe("fail");
    } finally {
      await app.close();
      await opened.close();
    }
  });
});
