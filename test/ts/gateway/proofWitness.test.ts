import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runVerifyProofCli } from "../../../gateway/src/cli/verifyProof.js";
import { createPriceBook } from "../../../gateway/src/config/createPriceBook.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import { createGatewayServer } from "../../../gateway/src/server/createGatewayServer.js";
import { createProofIssuer } from "../../../gateway/src/server/createProofIssuer.js";
import { createStaticIngotCatalog } from "../../../gateway/src/server/createStaticIngotCatalog.js";
import { batchSizeAt } from "../../../gateway/src/witness/batchSizeAt.js";
import { buildMerkleTree } from "../../../gateway/src/witness/buildMerkleTree.js";
import { createProofBatcher } from "../../../gateway/src/witness/createProofBatcher.js";
import { createTsaAgent } from "../../../gateway/src/witness/createTsaAgent.js";
import { TimeStampError } from "../../../gateway/src/witness/errors.js";
import { merkleLeafHash } from "../../../gateway/src/witness/merkleLeafHash.js";
import { merkleNodeHash } from "../../../gateway/src/witness/merkleNodeHash.js";
import { openWitnessStore } from "../../../gateway/src/witness/openWitnessStore.js";
import { requestTimeStamp } from "../../../gateway/src/witness/requestTimeStamp.js";
import { rootFromPath } from "../../../gateway/src/witness/rootFromPath.js";
import { rootImprint } from "../../../gateway/src/witness/rootImprint.js";
import { startLocalTsa, type LocalTsa } from "../../../gateway/src/witness/tsa/startLocalTsa.js";
import { verifyWitness } from "../../../gateway/src/witness/verifyWitness.js";
import { createMemoryLedger, createScriptedEngine } from "./fixtures/gatewayDoubles.js";
import { proofDocBlock } from "./fixtures/proofDocBlock.js";
import { spawnSync } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";

const HAVE_TOOLS = ([["jq", "--version"], ["xxd", "-v"], ["openssl", "version"], ["base64", "--version"]] as const).every(([tool, flag]) => spawnSync(tool, [flag]).status === 0);
if (!HAVE_TOOLS) console.warn("\n*** jq, xxd, openssl or base64 not found: the witness recipes of gateway/docs/proof.md are NOT TESTED here ***\n");
const bash = (script: string, cwd: string) => {
  const r = spawnSync("bash", ["-c", script], { cwd, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

const run = promisify(execFile);
const silent = pino({ level: "silent" });
const hashes = (n: number) => Array.from({ length: n }, (_, i) => createHash("sha256").update(`proof ${i}`).digest("hex"));

let dir: string;
let tsa: LocalTsa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "proof-witness-"));
  tsa = await startLocalTsa({ dir: join(dir, "tsa") });
});
afterAll(async () => {
  await tsa?.close();
  await rm(dir, { recursive: true, force: true });
});

