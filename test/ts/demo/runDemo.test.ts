import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { afterAll, describe, expect, it } from "vitest";
import { parseEther, type Account, type Chain, type Transport, type WalletClient } from "viem";
import pino from "pino";
import ProtocolModule from "../../../ignition/modules/Protocol.js";
import { addressesFromIgnition } from "../../../coordinator/src/chain/addressesFromIgnition.js";
import { loadProtocolAbis } from "../../../coordinator/src/chain/loadProtocolAbis.js";
import type { ProtocolContext } from "../../../coordinator/src/chain/types.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { deployGatewayDeposits } from "../../../gateway/src/chain/deployGatewayDeposits.js";
import { deployProofKeyRegistry } from "../../../gateway/src/attestation/deployProofKeyRegistry.js";
import { runDemo } from "../../../coordinator/src/demo/runDemo.js";
import { DEMO_MODEL_SPEC, type DemoModelSpec } from "../../../coordinator/src/eval/demo/demoModelSpec.js";
import { DEMO_LORA_HYPER } from "../../../coordinator/src/eval/demo/demoLoraHyper.js";

/** Small enough to train in seconds, with a context that holds the longest demo example. */
const TINY_SPEC: DemoModelSpec = {
  ...DEMO_MODEL_SPEC,
  config: { ...DEMO_MODEL_SPEC.config, hiddenSize: 64, numLayers: 1, intermediateSize: 64, numHeads: 2, numKvHeads: 1, contextLength: 640 },
  pretrain: { ...DEMO_MODEL_SPEC.pretrain, steps: 3, warmupSteps: 1 },
};
const TINY_LORA = { ...DEMO_LORA_HYPER, rank: 2, alpha: 4, steps: 3, warmupSteps: 1 };

const workDir = mkdtempSync(path.join(tmpdir(), "ingotforge-demo-e2e-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

type Wallet = WalletClient<Transport, Chain, Account>;

describe("npm run demo's flow (tiny model)", () => {
  it("takes a Forge from creation to claimed revenue, conserving every wei and never writing the holdout", async () => {
    const { viem, ignition, networkHelpers } = await hre.network.create();
    const wallets = (await viem.getWalletClients()) as unknown as Wallet[];
    const ctx: ProtocolContext = {
      publicClient: (await viem.getPublicClient()) as unknown as ProtocolContext["publicClient"],
      walletClient: wallets[0],
      addresses: addressesFromIgnition(await ignition.deploy(ProtocolModule, { displayUi: false })),
      abis: await loadProtocolAbis(),
    };
    const lines: string[] = [];
    const out = await runDemo({
      ctx,
      wallets,
      deployGateway: async (splitter) => (await deployGatewayDeposits({ connection: { ignition }, splitter })).deposits,
      deployProofKeyRegistry: async (verifier) => (await deployProofKeyRegistry({ connection: { ignition }, verifier })).registry,
      increaseTime: (to) => networkHelpers.time.increaseTo(to),
      dataDir: path.resolve("data/demo"),
      workDir,
      logger: pino({ level: "silent" }),
      print: (line) => lines.push(line),
      modelSpec: TINY_SPEC,
      loraHyper: TINY_LORA,
    });
    const text = lines.join("\n");

    expect((await getForgeStatus(ctx, out.forge)).phase).toBe("Live");
    expect(out.ingotId).toBe(1n);
    // Every file was sealed to the enclave and bound to its sender, so each opens for its own address.
    expect(out.evaluated.log.contributions.map((c) => c.status)).toEqual(["included", "included", "included"]);
    // The copycat's copied half is dropped before training: only its 4 examples from bob count.
    const copycat = out.evaluated.log.contributions[1];
    expect(copycat.keptExamples).toBe(4);
    expect(copycat.exampleCount).toBe(18);
    // Each dropped example is recorded with the kept one it copies (alice is data id 0), and the panel says so.
    expect(copycat.duplicates!.map((d) => d.duplicateOf)).toEqual(Array.from({ length: 14 }, (_, i) => `duplicate-of 0:${2 * i}`));
    expect(out.rows[1].note).toMatch(/^14 of 18 examples are copies \(14 exact\), earn nothing: duplicate-of alice:0, alice:2, alice:4, alice:6 … \+10 more/);
    expect(text).toMatch(/copycat .*duplicate-of alice:0, alice:2/);
    // The gateway call: answered, its proof verified, its charge settled into the splitter.
    expect(out.gateway.verdict.errors).toEqual([]);
    expect(out.gateway.chargedWei).toBeGreaterThan(0n);
    expect(text).toMatch(/proof prf_\S+: VERIFIED/);
    // Its key is the one the (simulated) enclave's quote commits to.
    expect(out.gateway.attestation).toMatchObject({ valid: true, attested: true, simulated: true });
    expect(text).toMatch(/proof key: the SIMULATED enclave's quote commits to it/);
    expect(out.gateway.registration).toMatchObject({ valid: true, simulated: true });
    // Its batch root is time-stamped by the local openssl TSA (RFC 3161), the token's signature checked against its certificate.
    expect(out.gateway.witness).toMatchObject({ valid: true, status: "timestamped" });
    expect(text).toMatch(/proof witness: in batch root [0-9a-f]{64}, RFC 3161 time-stamped/);
    // Paid in: 4 ETH escrow + 0.25 ETH fee + the gateway's settled fee; every holder claimed, the rest is rounding dust.
    const claimed = out.rows.reduce((a, r) => a + r.paidWei, 0n);
    const dust = await ctx.publicClient.getBalance({ address: ctx.addresses.splitter });
    expect(claimed + dust).toBe(parseEther("4.25") + out.gateway.chargedWei);
    expect(dust).toBeLessThan(10n);
    // Shares of the holders in the panel are the whole supply (no lineage: not a fork).
    expect(out.rows.reduce((a, r) => a + r.shares, 0n)).toBe(1_000_000_000n);
    expect(text).toContain("Live attribution: marginal Δ per contribution");
    expect(text).toMatch(/submitEvalResult\s+0x[0-9a-f]{64}/);

    // No file written anywhere under the work dir contains a holdout response.
    const holdoutResponses = readFileSync("data/demo/holdout.jsonl", "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { response: string }).response.slice(0, 60));
    for (const file of walk(workDir)) {
      const content = readFileSync(file, "latin1");
      for (const r of holdoutResponses) expect(content.includes(r), `${file} contains holdout text`).toBe(false);
    }
  }, 600_000);
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
