/**
 * ProofKeyRegistry on the in-process chain (the production contract over the protocol's
 * simulated quote verifier): the TypeScript binding equals the contract's, a gateway's simulated
 * attestation registers, refusals decode by name, and `verify --registry` reads the result.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { deployProofKeyRegistry } from "../../../gateway/src/attestation/deployProofKeyRegistry.js";
import { openProofKey } from "../../../gateway/src/attestation/openProofKey.js";
import { proofKeyRegistryAbi } from "../../../gateway/src/attestation/proofKeyRegistryAbi.js";
import { proofKeyReportData } from "../../../gateway/src/attestation/proofKeyReportData.js";
import { readProofKeyRegistration } from "../../../gateway/src/attestation/readProofKeyRegistration.js";
import { registerProofKey } from "../../../gateway/src/attestation/registerProofKey.js";
import type { AttestedProofKey } from "../../../gateway/src/attestation/types.js";
import { runVerifyProofCli } from "../../../gateway/src/cli/verifyProof.js";
import { buildProof } from "../../../gateway/src/proof/buildProof.js";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { serveJsonRpc, type Env } from "./fixtures/localGatewayChain.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe("ProofKeyRegistry on the in-process chain", () => {
  let env: Env;
  let registry: Address;
  let server: Server;
  let rpc: string;
  let dir: string;
  let gateway: AttestedProofKey;
  beforeAll(async () => {
    env = await deployLocalProtocol();
    ({ registry } = await deployProofKeyRegistry({ connection: env.connection, verifier: env.ctx.addresses.verifier }));
    server = await serveJsonRpc(env.connection.provider as never);
    rpc = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "proof-key-registry-"));
    gateway = await openProofKey({ enclave: { kind: "simulated", secretSeed: keccak256(toBytes("registry test gateway")) } }, quiet);
  }, 240_000);
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const allow = async (allowed: boolean) => {
    const hash = await env.wallets[0].writeContract({ address: registry, abi: proofKeyRegistryAbi, functionName: "setMeasurementAllowed", args: [SIMULATED_MEASUREMENT, allowed] });
    await env.publicClient.waitForTransactionReceipt({ hash });
  };
  const verifyCli = async (args: string[]) => {
    let stdout = "";
    const code = await runVerifyProofCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stdout += t), readStdin: async () => "" });
    return { code, stdout };
  };

  it("reportDataFor_onChain_equalsTheGatewaysBinding_forAnyKey", async () => {
    for (const key of [gateway.signer.publicKeyHex, "00".repeat(31) + "01", "0123456789abcdef".repeat(4), "ff".repeat(32)]) {
      const onChain = await env.publicClient.readContract({ address: registry, abi: proofKeyRegistryAbi, functionName: "reportDataFor", args: [`0x${key}` as Hex] });
      expect(onChain).toBe(proofKeyReportData(key));
    }
  });

  it("registerProofKey_refusesABuildNotAllowListed_byName_andCostsNoGas", async () => {
    const before = await env.publicClient.getTransactionCount({ address: env.wallets[3].account.address });
    const refusal = await registerProofKey({ publicClient: env.publicClient as never, walletClient: env.wallets[3], registry, attestation: gateway.attestation }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ retryable: false, revert: { errorName: "ProofKeyMeasurementNotAllowed" } });
    expect(await env.publicClient.getTransactionCount({ address: env.wallets[3].account.address })).toBe(before);
  });

  it("registerProofKey_fromTheSimulatedAttestation_makesTheKeyValid_asSimulated_andVerifyReadsIt", async () => {
    await allow(true);
    const { measurement } = await registerProofKey({ publicClient: env.publicClient as never, walletClient: env.wallets[3], registry, attestation: gateway.attestation });
    expect(measurement).toBe(SIMULATED_MEASUREMENT);
    const r = await readProofKeyRegistration({ publicClient: env.publicClient, registry, publicKey: gateway.signer.publicKeyHex });
    expect(r).toMatchObject({ valid: true, measurement: SIMULATED_MEASUREMENT, revoked: false, simulated: true });

    const proof = buildProof({
      request: { model: "ingot-1" },
      response: { id: "x" },
      apiKey: "ifk_registry",
      seller: "gw.test",
      timestamp: "2026-12-04T10:00:00Z",
      payment: { provider: "gateway_deposits", transaction_id: "chg_r1", amount: 1n, currency: "eth", status: "charged" },
      ingot: { id: 1n, model: "ingot-1", adapter_root: `0x${"11".repeat(32)}` },
      signer: gateway.signer,
    });
    writeFileSync(join(dir, "proof.json"), JSON.stringify(proof));
    const ok = await verifyCli([join(dir, "proof.json"), "--registry", registry, "--rpc", rpc]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/PASS {2}registered .* for measurement 0x469b\S+ \(through the SIMULATED verifier\): valid/);

    // Disallowing the build makes the key invalid; verify then fails.
    await allow(false);
    const after = await verifyCli([join(dir, "proof.json"), "--registry", registry, "--rpc", rpc]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain("NOT VALID IN THE REGISTRY");
    await allow(true);

    // A key never registered.
    const other = await openProofKey({ enclave: { kind: "simulated", secretSeed: keccak256(toBytes("another gateway")) } }, quiet);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ ...proof, signature: { ...proof.signature, public_key: other.signer.publicKeyHex } }));
    expect((await verifyCli([join(dir, "other.json"), "--registry", registry, "--rpc", rpc])).stdout).toContain("is not registered");
  });

  it("registerProofKey_forAConfiguredKey_refusesBeforeSending", async () => {
    const configured = await openProofKey({ privateKeyHex: "22".repeat(32) }, quiet);
    await expect(registerProofKey({ publicClient: env.publicClient as never, walletClient: env.wallets[3], registry, attestation: configured.attestation })).rejects.toThrow(/no quote to register/);
  });

  it("verify: --registry without --rpc is a usage error", async () => {
    expect((await verifyCli([join(dir, "proof.json"), "--registry", registry])).code).toBe(2);
  });
});