/** `openssl ts -verify -data root.bin -in token.der -token_in -CAfile cert`: its output and exit code. */
async function opensslVerify(rootHex: string, tokenBase64: string, certificatePath: string): Promise<{ ok: boolean; out: string }> {
  const rootFile = join(dir, `root-${rootHex.slice(0, 8)}.bin`);
  const tokenFile = join(dir, `token-${rootHex.slice(0, 8)}.der`);
  await writeFile(rootFile, Buffer.from(rootHex, "hex"));
  await writeFile(tokenFile, Buffer.from(tokenBase64, "base64"));
  try {
    const { stdout, stderr } = await run("openssl", ["ts", "-verify", "-data", rootFile, "-in", tokenFile, "-token_in", "-CAfile", certificatePath]);
    return { ok: true, out: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("batch Merkle tree (RFC 6962 hashing)", () => {
  it("buildMerkleTree_givesEveryLeafAPathToTheRoot_forEverySizeUpTo17", () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = hashes(n);
      const { root, paths } = buildMerkleTree(leaves);
      leaves.forEach((h, i) => expect(rootFromPath(h, paths[i]!)).toBe(root));
    }
  });

  it("buildMerkleTree_splitsAtTheLargestPowerOfTwo_andPrefixesLeavesAndNodes", () => {
    const [a, b, c] = hashes(3);
    const leaf = (h: string) => createHash("sha256").update(Buffer.concat([Buffer.from([0]), Buffer.from(h!, "hex")])).digest("hex");
    const node = (l: string, r: string) => createHash("sha256").update(Buffer.concat([Buffer.from([1]), Buffer.from(l, "hex"), Buffer.from(r, "hex")])).digest("hex");
    expect(buildMerkleTree([a!, b!, c!]).root).toBe(node(node(leaf(a!), leaf(b!)), leaf(c!)));
    expect(merkleLeafHash(a!)).toBe(leaf(a!));
    expect(merkleNodeHash(a!, b!)).toBe(node(a!, b!));
    // One leaf: the root is its leaf hash, never the bare chain hash.
    expect(buildMerkleTree([a!]).root).toBe(leaf(a!));
  });

  it("rootFromPath_missesTheRoot_whenTheChainHashOrAStepIsChanged", () => {
    const leaves = hashes(5);
    const { root, paths } = buildMerkleTree(leaves);
    expect(rootFromPath(leaves[1]!, paths[2]!)).not.toBe(root);
    const flipped = paths[3]!.map((s, i) => (i === 0 ? { ...s, side: s.side === "left" ? ("right" as const) : ("left" as const) } : s));
    expect(rootFromPath(leaves[3]!, flipped)).not.toBe(root);
  });
});

describe("RFC 3161 with the local openssl TSA", () => {
  it("requestTimeStamp_getsATokenThatOpensslTsVerifyAccepts_andPkijsVerifiesAgainstThePinnedCertificate", async () => {
    const { root } = buildMerkleTree(hashes(4));
    const granted = await requestTimeStamp({ tsaUrl: tsa.url, digest: rootImprint(root) });
    const token = Buffer.from(granted.token).toString("base64");
    const verified = await opensslVerify(root, token, tsa.certificatePath);
    expect(verified.out).toContain("Verification: OK");
    expect(verified.ok).toBe(true);
    // Another root does not verify with that token.
    const other = await opensslVerify(buildMerkleTree(hashes(5)).root, token, tsa.certificatePath);
    expect(other.ok).toBe(false);
  });

  it("requestTimeStamp_refusesAReplayedReply_whoseNonceIsNotTheRequests", async () => {
    const { root } = buildMerkleTree(hashes(2));
    // A "TSA" that answers every query with one reply it got earlier (a replay or a cache).
    const recorded = await fetch(tsa.url, { method: "POST", headers: { "content-type": "application/timestamp-query" }, body: (await import("../../../gateway/src/witness/buildTimeStampRequest.js")).buildTimeStampRequest(rootImprint(root), 7n) });
    const replayed = Buffer.from(await recorded.arrayBuffer());
    const replay = createServer((_req, res) => void _req.resume().on("end", () => res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(replayed)));
    await new Promise<void>((r) => replay.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(replay.address() as AddressInfo).port}/`;
    try {
      await expect(requestTimeStamp({ tsaUrl: url, digest: rootImprint(root), nonce: 8n })).rejects.toThrow(/nonce 7 is not the request's 8/);
      await expect(requestTimeStamp({ tsaUrl: url, digest: rootImprint(buildMerkleTree(hashes(3)).root), nonce: 7n })).rejects.toThrow(/not the digest asked for/);
      await expect(requestTimeStamp({ tsaUrl: url, digest: rootImprint(root), nonce: 7n })).resolves.toBeDefined();
    } finally {
      await new Promise<void>((r) => replay.close(() => r()));
    }
  });

  it("requestTimeStamp_throwsTimeStampError_whenTheTsaRefuses_withItsPkiStatus", async () => {
    // TimeStampResp { status PKIStatusInfo { status rejection (2) } }, no token.
    const rejection = Buffer.from("3005300302010" + "2", "hex");
    const refusing = createServer((_req, res) => void _req.resume().on("end", () => res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(rejection)));
    await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
    try {
      await expect(requestTimeStamp({ tsaUrl: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/`, digest: randomBytes(32) })).rejects.toThrow(/refused the request \(PKIStatus 2\)/);
    } finally {
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });

  it("requestTimeStamp_sendsAgainOnANewConnection_whenTheTsaClosedTheKeptAliveOne", async () => {
    // A front end to the local TSA that drops every second request on a connection without an answer
    // (what a TSA closing an idle keep-alive connection as the next request arrives looks like).
    const perSocket = new WeakMap<object, number>();
    const front = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        if (n > 1) return void req.socket.destroy();
        const answer = await fetch(tsa.url, { method: "POST", headers: { "content-type": "application/timestamp-query" }, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, { "content-type": "application/timestamp-reply" }).end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}/`;
    const agent = createTsaAgent(url);
    try {
      for (let i = 0; i < 3; i++) await expect(requestTimeStamp({ tsaUrl: url, digest: randomBytes(32), agent })).resolves.toMatchObject({ genTime: expect.any(Date) });
    } finally {
      agent.destroy();
      await new Promise<void>((r) => front.close(() => r()));
    }
  });

  it("requestTimeStamp_throwsTimeStampError_whenTheTsaIsDownOrAnswersGarbage", async () => {
    const garbage = createServer((_req, res) => void _req.resume().on("end", () => res.writeHead(200).end("not DER")));
    await new Promise<void>((r) => garbage.listen(0, "127.0.0.1", r));
    try {
      await expect(requestTimeStamp({ tsaUrl: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/`, digest: randomBytes(32) })).rejects.toBeInstanceOf(TimeStampError);
      await expect(requestTimeStamp({ tsaUrl: "http://127.0.0.1:9/", digest: randomBytes(32), timeoutMs: 2000 })).rejects.toBeInstanceOf(TimeStampError);
    } finally {
      await new Promise<void>((r) => garbage.close(() => r()));
    }
  });
});

