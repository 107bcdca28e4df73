import { spawn } from "node:child_process";
import type { Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, parseEther, zeroAddress, type Address, type Hash } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { mintLiveIngot, serveJsonRpc, type Env } from "./fixtures/localGatewayChain.js";
import { gatewayDepositsAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import { deployGatewayDeposits } from "../../../gateway/src/chain/deployGatewayDeposits.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";

/**
 * Kill a gateway process (SIGKILL) between charge and settlement, at each point where a crash
 * could lose or double-count money, then let a fresh process recover. The chain is the test's
 * in-process EDR chain, shared with the child processes over a small HTTP JSON-RPC forwarder.
 * After recovery the RevenueSplitter must have received every charge exactly once, the payer's
 * deposit must be debited exactly once, and the ledger must agree with the chain.
 */

const CHILD = fileURLToPath(new URL("./fixtures/ledgerCrashChild.ts", import.meta.url));

/** Run the child; resolve with its stdout once `until` appears (then SIGKILL it) or it exits. */
function runChild(mode: string, config: object, until?: string): Promise<{ stdout: string; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", CHILD, mode, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // npx -> tsx -> node: SIGKILL the whole process group, as a crash would.
      if (until && stdout.includes(until)) process.kill(-child.pid!, "SIGKILL");
    });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); if (process.env.CRASH_DEBUG) process.stderr.write(d); });
    if (process.env.CRASH_DEBUG) child.stdout.on("data", (d: Buffer) => process.stderr.write(`[child ${mode}] ${d}`));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (until && signal !== "SIGKILL") reject(new Error(`child ${mode} ended (${code}) before ${until}:\n${stderr}`));
      else if (!until && code !== 0) reject(new Error(`child ${mode} failed (${code}):\n${stderr}`));
      else resolve({ stdout, signal, code });
    });
  });
}

describe("settlement survives a SIGKILL between charge and settlement", () => {
  let env: Env;
  let deposits: Address;
  let ingotId: bigint;
  let server: Server;
  let rpcUrl: string;
  let dir: string;
  let payer: Address;

  beforeAll(async () => {
    env = await deployLocalProtocol();
    if (process.env.CRASH_DEBUG) console.error("deployed", new Date().toISOString());
    ingotId = await mintLiveIngot(env, "crash");
    ({ deposits } = await deployGatewayDeposits({ connection: env.connection, splitter: env.ctx.addresses.splitter, settler: env.wallets[0].account.address, withdrawalDelay: 3600n }));
    payer = getAddress(env.wallets[7].account.address);
    const hash: Hash = await env.wallets[7].writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [payer], value: parseEther("10") });
    await env.publicClient.waitForTransactionReceipt({ hash });
    server = await serveJsonRpc(env.connection.provider as never);
    rpcUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "settlement-crash-"));
  }, 240_000);

  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const splitterEth = () => env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
  const depositBalance = () => env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "balanceOf", args: [payer, zeroAddress] });

  for (const [i, point] of (["after-commit", "after-batch", "after-tx"] as const).entries()) {
    it(`killed ${point}: a fresh process settles every charge exactly once and ledger and chain agree`, async () => {
      const amounts = [1_000_003n + BigInt(i), 20_000_000_000n, 333n].map((a) => a * 10n ** 6n);
      const total = amounts.reduce((s, a) => s + a, 0n);
      const config = {
        db: join(dir, `${point}.db`), rpcUrl, deposits, settler: env.wallets[0].account.address, asset: zeroAddress, payer,
        charges: amounts.map((a) => ({ ingotId: ingotId.toString(), amount: a.toString() })),
      };
      const splitterBefore = await splitterEth();
      const depositBefore = await depositBalance();

      const killed = await runChild(`charge:${point}`, config, `AT ${point}`);
      expect(killed.signal).toBe("SIGKILL");
      // What the crash left on chain: money moved only when the transaction was mined.
      expect((await splitterEth()) - splitterBefore).toBe(point === "after-tx" ? total : 0n);

      const first = JSON.parse((await runChild("recover", config)).stdout.trim());
      expect(first).toEqual({ stale: 1, batches: 1, charges: 3, alreadySettled: point === "after-tx" ? 1 : 0, sent: point === "after-tx" ? 0 : 1 });
      // A second recovery (or a crash right after the first) settles nothing more.
      const second = JSON.parse((await runChild("recover", config)).stdout.trim());
      expect(second).toEqual({ stale: 0, batches: 0, charges: 0, alreadySettled: 0, sent: 0 });

      expect((await splitterEth()) - splitterBefore).toBe(total);
      expect(depositBefore - (await depositBalance())).toBe(total);
      const ledger = openLedger({ path: config.db });
      try {
        expect(ledger.totals(zeroAddress)).toMatchObject({ charged: total, batched: total, settled: total, reserved: 0n, chargeCount: 3, settledChargeCount: 3 });
        expect(ledger.pendingBatches()).toEqual([]);
        // Each scenario keeps its own ledger over the same 10 ETH deposit: to this one, the earlier
        // scenarios' settlements are debits made elsewhere, so its credit is what the contract still holds.
        expect(ledger.availableCredit(payer, zeroAddress)).toBe(await depositBalance());
        expect(ledger.totals(zeroAddress).debitedElsewhere).toBe(parseEther("10") - total - (await depositBalance()));
      } finally {
        ledger.close();
      }
    }, 180_000);
  }
});
