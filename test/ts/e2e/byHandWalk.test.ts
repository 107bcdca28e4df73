import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile, lstat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, defineChain, getAddress, http, parseEther, zeroAddress, type Abi, type Address, type Hex, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { freePort } from "../../../scripts/lib/freePort.js";
import { startHardhatNode } from "../../../scripts/lib/startHardhatNode.js";
import { waitForExit } from "../../../scripts/lib/waitForExit.js";
import { parseWalkSection, type WalkBlock } from "./parseWalkSection.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
/**
 * A checkout of its own for the walk, inside this one (so it reuses its node_modules and the
 * cached demo model): the README's relative paths, `ignition/deployments/chain-31337` and
 * `.ingotforge/` land here, never in the developer's tree. Kept between runs (gitignored) so its
 * compiled contracts are reused; its state is wiped at every start.
 */
const SANDBOX = path.join(ROOT, ".ingotforge", "e2e-byhand");
const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i }).address;

type Ran = { index: number; command: string; code: number; stdout: string; stderr: string };

/**
 * The README's "Run each role by hand against a hardhat node", run as written: each "Terminal 2"
 * block command by command in one bash session (its variables carry over, as in a person's
 * terminal), each other terminal's block as a long-running process of its own, against a `hardhat
 * node` on a free port (the README's INGOTFORGE_RPC_URL). Nothing is substituted but the port
 * (INGOTFORGE_RPC_URL, GATEWAY_PORT) and, to save the production compile, HARDHAT_BUILD_PROFILE;
 * llama.cpp runs on one thread. It must reach LIVE, pay for a call through the gateway, settle it,
 * withdraw, and claim, with the balances moving by exactly what the chain says.
 */