describe("createProofBatcher", () => {
  it("closesABatchAtMaxProofs_andTheRestAfterTheInterval_eachTimestamped", async () => {
    const store = openWitnessStore({ path: ":memory:" });
    const batcher = createProofBatcher({ store, tsaUrl: tsa.url, timeStamp: (d) => requestTimeStamp({ tsaUrl: tsa.url, digest: d }), intervalMs: 200, maxProofs: 4, logger: silent });
    const leaves = hashes(6);
    leaves.forEach((h, i) => batcher.add(`prf_${i}`, h));
    await new Promise((r) => setTimeout(r, 1500));
    expect(batcher.pending).toBe(0);
    expect(store.getBatch(1)!.proofIds).toEqual(["prf_0", "prf_1", "prf_2", "prf_3"]);
    expect(store.getBatch(2)!.proofIds).toEqual(["prf_4", "prf_5"]);
    for (let i = 0; i < 6; i++) {
      const w = store.witnessOf(`prf_${i}`)!;
      expect(rootFromPath(leaves[i]!, w.path)).toBe(w.root.slice(7));
      expect((await opensslVerify(w.root.slice(7), w.rfc3161.token, tsa.certificatePath)).ok).toBe(true);
    }
    await batcher.close();
    store.close();
  });

  it("keepsTheProofsQueuedInOrder_whenTheTsaFails_andTimestampsThemOnTheNextTry", async () => {
    const store = openWitnessStore({ path: ":memory:" });
    let down = true;
    const batcher = createProofBatcher({
      store,
      tsaUrl: tsa.url,
      timeStamp: (d) => (down ? Promise.reject(new TimeStampError(tsa.url, "down")) : requestTimeStamp({ tsaUrl: tsa.url, digest: d })),
      intervalMs: 50,
      maxProofs: 100,
      logger: silent,
    });
    hashes(3).forEach((h, i) => batcher.add(`prf_${i}`, h));
    await batcher.flush();
    expect(batcher.pending).toBe(3);
    expect(batcher.stats.failures).toBeGreaterThan(0);
    expect(store.nextBatchNumber()).toBe(1);
    down = false;
    await batcher.flush();
    expect(batcher.pending).toBe(0);
    expect(store.getBatch(1)!.proofIds).toEqual(["prf_0", "prf_1", "prf_2"]);
    await batcher.close();
    store.close();
  });

  it("closesAtTheIntervalOnlyWithMinProofs_elseAtTheProofThatMakesThem_orAtMaxDelay", async () => {
    vi.useFakeTimers();
    const store = openWitnessStore({ path: ":memory:" });
    try {
      const batcher = createProofBatcher({ store, tsaUrl: "local", timeStamp: async () => ({ token: new Uint8Array([1]), genTime: new Date() }), intervalMs: 1000, minProofs: 4, maxDelayMs: 5000, maxProofs: 8, logger: silent });
      const leaves = hashes(30);
      let next = 0;
      const add = (n: number) => {
        for (let i = 0; i < n; i++, next++) batcher.add(`prf_${next}`, leaves[next]!);
      };
      const sizes = () => Array.from({ length: store.nextBatchNumber() - 1 }, (_, i) => store.getBatch(i + 1)!.proofIds.length);
      // Two proofs: not closed at the interval (under minProofs), closed at maxDelayMs.
      add(2);
      await vi.advanceTimersByTimeAsync(4990);
      expect(sizes()).toEqual([]);
      await vi.advanceTimersByTimeAsync(20);
      expect(sizes()).toEqual([2]);
      // One proof, the interval passes, then three more: closed at the fourth, not at maxDelayMs.
      add(1);
      await vi.advanceTimersByTimeAsync(1500);
      add(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(sizes()).toEqual([2, 4]);
      // Five within the interval: closed at the interval.
      add(5);
      await vi.advanceTimersByTimeAsync(1001);
      expect(sizes()).toEqual([2, 4, 5]);
      // Ten at once: eight at once (maxProofs), the other two at maxDelayMs.
      add(10);
      await vi.advanceTimersByTimeAsync(1);
      expect(sizes()).toEqual([2, 4, 5, 8]);
      await vi.advanceTimersByTimeAsync(5001);
      expect(sizes()).toEqual([2, 4, 5, 8, 2]);
      await batcher.close();
    } finally {
      store.close();
      vi.useRealTimers();
    }
  });

  it("batchSizeAt_givesTheSizeThePolicyClosesAt_forASteadyRate", () => {
    const policy = { intervalMs: 1000, minProofs: 32, maxDelayMs: 10_000, maxProofs: 1024 };
    expect([0.05, 1, 6, 60, 600, 5000].map((r) => batchSizeAt(r, policy))).toEqual([1, 11, 32, 61, 601, 1024]);
    expect(batchSizeAt(6, { ...policy, minProofs: 1, maxDelayMs: 1000 })).toBe(7);
  });

  it("add_costsAtMostATenthOfAMillisecondPerCall_amortizedWithTheBatchClosing", async () => {
    const store = openWitnessStore({ path: ":memory:" });
    const batcher = createProofBatcher({ store, tsaUrl: tsa.url, timeStamp: (d) => requestTimeStamp({ tsaUrl: tsa.url, digest: d }), intervalMs: 1000, maxProofs: 1000, logger: silent });
    const leaves = hashes(2000);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    leaves.forEach((h, i) => batcher.add(`prf_${i}`, h));
    const addMs = performance.now() - started;
    await batcher.flush();
    const cpu = process.cpuUsage(cpu0);
    const { proofs, busyMs, batches } = batcher.stats;
    expect(proofs).toBe(2000);
    expect(batches).toBe(2);
    // The call path pays `add` alone (a push)…
    expect(addMs / proofs).toBeLessThan(0.01);
    // …and this process's CPU for everything (queueing, trees, TimeStampReq, the in-process TSA's
    // HTTP front end and its openssl spawn, TimeStampResp check, store) stays under 0.1 ms a call.
    expect(busyMs / proofs).toBeLessThan(0.1);
    expect((cpu.user + cpu.system) / 1000 / proofs).toBeLessThan(0.1);
    await batcher.close();
    store.close();
  });
});

describe("the gateway with witnesses", () => {
  const payer = "0x00000000000000000000000000000000000000aa" as Address;
  const signer = createProofSigner(randomBytes(32));
  const ingot = { ingotId: 1n, model: "ingot-1", baseModelName: "tiny", baseModelRoot: `0x${"11".repeat(32)}` as Hex, adapterRoot: `0x${"01".repeat(32)}` as Hex, metadataURI: "" };

  it("deliversAPendingWitness_thenServesTheTimestampedProof_whichVerifiesWithOpensslAndTheCli", async () => {
    const ledger = createMemoryLedger();
    ledger.addKey("sk-good", payer);
    ledger.credit.set(payer, 10_000n);
    const store = openWitnessStore({ path: join(dir, "gw.witness.sqlite") });
    const batcher = createProofBatcher({ store, tsaUrl: tsa.url, timeStamp: (d) => requestTimeStamp({ tsaUrl: tsa.url, digest: d }), intervalMs: 60_000, maxProofs: 100, logger: silent });
    const app = createGatewayServer({
      engine: createScriptedEngine(["Sound", "if", "aligned."]),
      catalog: createStaticIngotCatalog([ingot]),
      ledger,
      proofs: createProofIssuer({ signer, seller: "gw.test" }),
      prices: createPriceBook({ asset: "0x0000000000000000000000000000000000000000", defaultPricePerTokenWei: 10n, ingotPricesWei: {} }),
      logger: silent,
      witnesses: { add: batcher.add, witnessOf: (id) => store.witnessOf(id) },
    });
    try {
      const calls = [];
      for (let i = 0; i < 3; i++) calls.push(await app.inject({ method: "POST", url: "/v1/chat/completions", headers: { authorization: "Bearer sk-good" }, payload: { model: "ingot-1", messages: [{ role: "user", content: `q${i}` }], stream: i === 2 } }));
      const inBand = calls[0]!.json().proof;
      expect(inBand.witness).toEqual({ status: "pending", url: `/v1/proofs/${inBand.proof_id}` });
      // The witness is outside what was signed: the in-band proof verifies as it is.
      expect(verifyProof(inBand, { publicKey: signer.publicKeyHex }).valid).toBe(true);
      expect((await app.inject({ method: "GET", url: inBand.witness.url })).json().witness.status).toBe("pending");

      await batcher.flush();
      const served = (await app.inject({ method: "GET", url: inBand.witness.url })).json();
      expect(served.witness).toMatchObject({ status: "timestamped", batch: 1, leaf_index: 0, leaf_count: 3 });
      expect(verifyProof(served, { publicKey: signer.publicKeyHex }).valid).toBe(true);
      const checked = await verifyWitness(served, { tsaCertificatePem: await readFile(tsa.certificatePath, "utf8"), requireTimestamp: true });
      expect(checked.valid).toBe(true);
      expect(Object.values(checked.checks).map((c) => c.status)).toEqual(["pass", "pass", "pass", "pass", "skip"]); // rekor: no Rekor key pinned
      expect((await opensslVerify(served.witness.root.slice(7), served.witness.rfc3161.token, tsa.certificatePath)).out).toContain("Verification: OK");

      // The CLI: --tsa-cert checks the path, the imprint and the TSA's signature.
      const proofFile = join(dir, "served.json");
      await writeFile(proofFile, JSON.stringify(served));
      const out: string[] = [];
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t), readStdin: async () => "" };
      expect(await runVerifyProofCli([proofFile, "--public-key", signer.publicKeyHex, "--tsa-cert", tsa.certificatePath], io)).toBe(0);
      expect(out.join("")).toMatch(/PASS\s+timestamp_signature/);

      // A path moved onto another proof of the batch, or a token of another TSA key, fails.
      const moved = { ...served, witness: { ...served.witness, path: store.witnessOf(calls[1]!.json().proof.proof_id)!.path } };
      expect((await verifyWitness(moved)).checks.inclusion.status).toBe("fail");
      await writeFile(proofFile, JSON.stringify(moved));
      expect(await runVerifyProofCli([proofFile, "--public-key", signer.publicKeyHex, "--tsa-cert", tsa.certificatePath], io)).toBe(1);
      const strangerTsa = await startLocalTsa({ dir: join(dir, "tsa-stranger") });
      try {
        const strangerCert = await readFile(strangerTsa.certificatePath, "utf8");
        const foreign = await verifyWitness(served, { tsaCertificatePem: strangerCert });
        expect(foreign.checks.timestamp_signature.status).toBe("fail");
      } finally {
        await strangerTsa.close();
      }
      // A proof still pending fails when a time-stamp is required.
      expect((await verifyWitness(inBand, { requireTimestamp: true })).valid).toBe(false);
      // A genuine token of the TSA, but for another root, does not time-stamp this one.
      const otherToken = Buffer.from((await requestTimeStamp({ tsaUrl: tsa.url, digest: rootImprint("ab".repeat(32)) })).token).toString("base64");
      const swapped = { ...served, witness: { ...served.witness, rfc3161: { ...served.witness.rfc3161, token: otherToken } } };
      const swappedCheck = await verifyWitness(swapped, { tsaCertificatePem: await readFile(tsa.certificatePath, "utf8") });
      expect(swappedCheck.checks.timestamp_imprint.status).toBe("fail");
      expect(swappedCheck.checks.timestamp_signature.status).toBe("fail");

      if (HAVE_TOOLS) {
        // gateway/docs/proof.md's recipes, run as written, on the served proof and on tampered copies.
        const docDir = join(dir, "doc");
        await mkdir(docDir, { recursive: true });
        await copyFile(tsa.certificatePath, join(docDir, "tsa.crt"));
        await writeFile(join(docDir, "proof.json"), JSON.stringify(served));
        expect(bash(proofDocBlock("witness-path"), docDir).out.trim()).toBe("INCLUDED");
        const opensslRun = bash(proofDocBlock("witness-openssl"), docDir);
        expect(opensslRun.out).toContain("Verification: OK");
        expect(opensslRun.code).toBe(0);
        await writeFile(join(docDir, "proof.json"), JSON.stringify(moved));
        expect(bash(proofDocBlock("witness-path"), docDir).out.trim()).toBe("NOT-INCLUDED");
        await writeFile(join(docDir, "proof.json"), JSON.stringify(swapped));
        expect(bash(proofDocBlock("witness-openssl"), docDir).code).not.toBe(0);
      }
    } finally {
      await app.close();
      await batcher.close();
      store.close();
    }
  });
});
