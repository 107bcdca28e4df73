import { describe, expect, it } from "vitest";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, getAddress, hashTypedData, hexToBytes, keccak256, toBytes, type Hex } from "viem";
import { deployLocalProtocol } from "./deployLocalProtocol.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { sendAndWait } from "../../../coordinator/src/chain/sendAndWait.js";
import { readComputeRegistrations } from "../../../coordinator/src/chain/readComputeRegistrations.js";
import { computeRegistrationTypedData } from "../../../coordinator/src/chain/computeRegistrationTypedData.js";
import { checkComputeRegistrations } from "../../../coordinator/src/service/checkComputeRegistrations.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";

const root = (s: string): Hex => keccak256(toBytes(s));

describe("compute registration: proof of possession of the Ed25519 key", () => {
  it("excludes a squatter's registration of Bob's Ed25519 key (its proof fails) and uses Bob's own, registered after it", async () => {
    const env = await deployLocalProtocol();
    const now = (await env.publicClient.getBlock()).timestamp;
    const config = exampleForgeConfig({ creator: env.wallets[0].account.address, now, holdoutRoot: root("holdout"), holdoutExamples: 10, baseModelRoot: root("base"), allowedMeasurements: [SIMULATED_MEASUREMENT] });
    const { forge } = await createForge(env.ctx, config);
    const forgeConfig = (await env.publicClient.readContract({ address: forge, abi: env.ctx.abis.Forge, functionName: "config" })) as { computeBond?: bigint };
    const bond = forgeConfig.computeBond ?? 0n;

    const bob = getAddress(env.wallets[4].account.address);
    const mallory = getAddress(env.wallets[7].account.address);
    const bobSecret: Hex = root("bob's ed25519 seed");
    const bobKey = bytesToHex(ed25519.getPublicKey(hexToBytes(bobSecret)));
    // Bob's proof as it sits in his pending transaction (worker = Bob), copied by Mallory, who
    // sends first with Bob's published key and her own signer.
    const bobDigest = hashTypedData(computeRegistrationTypedData(env.chainId, forge, { worker: bob, signer: bob, ed25519PublicKey: bobKey }));
    const bobProof = bytesToHex(ed25519.sign(hexToBytes(bobDigest), hexToBytes(bobSecret)));
    await sendAndWait(env.as(7), { address: forge, abi: env.ctx.abis.Forge, functionName: "registerCompute", args: [mallory, bobKey, 8, "0x", bobProof], value: bond });
    const registered = await registerCompute(env.as(4), { forge, signer: bob, ed25519PrivateKey: bobSecret, capacity: 8 });
    expect(registered.computeId).toBe(1n);
    expect(registered.ed25519PublicKey).toBe(bobKey);

    const all = await readComputeRegistrations(env.ctx, forge);
    expect(all.map((r) => r.worker)).toEqual([mallory, bob]);
    const { accepted, excluded } = checkComputeRegistrations({ chainId: env.chainId, forge, registered: all });
    expect(accepted.map((r) => ({ computeId: r.computeId, worker: r.worker }))).toEqual([{ computeId: 1, worker: bob }]);
    expect(excluded).toHaveLength(1);
    expect(excluded[0]!.computeId).toBe(0);
    expect(excluded[0]!.reason).toMatch(/Ed25519 proof of possession .* does not verify/);
  }, 120_000);

  it("counts only the first valid registration of a key and excludes a later one as a duplicate", () => {
    const forge = "0x00000000000000000000000000000000000000f0" as const;
    const secret = root("k");
    const key = bytesToHex(ed25519.getPublicKey(hexToBytes(secret)));
    const entry = (computeId: number, worker: `0x${string}`) => {
      const digest = hashTypedData(computeRegistrationTypedData(31337, forge, { worker, signer: worker, ed25519PublicKey: key }));
      return { computeId, worker, signer: worker, ed25519PublicKey: key, capacity: 1, ed25519Signature: bytesToHex(ed25519.sign(hexToBytes(digest), hexToBytes(secret))) };
    };
    const a = entry(0, "0x00000000000000000000000000000000000000a1");
    const b = entry(1, "0x00000000000000000000000000000000000000b2");
    const { accepted, excluded } = checkComputeRegistrations({ chainId: 31337, forge, registered: [b, a] });
    expect(accepted.map((r) => r.computeId)).toEqual([0]);
    expect(excluded).toEqual([{ computeId: 1, reason: expect.stringMatching(/already registered as worker #0/) }]);
    // The same proof checked on another chain (or Forge) fails: the digest binds both.
    expect(checkComputeRegistrations({ chainId: 1, forge, registered: [a] }).excluded).toHaveLength(1);
  });
});
