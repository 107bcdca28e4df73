import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, toBytes, type Abi, type Address, type Hex } from "viem";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { decodeContributionEnvelope } from "../../../coordinator/src/sealing/decodeContributionEnvelope.js";
import { runCli } from "../../../coordinator/src/cli/runCli.js";
import { createCliEnvironment } from "../../../coordinator/src/cli/createCliEnvironment.js";
import { parseGlobalOptions } from "../../../coordinator/src/cli/globalOptions.js";
import { readQuoteBlock } from "../../../coordinator/src/chain/readQuoteBlock.js";
import { registerEnclave } from "../../../coordinator/src/chain/registerEnclave.js";
import { submitEvalResult } from "../../../coordinator/src/chain/submitEvalResult.js";
import { evalResultTypedData } from "../../../coordinator/src/chain/evalResultTypedData.js";
import type { ForgeConfig } from "../../../coordinator/src/chain/types.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";
import { freePort } from "../../../scripts/lib/freePort.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const HARDHAT = path.join(ROOT, "node_modules/hardhat/dist/src/cli.js");
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const CLI = path.join(ROOT, "coordinator/src/cli/main.ts");

type Run = { code: number | null; stdout: string; stderr: string };

/** Run a process to its end under this Node (22: Hardhat needs it), collecting its output. */
function run(args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, INGOTFORGE_PRIVATE_KEY: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A real `hardhat node` on a free port, the protocol deployed by the Ignition CLI, and the CLI
 * run as separate processes the way a person runs it. The deployment is written under a unique
 * deployment id and moved to a temp deployments folder, so the repo's ignition/deployments (a
 * developer's own chain-31337) is never touched.
 */
describe("ingotforge CLI against a hardhat node", () => {
  let node: ChildProcess | undefined;
  let tmp: string;
  let rpc: string;
  let cli: (...args: string[]) => Promise<Run>;

  beforeAll(async () => {
    await mkdir(path.join(ROOT, ".ingotforge"), { recursive: true });
    // Inside the project, so Hardhat resolves the same root, sources, cache and artifacts.
    tmp = await mkdtemp(path.join(ROOT, ".ingotforge", "cli-test-"));
    const port = await freePort();
    rpc = `http://127.0.0.1:${port}`;
    node = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${out}`)), 120_000);
      node!.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("Started HTTP")) {
          clearTimeout(timer);
          resolve();
        }
      });
      node!.stderr!.on("data", (d) => (out += d));
      node!.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${out}`)));
    });

    const config = path.join(tmp, "hardhat.config.ts");
    const relBase = path.relative(tmp, path.join(ROOT, "hardhat.config.ts")).split(path.sep).join("/");
    await writeFile(
      config,
      `import base from "${relBase}";\nexport default { ...base, networks: { ...base.networks, clitest: { type: "http", chainType: "l1", url: "${rpc}" } } };\n`,
    );
    const deploymentId = path.basename(tmp);
    // --build-profile default: reuse the build the test run already has instead of a production rebuild.
    const deploy = await run([HARDHAT, "--config", config, "--build-profile", "default", "ignition", "deploy", "ignition/modules/Protocol.ts", "--network", "clitest", "--deployment-id", deploymentId], 300_000);
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    const written = path.join(ROOT, "ignition", "deployments", deploymentId);
    await mkdir(path.join(tmp, "deployments", "chain-31337"), { recursive: true });
    await rename(path.join(written, "deployed_addresses.json"), path.join(tmp, "deployments", "chain-31337", "deployed_addresses.json"));
    await rm(written, { recursive: true, force: true });

    cli = (...args) => run([TSX, CLI, "--rpc", rpc, "--deployments", path.join(tmp, "deployments"), "--store", path.join(tmp, "store"), ...args]);
  }, 420_000);

  afterAll(async () => {
    if (node?.pid && node.exitCode === null) {
      const exited = new Promise((resolve) => node!.once("exit", resolve));
      process.kill(-node.pid, "SIGTERM");
      await exited;
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("creates the example Forge, takes each kind of contribution, shows the counts, closes, fails and refunds", async () => {
    const created = await cli("forge", "create-example", "--base-model", "data/demo/pretrain-corpus.txt", "--window", "1d", "--eval", "1d");
    expect(created.code, created.stderr).toBe(0);
    const forge = /Created the Forge "Rust Unsafe-Code Auditor" at (0x[0-9a-fA-F]{40})/.exec(created.stdout)?.[1] as string;
    expect(forge).toBeDefined();
    expect(created.stdout).toMatch(/holdout +46 examples, sealed/);

    const bad = path.join(tmp, "bad.jsonl");
    await writeFile(bad, '{"id":"a","prompt":"p","response":"r"}\nnot json\n{"id":"b","prompt":"p"}\n');
    // Different accounts, so their transactions never race for a nonce.
    const [data, compute, capital5, capital6, refused] = await Promise.all([
      cli("--account", "1", "forge", "contribute-data", "--forge", forge, "--file", "data/demo/contrib-alice.jsonl", "--license", "CC-BY-4.0"),
      cli("--account", "4", "forge", "register-compute", "--forge", forge, "--capacity", "4"),
      cli("--account", "5", "forge", "contribute-capital", "--forge", forge, "--amount", "1.5"),
      cli("--account", "6", "forge", "contribute-capital", "--forge", forge, "--amount", "0.25"),
      cli("--account", "3", "forge", "contribute-data", "--forge", forge, "--file", bad),
    ]);
    expect(data.code, data.stderr).toBe(0);
    expect(data.stdout).toMatch(/Contributed data #0 .*\n  root +0x[0-9a-f]{64}\n  size +\d+ bytes, 28 examples/);
    // Sealed by default: the stored bytes are an IFDC envelope bound to account 1, with no plaintext in it.
    expect(data.stdout).toMatch(/\n  sealed +to enclave simulated \(HPKE 0x[0-9a-f]{64}\); bound to chain 31337, Forge 0x[0-9a-fA-F]{40}, sender 0x70997970C51812dc3A010C7d01b50e0d17dc79C8/);
    const dataRoot = /\n  root +(0x[0-9a-f]{64})/.exec(data.stdout)![1] as Hex;
    const stored = await (await createLocalContentStore({ dir: path.join(tmp, "store") })).get(dataRoot);
    expect(decodeContributionEnvelope(stored).envelope.binding).toEqual({ chainId: 31337, forge: getAddress(forge), contributor: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
    const firstLine = (await readFile(path.join(ROOT, "data/demo/contrib-alice.jsonl"), "utf8")).split("\n")[0];
    expect(Buffer.from(stored).includes(Buffer.from(JSON.parse(firstLine).response as string))).toBe(false);
    expect(compute.code, compute.stderr).toBe(0);
    expect(compute.stdout).toMatch(/Registered compute worker #0/);
    expect(capital5.stdout).toContain("Escrowed 1.5 ETH");
    expect(capital6.stdout).toContain("Escrowed 0.25 ETH");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/2 invalid lines .*nothing was stored or sent:\n  line 2: .*JSON.*\n  line 3: missing field "response"/);

    // --dry-run seals and shows what would be sent, and sends nothing.
    const dry = await cli("--account", "2", "forge", "contribute-data", "--forge", forge, "--file", "data/demo/contrib-alice.jsonl", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: nothing stored or sent\n  root +0x[0-9a-f]{64}\n  size +\d+ bytes, 28 examples\n  sealed +to enclave simulated .* sender 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC/);
    // The same file again is sealed afresh (a new ephemeral key): a new root, a second entry on
    // chain, which the coordinator excludes inside the enclave as a whole duplicate.
    const resealed = await cli("--account", "1", "--json", "forge", "contribute-data", "--forge", forge, "--file", "data/demo/contrib-alice.jsonl");
    expect(resealed.code, resealed.stderr).toBe(0);
    expect(JSON.parse(resealed.stdout)).toMatchObject({ dataId: "1", sealed: true });
    expect(JSON.parse(resealed.stdout).root).not.toBe(dataRoot);

    const open = await cli("forge", "status", "--forge", forge);
    expect(open.stdout).toContain("[Open]");
    expect(open.stdout).toContain("data 2/1000 · compute 1/100 · capital 2/1000");
    expect(open.stdout).toContain("1.75 ETH raised");
    expect(open.stdout).toContain("bonds          0.01 ETH per data entry · 0.01 ETH per compute entry");

    expect((await cli("chain", "advance-time", "1d")).code).toBe(0);
    const closed = await cli("--json", "forge", "status", "--forge", forge);
    expect(JSON.parse(closed.stdout)).toMatchObject({ phase: "Closed", contributions: { data: "2", compute: "1", capital: "2" } });

    const early = await cli("--account", "5", "forge", "refund", "--forge", forge);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("ForgeWrongPhase(" + forge + ", current Closed, expected Failed)");

    expect((await cli("chain", "advance-time", "1d")).code).toBe(0);
    // forge wait gives up at once on a Forge that ended in the other final phase, and returns on the one asked for.
    const hopeless = await cli("forge", "wait", "--forge", forge, "--phase", "Live", "--timeout", "10m");
    expect(hopeless.code).toBe(1);
    expect(hopeless.stderr).toContain(`Forge ${forge} ended Failed; it will never be Live.`);
    const failed = await cli("forge", "wait", "--forge", forge, "--phase", "failed");
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout).toContain("[Failed]");
    const refund = await cli("--account", "5", "forge", "refund", "--forge", forge);
    expect(refund.code, refund.stderr).toBe(0);
    expect(refund.stdout).toContain("Refunded 1.5 ETH");
    const again = await cli("--account", "5", "forge", "refund", "--forge", forge);
    expect(again.stderr).toMatch(/ForgeNothingToRefund\(0x[0-9a-fA-F]{40}\)/);
    // Failed: anyone sends each bond back to its owner, once.
    const bond = await cli("--account", "9", "forge", "refund-bond", "--forge", forge, "--pool", "compute", "--id", "0");
    expect(bond.code, bond.stderr).toBe(0);
    expect(bond.stdout).toMatch(/Refunded the 0.01 ETH bond of compute #0 to 0x[0-9a-fA-F]{40}/);
    const bondAgain = await cli("forge", "refund-bond", "--forge", forge, "--pool", "compute", "--id", "0");
    expect(bondAgain.stderr).toMatch(/ForgeNoBondToRefund/);

    const list = await cli("forge", "list");
    expect(list.stdout).toMatch(new RegExp(`${forge}  Failed`));
  });

  it("pays and claims an Ingot once a simulated enclave's result makes the Forge Live (CLI in-process, result submitted by the test)", async () => {
    const globals = ["--rpc", rpc, "--deployments", path.join(tmp, "deployments"), "--store", path.join(tmp, "store")];
    const inProcess = async (...args: string[]) => {
      let stdout = "";
      let stderr = "";
      const code = await runCli([...globals, ...args], { out: (t) => (stdout += t + "\n"), err: (t) => (stderr += t + "\n"), env: {} });
      return { code, stdout, stderr };
    };
    const created = await inProcess("forge", "create-example", "--base-model-root", keccak256(toBytes("base")), "--window", "1h", "--eval", "1h", "--json");
    expect(created.code, created.stderr).toBe(0);
    const forge = JSON.parse(created.stdout).forge as Address;
    expect((await inProcess("--account", "7", "forge", "contribute-data", "--forge", forge, "--file", "data/demo/contrib-bob.jsonl")).code).toBe(0);
    expect((await inProcess("--account", "6", "forge", "contribute-data", "--forge", forge, "--file", "data/demo/contrib-control.jsonl")).code).toBe(0);
    expect((await inProcess("--account", "8", "forge", "contribute-capital", "--forge", forge, "--amount", "2")).code).toBe(0);
    expect((await inProcess("chain", "advance-time", "1h")).code).toBe(0);

    // The coordinator's part, done here: register the simulated enclave and submit its signed result.
    const ctx = await createCliEnvironment({ global: parseGlobalOptions({ rpc, deployments: path.join(tmp, "deployments") }, {}), note: () => undefined }).protocol();
    const enclave = await createSimulatedEnclave({ chainId: ctx.chainId, logger: { warn: () => undefined, info: () => undefined } as never });
    const quoteBlock = await readQuoteBlock(ctx.publicClient);
    const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, ctx.chainId, quoteBlock.hash));
    await registerEnclave(ctx, { quote, signer: enclave.signerAddress, hpkePublicKey: enclave.hpkePublicKey, quoteBlock: quoteBlock.number });
    const config = (await ctx.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName: "config" })) as ForgeConfig;
    const result = {
      forge,
      holdoutRoot: config.holdoutRoot,
      baseModelRoot: config.baseModelRoot,
      adapterRoot: keccak256(toBytes("adapter")),
      metricBefore: 12n * 10n ** 18n,
      metricAfter: 9n * 10n ** 18n,
      dataIds: [0n, 1n],
      dataScores: [5n, 0n],
      computeIds: [],
      computeWork: [],
      excludedData: [1n], // the enclave excluded data #1: its bond goes to the holders
      excludedCompute: [],
      attributionLogRoot: keccak256(toBytes("attribution")),
      evalConfigHash: keccak256(toBytes("eval config")),
      deadline: (await ctx.publicClient.getBlock()).timestamp + 3600n,
    };
    const { ingotId } = await submitEvalResult(ctx, result, await enclave.signTypedData(evalResultTypedData(ctx.chainId, result)));
    const id = String(ingotId);

    // Within the grace period after the result, capital is released, not reclaimed.
    const early = await inProcess("--account", "8", "forge", "reclaim-capital", "--forge", forge);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toMatch(/ForgeReclaimNotOpen\(/);
    const released = await inProcess("forge", "release-capital", "--forge", forge);
    expect(released.stdout).toContain("Released 2 ETH");
    const paid = await inProcess("--account", "9", "ingot", "pay", "--ingot", id, "--amount", "1");
    expect(paid.stdout).toContain(`Paid 1 ETH to the holders of Ingot #${id}`);
    // Without compute work the compute pool is empty, so data holds 50/80 of the supply: 62.5%.
    const shown = await inProcess("--account", "7", "ingot", "show", "--ingot", id);
    expect(shown.stdout).toContain(`Ingot #${id}  Rust Unsafe-Code Auditor`);
    expect(shown.stdout).toMatch(/625000000 shares \(62\.5%\)/);
    expect(shown.stdout).toContain("claimable            1.875 ETH");
    const claimed = await inProcess("--account", "7", "ingot", "claim", "--ingot", id);
    expect(claimed.stdout).toMatch(/1\.875 ETH +0x[0-9a-f]{64}/);
    expect((await inProcess("--account", "7", "ingot", "claim", "--ingot", id)).stdout).toContain("Nothing to claim");
    // The excluded entry's bond becomes the holders' revenue, once.
    const forfeited = await inProcess("forge", "forfeit-bonds", "--forge", forge);
    expect(forfeited.code, forfeited.stderr).toBe(0);
    expect(forfeited.stdout).toContain(`Forfeited 0.01 ETH of excluded entries' bonds to the holders of Ingot #${id}`);
    expect((await inProcess("forge", "forfeit-bonds", "--forge", forge)).stderr).toMatch(/ForgeNothingToForfeit/);

    // A payer prepays the gateway and takes unspent credit back after the contract's notice.
    const depositsArtifact = JSON.parse(await readFile(path.join(ROOT, "artifacts/contracts/GatewayDeposits.sol/GatewayDeposits.json"), "utf8")) as { abi: Abi; bytecode: Hex };
    const deployHash = await ctx.walletClient.deployContract({ abi: depositsArtifact.abi, bytecode: depositsArtifact.bytecode, args: [ctx.addresses.splitter, ctx.walletClient.account.address, 60n] });
    const deposits = (await ctx.publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress as Address;
    const deposited = await inProcess("--account", "9", "gateway", "deposit", "--deposits", deposits, "--amount", "0.5");
    expect(deposited.code, deposited.stderr).toBe(0);
    expect(deposited.stdout).toMatch(/Deposited 0\.5 ETH for 0x[0-9a-fA-F]{40} in GatewayDeposits/);
    expect(deposited.stdout).toMatch(/credit +0\.5 ETH/);
    const requested = await inProcess("--account", "9", "gateway", "withdraw", "--deposits", deposits, "--amount", "0.2");
    expect(requested.code, requested.stderr).toBe(0);
    expect(requested.stdout).toContain("Requested a withdrawal of 0.2 ETH");
    const tooEarly = await inProcess("--account", "9", "gateway", "withdraw", "--deposits", deposits);
    expect(tooEarly.code).not.toBe(0);
    expect(tooEarly.stderr).toMatch(/Withdrawal/);
    expect((await inProcess("chain", "advance-time", "61s")).code).toBe(0);
    const withdrawn = await inProcess("--account", "9", "gateway", "withdraw", "--deposits", deposits);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(withdrawn.stdout).toMatch(/Withdrew 0\.2 ETH from GatewayDeposits/);
  });

  it("refuses a wrong command line before sending anything", async () => {
    const noForge = await cli("forge", "status");
    expect(noForge.code).toBe(2);
    expect(noForge.stderr).toContain("missing --forge");
    const badAmount = await cli("forge", "contribute-capital", "--forge", "0x0000000000000000000000000000000000000001", "--amount", "1.2.3");
    expect(badAmount.code).toBe(2);
    expect(badAmount.stderr).toContain("--amount must be a positive decimal amount");
    const unknown = await cli("forge", "explode");
    expect(unknown.code).toBe(2);
    const shortEval = await cli("forge", "create-example", "--base-model-root", `0x${"11".repeat(32)}`, "--eval", "5m");
    expect(shortEval.code).toBe(2);
    expect(shortEval.stderr).toContain("--eval must be between 10m and 90d");
    const longWindow = await cli("forge", "create-example", "--base-model-root", `0x${"11".repeat(32)}`, "--window", "366d");
    expect(longWindow.code).toBe(2);
    expect(longWindow.stderr).toContain("--window must be between 6m and 365d");
  });
});
