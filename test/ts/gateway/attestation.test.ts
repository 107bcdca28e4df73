/**
 * The proof key's attestation: the key derived in an enclave (dstack, over the stand-in that
 * speaks the SDK's protocol; or the simulated one), the report data that binds it, the quote that
 * carries it, the check a verifier runs (`verifyAttestation`, `verify --attestation`), and
 * `GET /v1/attestation`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha2";
import pino from "pino";
import { encodeAbiParameters, keccak256, toBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DstackResponseError, DstackUnavailableError } from "../../../coordinator/src/enclave/adapterErrors.js";
import { tdxMeasurement } from "../../../coordinator/src/enclave/dcap/tdxMeasurement.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { SIMULATED_QUOTE_DOMAIN } from "../../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { deriveProofKeySeed } from "../../../gateway/src/attestation/deriveProofKeySeed.js";
import { GATEWAY_PROOF_KEY_PATH, openDstackProofKey } from "../../../gateway/src/attestation/openDstackProofKey.js";
import { openProofKey } from "../../../gateway/src/attestation/openProofKey.js";
import { openSimulatedProofKey } from "../../../gateway/src/attestation/openSimulatedProofKey.js";
import { proofKeyReportData } from "../../../gateway/src/attestation/proofKeyReportData.js";
import type { ProofKeyAttestation } from "../../../gateway/src/attestation/types.js";
import { verifyAttestation } from "../../../gateway/src/attestation/verifyAttestation.js";
import { runVerifyProofCli } from "../../../gateway/src/cli/verifyProof.js";
import { buildProof } from "../../../gateway/src/proof/buildProof.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import type { ProofSigner } from "../../../gateway/src/proof/types.js";
import { createGatewayServer } from "../../../gateway/src/server/createGatewayServer.js";
import { startDstackStandIn, type DstackStandIn } from "../enclave/dstackStandIn.js";
import { proofDocBlock } from "./fixtures/proofDocBlock.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const proofBy = (signer: ProofSigner) =>
  buildProof({
    request: { model: "ingot-4", messages: [{ role: "user", content: "hi" }] },
    response: { id: "chatcmpl-1", choices: [] },
    apiKey: "ifk_attest",
    seller: "gw.test",
    timestamp: "2026-12-04T10:00:00Z",
    payment: { provider: "gateway_deposits", transaction_id: "chg_a1", amount: 5n, currency: "eth", status: "charged" },
    ingot: { id: 4n, model: "ingot-4", adapter_root: `0x${"44".repeat(32)}` },
    signer,
  });

describe("the proof key's binding and derivation", () => {
  it("proofKeyReportData_isSha256OfTheTaggedKey_asCoreutilsComputesIt_then32ZeroBytes", () => {
    const pub = "ab".repeat(32);
    const shell = execFileSync("sh", ["-c", `printf %s "ingotforge.gateway.proof-key.v1:${pub}" | sha256sum`], { encoding: "utf8" }).split(" ")[0];
    expect(proofKeyReportData(pub)).toBe(`0x${shell}${"00".repeat(32)}`);
    expect(proofKeyReportData(pub.toUpperCase())).toBe(proofKeyReportData(pub));
    expect(() => proofKeyReportData("ab")).toThrow(/64 hex digits/);
  });

  it("deriveProofKeySeed_isHkdfSha256WithTheFixedInfo_asAnIndependentHkdfComputesIt", () => {
    const material = new Uint8Array(32).fill(7);
    expect(deriveProofKeySeed(material)).toEqual(hkdf(sha256, material, new Uint8Array(0), "ingotforge gateway proof key v1", 32));
    expect(deriveProofKeySeed(new Uint8Array(32).fill(8))).not.toEqual(deriveProofKeySeed(material));
    expect(() => deriveProofKeySeed(new Uint8Array(31))).toThrow(/at least 32 bytes/);
  });
});

describe("openSimulatedProofKey", () => {
  it("derivesTheSameKeyFromTheSameSeed_andItsAttestationVerifies_asSimulated", async () => {
    const a = await openSimulatedProofKey({ logger: quiet });
    const b = await openSimulatedProofKey({ logger: quiet });
    const other = await openSimulatedProofKey({ secretSeed: `0x${"01".repeat(32)}`, logger: quiet });
    expect(a.signer.publicKeyHex).toBe(b.signer.publicKeyHex);
    expect(other.signer.publicKeyHex).not.toBe(a.signer.publicKeyHex);
    expect(a.attestation).toMatchObject({ kind: "simulated", simulated: true, public_key: a.signer.publicKeyHex, report_data: proofKeyReportData(a.signer.publicKeyHex), measurement: SIMULATED_MEASUREMENT });
    const v = await verifyAttestation(a.attestation, { publicKey: a.signer.publicKeyHex });
    expect(v).toMatchObject({ valid: true, attested: true, simulated: true, kind: "simulated", measurement: SIMULATED_MEASUREMENT });
    expect(v.checks.quote.detail).toMatch(/SIMULATED/);
  });

  it("saysItVouchesForNothing_whenItStarts", async () => {
    const warnings: string[] = [];
    await openSimulatedProofKey({ logger: { warn: (_o: unknown, msg: string) => void warnings.push(msg) } as never });
    expect(warnings.join("\n")).toMatch(/SIMULATED ENCLAVE.*vouches for nothing/);
  });
});

describe("openDstackProofKey against dstack's protocol (stand-in guest agent)", () => {
  let dir: string;
  let standIn: DstackStandIn;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-dstack-"));
    standIn = await startDstackStandIn({ socketPath: join(dir, "dstack.sock") });
  });
  afterAll(async () => {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("asksForTheGatewayProofKeyPath_quotesItsBinding_andTheAttestationVerifiesWithTheQuotesMeasurement", async () => {
    standIn.requests.length = 0;
    const { signer, attestation } = await openDstackProofKey({ endpoint: standIn.endpoint, logger: quiet });
    expect(standIn.requests.map((r) => r.path)).toEqual(["/GetKey", "/GetQuote", "/Info"]);
    expect(standIn.requests[0].body).toMatchObject({ path: GATEWAY_PROOF_KEY_PATH, algorithm: "secp256k1" });
    expect(`0x${standIn.requests[1].body.report_data}`).toBe(proofKeyReportData(signer.publicKeyHex));
    const measurement = tdxMeasurement({ mrTd: standIn.mrTd, rtmr: standIn.rtmr });
    expect(attestation).toMatchObject({ kind: "dstack", simulated: false, public_key: signer.publicKeyHex, measurement, app_id: "ea1f0b7bca05a4b04f6e1bd40c6b6d1d2b3c4d5e", compose_hash: "a".repeat(64) });
    expect(await verifyAttestation(attestation, { publicKey: signer.publicKeyHex, measurement })).toMatchObject({ valid: true, attested: true, simulated: false, measurement });
    // A proof it signs verifies against the attested key.
    expect(verifyProof(proofBy(signer), { publicKey: attestation.public_key }).valid).toBe(true);
  });

  it("theDocsJqAndSha256sumLines_findTheKeyBound_andTheReportDataInTheTdxQuote_andNotAnotherKeys", async () => {
    const { signer, attestation } = await openDstackProofKey({ endpoint: standIn.endpoint, logger: quiet });
    const other = await openProofKey({ privateKeyHex: "55".repeat(32) }, quiet);
    const run = (block: string, proof: unknown, att: unknown) => {
      writeFileSync(join(dir, "proof.json"), JSON.stringify(proof));
      writeFileSync(join(dir, "attestation.json"), JSON.stringify(att));
      return spawnSync("bash", ["-c", proofDocBlock(block)], { cwd: dir, encoding: "utf8" }).stdout.trim();
    };
    expect(run("attestation-binding", proofBy(signer), attestation)).toBe("BOUND");
    expect(run("attestation-quote", proofBy(signer), attestation)).toBe("QUOTED");
    expect(run("attestation-binding", proofBy(other.signer), attestation)).toBe("NOT-BOUND");
    expect(run("attestation-quote", proofBy(signer), { ...attestation, report_data: proofKeyReportData(other.signer.publicKeyHex) })).toBe("NOT-QUOTED");
  });

  it("givesTheSameKeyAfterARestart_andAnotherAppSecretAnotherKey", async () => {
    const first = await openDstackProofKey({ endpoint: standIn.endpoint, logger: quiet });
    const again = await openDstackProofKey({ endpoint: standIn.endpoint, logger: quiet });
    expect(again.signer.publicKeyHex).toBe(first.signer.publicKeyHex);
    const otherApp = await startDstackStandIn({ appSecret: "another app" });
    try {
      expect((await openDstackProofKey({ endpoint: otherApp.endpoint, logger: quiet })).signer.publicKeyHex).not.toBe(first.signer.publicKeyHex);
    } finally {
      await otherApp.close();
    }
  });

  it("refusesAQuoteThatCarriesOtherReportData", async () => {
    standIn.setMode("wrong-report-data");
    try {
      await expect(openDstackProofKey({ endpoint: standIn.endpoint, logger: quiet })).rejects.toThrow(DstackResponseError);
      await expect(openDstackProofKey({ endpoint: standIn.endpoint, logger: quiet })).rejects.toThrow(/not the proof key's/);
    } finally {
      standIn.setMode("honest");
    }
  });

  it("whenNoGuestAgentAnswers_failsWithDstackUnavailable", async () => {
    await expect(openDstackProofKey({ endpoint: join(dir, "missing.sock"), logger: quiet })).rejects.toThrow(DstackUnavailableError);
  });

  it("aDebugEnclavesAttestation_failsVerification", async () => {
    const debug = await startDstackStandIn({ debug: true });
    try {
      const errors: string[] = [];
      const { signer, attestation } = await openDstackProofKey({ endpoint: debug.endpoint, logger: { ...quiet, error: (_o: unknown, msg: string) => void errors.push(msg) } as never });
      expect(errors.join("\n")).toMatch(/debug TD/);
      const v = await verifyAttestation(attestation, { publicKey: signer.publicKeyHex });
      expect(v).toMatchObject({ valid: false, attested: false });
      expect(v.errors.join("\n")).toMatch(/quote: .*debug enclave/);
    } finally {
      await debug.close();
    }
  });
});

describe("verifyAttestation refuses what does not bind the proof's key", () => {
  let a: ProofKeyAttestation;
  let b: ProofKeyAttestation;
  beforeAll(async () => {
    a = (await openSimulatedProofKey({ logger: quiet })).attestation;
    b = (await openSimulatedProofKey({ secretSeed: `0x${"02".repeat(32)}`, logger: quiet })).attestation;
  });

  it("anAttestationOfAnotherKey_failsAttestedKey", async () => {
    const v = await verifyAttestation(b, { publicKey: a.public_key });
    expect(v.valid).toBe(false);
    expect(v.checks.attested_key.status).toBe("fail");
  });

  it("anotherKeysQuoteUnderThisKey_failsTheReportData_orTheQuote", async () => {
    // The key swapped in, the rest kept: the report data no longer is its binding.
    expect((await verifyAttestation({ ...b, public_key: a.public_key }, { publicKey: a.public_key })).checks.report_data.status).toBe("fail");
    // The report data fixed too, but the quote still carries the other key's.
    const v = await verifyAttestation({ ...b, public_key: a.public_key, report_data: a.report_data }, { publicKey: a.public_key });
    expect(v.checks.report_data.status).toBe("pass");
    expect(v.checks.quote).toMatchObject({ status: "fail", detail: expect.stringMatching(/report data/) });
  });

  it("aSimulatedQuoteSignedByAnotherKey_failsTheQuote", async () => {
    const forger = privateKeyToAccount(keccak256(toBytes("not the platform")));
    const digest = keccak256(
      encodeAbiParameters([{ type: "string" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bool" }], [SIMULATED_QUOTE_DOMAIN, 31337n, SIMULATED_MEASUREMENT, keccak256(a.report_data!), false]),
    );
    const signature = await forger.signMessage({ message: { raw: digest } });
    const quote = encodeAbiParameters(
      [{ type: "tuple", components: [{ name: "measurement", type: "bytes32" }, { name: "reportData", type: "bytes" }, { name: "debug", type: "bool" }, { name: "signature", type: "bytes" }] }],
      [{ measurement: SIMULATED_MEASUREMENT, reportData: a.report_data!, debug: false, signature }],
    );
    const v = await verifyAttestation({ ...a, quote }, { publicKey: a.public_key });
    expect(v.checks.quote).toMatchObject({ status: "fail", detail: expect.stringContaining(forger.address) });
  });

  it("aMeasurementOtherThanTheTrustedOne_fails_andAClaimedOneTheQuoteDoesNotCarry_fails", async () => {
    const trusted = `0x${"11".repeat(32)}` as Hex;
    expect((await verifyAttestation(a, { publicKey: a.public_key, measurement: trusted })).checks.measurement).toMatchObject({ status: "fail", detail: expect.stringContaining(trusted) });
    expect((await verifyAttestation({ ...a, measurement: trusted }, { publicKey: a.public_key })).checks.measurement.status).toBe("fail");
  });

  it("aConfiguredKey_isValidButNotAttested_andMalformedInputFailsTheFormat", async () => {
    const { signer, attestation } = await openProofKey({ privateKeyHex: "33".repeat(32) }, quiet);
    expect(attestation).toEqual({ object: "proof_key_attestation", algorithm: "Ed25519", public_key: signer.publicKeyHex, kind: "none", simulated: false });
    expect(await verifyAttestation(attestation, { publicKey: signer.publicKeyHex })).toMatchObject({ valid: true, attested: false });
    for (const bad of [null, "x", { ...a, object: "other" }, { ...a, report_data: "0x12" }, { ...a, kind: "sgx" }]) {
      const v = await verifyAttestation(bad, { publicKey: a.public_key });
      expect(v.valid).toBe(false);
      expect(v.checks.attestation_format.status).toBe("fail");
    }
  });
});

describe("the gateway serves its attestation, and verify checks a proof against it", () => {
  let dir: string;
  let simulated: Awaited<ReturnType<typeof openSimulatedProofKey>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gateway-attest-cli-"));
    simulated = await openProofKey({ enclave: { kind: "simulated" } }, quiet);
    writeFileSync(join(dir, "proof.json"), JSON.stringify(proofBy(simulated.signer)));
    writeFileSync(join(dir, "attestation.json"), JSON.stringify(simulated.attestation));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runVerifyProofCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: async () => "" });
    return { code, stdout, stderr };
  };

  it("GET /v1/attestation answers the attestation it was given, and 404 without one", async () => {
    const deps = { engine: {} as never, catalog: { find: async () => null, list: async () => [] } as never, ledger: {} as never, proofs: {} as never, prices: {} as never, logger: pino({ level: "silent" }) };
    const withIt = createGatewayServer({ ...deps, attestation: simulated.attestation });
    const without = createGatewayServer(deps);
    try {
      const res = await withIt.inject({ method: "GET", url: "/v1/attestation" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(simulated.attestation);
      expect((await without.inject({ method: "GET", url: "/v1/attestation" })).statusCode).toBe(404);
    } finally {
      await withIt.close();
      await without.close();
    }
  });

  it("verify --attestation: a proof signed by the simulated enclave's key is valid and says it is simulated", async () => {
    const r = await cli([join(dir, "proof.json"), "--attestation", join(dir, "attestation.json"), "--measurement", SIMULATED_MEASUREMENT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+attested_key/);
    expect(r.stdout).toContain("ATTESTED BY A SIMULATED ENCLAVE");
  });

  it("verify --attestation: a proof signed by another key is invalid, exit 1", async () => {
    const other = await openProofKey({ privateKeyHex: "44".repeat(32) }, quiet);
    writeFileSync(join(dir, "other.json"), JSON.stringify(proofBy(other.signer)));
    const r = await cli([join(dir, "other.json"), "--attestation", join(dir, "attestation.json")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+attested_key/);
    expect(r.stdout).toContain("ATTESTATION INVALID");
    expect(JSON.parse((await cli([join(dir, "other.json"), "--attestation", join(dir, "attestation.json"), "--json"])).stdout)).toMatchObject({ valid: false, attestation: { valid: false } });
  });

  it("verify: --measurement without --attestation, or not 32 bytes, is a usage error", async () => {
    expect((await cli([join(dir, "proof.json"), "--measurement", SIMULATED_MEASUREMENT])).code).toBe(2);
    expect((await cli([join(dir, "proof.json"), "--attestation", join(dir, "attestation.json"), "--measurement", "0x12"])).code).toBe(2);
  });
});