describe("the README's by-hand walk to LIVE, a paid call, a withdrawal and the holders' claims", () => {
  let node: Awaited<ReturnType<typeof startHardhatNode>>;
  let publicClient: PublicClient;
  let shell: ChildProcess;
  let blocks: WalkBlock[];
  let env: NodeJS.ProcessEnv;
  const services: { label: string; child: ChildProcess; log: string }[] = [];
  const ran: Ran[] = [];
  const outDir = path.join(SANDBOX, ".walk-output");

  beforeAll(async () => {
    blocks = parseWalkSection(await readFile(path.join(ROOT, "README.md"), "utf8"));
    await prepareSandbox();
    node = await startHardhatNode(ROOT);
    const chain = defineChain({ id: 31337, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
    publicClient = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100 }) as PublicClient;
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("INGOTFORGE_") && !k.startsWith("HARDHAT_")));
    Object.assign(env, {
      PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
      INGOTFORGE_RPC_URL: node.url,
      INGOTFORGE_THREADS: "1",
      GATEWAY_PORT: String(await freePort()),
      HARDHAT_BUILD_PROFILE: "default",
    });
    shell = spawn("bash", ["--noprofile", "--norc"], { cwd: SANDBOX, env, stdio: ["pipe", "pipe", "inherit"] });
  }, 180_000);

  afterAll(async () => {
    shell?.stdin?.end();
    // Ctrl-C as the README says (SIGTERM to each terminal's process group), then SIGKILL to
    // whatever of the group is left (a bash that exited may leave a node still stopping).
    const killAll = (signal: NodeJS.Signals) =>
      services.forEach((s) => {
        try {
          process.kill(-s.child.pid!, signal);
        } catch {
          // the group is gone
        }
      });
    killAll("SIGTERM");
    await Promise.race([Promise.all(services.map((s) => waitForExit(s.child))), new Promise((r) => setTimeout(r, 10_000))]);
    await new Promise((r) => setTimeout(r, 1000));
    killAll("SIGKILL");
    if (shell) await waitForExit(shell);
    await node?.stop();
  });

  /** Run one command in the session; resolves with its exit code and output, failing early if a service died. */
  let shellOut = "";
  const runInShell = async (index: number, command: string): Promise<Ran> => {
    const out = path.join(outDir, `${index}.out`);
    const err = path.join(outDir, `${index}.err`);
    const marker = `__WALK_DONE_${index}__`;
    const done = new Promise<number>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        shellOut += chunk.toString();
        const m = new RegExp(`${marker} (\\d+)`).exec(shellOut);
        if (m) {
          shell.stdout!.off("data", onData);
          clearInterval(watch);
          shellOut = shellOut.slice(m.index + m[0].length);
          resolve(Number(m[1]));
        }
      };
      shell.stdout!.on("data", onData);
      const watch = setInterval(async () => {
        const dead = services.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
        if (dead) {
          clearInterval(watch);
          shell.stdout!.off("data", onData);
          reject(new Error(`${dead.label} exited (${dead.child.exitCode ?? dead.child.signalCode}) while "${command}" ran:\n${(await readFile(dead.log, "utf8")).slice(-4000)}`));
        }
      }, 500);
    });
    shell.stdin!.write(`{\n${command}\n} > '${out}' 2> '${err}' < /dev/null; echo "${marker} $?"\n`);
    const code = await done;
    const result = { index, command, code, stdout: await readFile(out, "utf8"), stderr: await readFile(err, "utf8") };
    ran.push(result);
    return result;
  };

  const startService = async (block: WalkBlock) => {
    const log = path.join(outDir, `terminal-${block.terminal}.log`);
    const fd = openSync(log, "w");
    const child = spawn("bash", ["-c", block.commands.join("\n")], { cwd: SANDBOX, env, detached: true, stdio: ["ignore", fd, fd] });
    services.push({ label: `terminal ${block.terminal} (${block.commands.at(-1)})`, child, log });
  };

  it("runs every terminal's commands as the README writes them, reaches LIVE, and moves the balances the chain says", async () => {
    // The section is laid out as the walk expects: the node, then terminal 2 around the services.
    expect(blocks.map((b) => b.terminal)).toEqual([1, 2, 3, 4, 2, 5, 2]);
    expect(blocks[0].commands).toEqual(["npx hardhat node"]);

    // The ABIs come from the sandbox's own build, which the README's first deployment makes.
    let splitterAbi: Abi | undefined;
    const payer = account(6);
    const holders = [0, 1, 3, 4, 5].map(account);
    let before: { payerWallet?: bigint; claimable?: bigint[]; wallets?: bigint[] } = {};

    for (const block of blocks.slice(1)) {
      if (block.terminal !== 2) {
        await startService(block);
        continue;
      }
      for (const command of block.commands) {
        // Snapshots the chain's numbers where the README's commands move them.
        if (/gateway withdraw$/.test(command)) before.payerWallet = await publicClient.getBalance({ address: payer });
        if (/^for a in .* ingot claim/.test(command)) {
          splitterAbi = await abiOf("RevenueSplitter.sol", "RevenueSplitter");
          before.claimable = await Promise.all(holders.map((h) => claimableOf(splitterAbi!, h)));
          before.wallets = await Promise.all(holders.map((h) => publicClient.getBalance({ address: h })));
        }
        const r = await runInShell(ran.length, command);
        expect(r.code, `"${command}" exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
      }
    }

    const depositsAbi = await abiOf("GatewayDeposits.sol", "GatewayDeposits");
    const ingotAbi = await abiOf("Ingot.sol", "Ingot");
    const output = (pattern: RegExp) => {
      const r = ran.find((x) => pattern.test(x.command));
      if (!r) throw new Error(`the walk ran no command matching ${pattern}`);
      return r;
    };
    // The README's fixed addresses are what the deployment gave.
    const deployed = JSON.parse(await readFile(path.join(SANDBOX, "ignition/deployments/chain-31337/deployed_addresses.json"), "utf8")) as Record<string, Address>;
    const readme = blocks.flatMap((b) => b.commands).join("\n");
    const forge = getAddress(/^FORGE=(0x[0-9a-fA-F]{40})/m.exec(readme)![1]);
    expect(readme).toContain(`"splitter":"${deployed["Protocol#RevenueSplitter"]}"`);
    expect(readme).toContain(`"deposits": "${deployed["Gateway#GatewayDeposits"]}"`);
    expect(readme).toContain(`"ingot": "${deployed["Protocol#Ingot"]}"`);
    expect(output(/forge create-example/).stdout).toContain(`Created the Forge "Rust Unsafe-Code Auditor" at ${forge}`);
    expect(output(/forge wait/).stdout).toContain("[Live]");

    // The paid call: an answer and its proof of a charge; the charge settled into the splitter.
    const call = JSON.parse(output(/^curl /).stdout) as { choices: { message: { content: string } }[]; proof: { payment: { amount: string; status: string } } };
    expect(call.choices[0].message.content.length).toBeGreaterThan(0);
    expect(call.proof.payment.status).toBe("charged");
    const charged = BigInt(call.proof.payment.amount);
    expect(charged).toBeGreaterThan(0n);
    expect(output(/gateway-settlement -- wait/).stdout).toContain(`settled: ${charged} wei in 1 charges`);

    // The payer: 0.01 deposited, the call charged, 0.005 withdrawn to the wallet (less its gas).
    expect(await publicClient.readContract({ address: deployed["Gateway#GatewayDeposits"], abi: depositsAbi, functionName: "balanceOf", args: [payer, zeroAddress] })).toBe(parseEther("0.01") - charged - parseEther("0.005"));
    const withdrawTx = /transaction +(0x[0-9a-f]{64})/.exec(output(/gateway withdraw$/).stdout)![1] as Hex;
    expect((await publicClient.getBalance({ address: payer })) - before.payerWallet!).toBe(parseEther("0.005") - (await gasOf(withdrawTx)));

    // The holders: alice's claimable is her shares of everything paid in (the 2 ETH escrow, the
    // 0.25 ETH fee and the settled call), to a wei per payment; every claim reaches its wallet.
    const supply = (await publicClient.readContract({ address: deployed["Protocol#Ingot"], abi: ingotAbi, functionName: "SHARE_SUPPLY" })) as bigint;
    const shares = await Promise.all(holders.map(async (h) => (await publicClient.readContract({ address: deployed["Protocol#Ingot"], abi: ingotAbi, functionName: "balanceOf", args: [h, 1n] })) as bigint));
    expect(shares.every((s) => s > 0n)).toBe(true);
    const paidIn = parseEther("2") + parseEther("0.25") + charged;
    const expectedAlice = (shares[1] * paidIn) / supply;
    expect(before.claimable![1] - expectedAlice).toBeGreaterThanOrEqual(-3n);
    expect(before.claimable![1] - expectedAlice).toBeLessThanOrEqual(0n);
    const claimTxs = [...output(/ingot claim/).stdout.matchAll(/ETH +(0x[0-9a-f]{64})/g)].map((m) => m[1] as Hex);
    expect(claimTxs).toHaveLength(holders.length);
    for (const [i, holder] of holders.entries()) {
      expect(before.claimable![i]).toBeGreaterThan(0n);
      expect(await claimableOf(splitterAbi!, holder)).toBe(0n);
      expect((await publicClient.getBalance({ address: holder })) - before.wallets![i]).toBe(before.claimable![i] - (await gasOf(claimTxs[i])));
    }
    // Everything paid in went to the holders but rounding dust (the control data holds no shares).
    const claimedTotal = before.claimable!.reduce((a, b) => a + b, 0n);
    expect(paidIn - claimedTotal).toBeGreaterThanOrEqual(0n);
    expect(paidIn - claimedTotal).toBeLessThan(20n);

    // Each llama.cpp engine said its thread count at start, and no library noise reached a person.
    const logOf = async (terminal: number) => readFile(services.find((s) => s.label.startsWith(`terminal ${terminal} `))!.log, "utf8");
    expect(await logOf(3)).toContain("llama.cpp: 1 thread (from INGOTFORGE_THREADS");
    expect(await logOf(5)).toContain("llama.cpp: 1 thread (from INGOTFORGE_THREADS");
    for (const text of [await logOf(3), await logOf(4), await logOf(5), ...ran.map((r) => r.stderr)]) expect(text).not.toMatch(/ExperimentalWarning|fallback to CPU/);
  }, 900_000);

  async function prepareSandbox() {
    await mkdir(path.join(SANDBOX, "ignition"), { recursive: true });
    await rm(path.join(SANDBOX, ".ingotforge"), { recursive: true, force: true });
    await rm(path.join(SANDBOX, "ignition", "deployments"), { recursive: true, force: true });
    await rm(path.join(SANDBOX, "gateway-params.json"), { force: true });
    await mkdir(path.join(SANDBOX, ".ingotforge"), { recursive: true });
    await mkdir(outDir, { recursive: true });
    const link = async (target: string, at: string) => {
      const where = path.join(SANDBOX, at);
      if (await lstat(where).then(() => true, () => false)) return;
      await symlink(path.join(ROOT, target), where);
    };
    for (const entry of ["package.json", "tsconfig.json", "contracts", "coordinator", "gateway", "data", "scripts", "node_modules"]) await link(entry, entry);
    await link("ignition/modules", "ignition/modules");
    await mkdir(path.join(ROOT, ".ingotforge", "cache"), { recursive: true });
    await link(".ingotforge/cache", ".ingotforge/cache");
    // Hardhat's project root is the sandbox (its package.json); the config is the repo's.
    await writeFile(path.join(SANDBOX, "hardhat.config.ts"), `export { default } from ${JSON.stringify(path.join(ROOT, "hardhat.config.ts"))};\n`);
  }

  async function abiOf(file: string, name: string): Promise<Abi> {
    return (JSON.parse(await readFile(path.join(SANDBOX, "artifacts", "contracts", file, `${name}.json`), "utf8")) as { abi: Abi }).abi;
  }

  async function claimableOf(abi: Abi, holder: Address): Promise<bigint> {
    const deployed = JSON.parse(await readFile(path.join(SANDBOX, "ignition/deployments/chain-31337/deployed_addresses.json"), "utf8")) as Record<string, Address>;
    return (await publicClient.readContract({ address: deployed["Protocol#RevenueSplitter"], abi, functionName: "claimable", args: [1n, zeroAddress, holder] })) as bigint;
  }

  async function gasOf(hash: Hex): Promise<bigint> {
    const receipt = await publicClient.getTransactionReceipt({ hash });
    return receipt.gasUsed * receipt.effectiveGasPrice;
  }
});
