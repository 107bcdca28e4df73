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
import type { Ledger } from "../../../gateway/src/ledger/types.js";

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

  // The settle transaction itself, around a crash: recorded but never broadcast; broadcast and
  // mined after the process died; broadcast and stuck under a base fee that rose past its cap.
  const rpc = (method: string, params: unknown[] = []) => (env.connection.provider as { request(a: { method: string; params: unknown[] }): Promise<unknown> }).request({ method, params });
  const settlerNonce = () => env.publicClient.getTransactionCount({ address: env.wallets[0].account.address, blockTag: "latest" });
  const scenario = async (name: string, i: number) => {
    const amounts = [7_000_001n + BigInt(i), 333n].map((a) => a * 10n ** 6n);
    const config = {
      db: join(dir, `${name}.db`), rpcUrl, deposits, settler: env.wallets[0].account.address, asset: zeroAddress, payer,
      charges: amounts.map((a) => ({ ingotId: ingotId.toString(), amount: a.toString() })),
    };
    return { config, total: amounts.reduce((s, a) => s + a, 0n), splitterBefore: await splitterEth(), depositBefore: await depositBalance(), nonceBefore: await settlerNonce() };
  };
  const expectSettledOnce = async (s: Awaited<ReturnType<typeof scenario>>) => {
    expect((await splitterEth()) - s.splitterBefore).toBe(s.total);
    expect(s.depositBefore - (await depositBalance())).toBe(s.total);
    expect(await settlerNonce()).toBe(s.nonceBefore + 1);
    const again = JSON.parse((await runChild("recover", s.config)).stdout.trim());
    expect(again).toEqual({ stale: 0, batches: 0, charges: 0, alreadySettled: 0, sent: 0 });
    readLedger(s.config.db, (ledger) => {
      expect(ledger.totals(zeroAddress)).toMatchObject({ charged: s.total, settled: s.total, reserved: 0n, settledChargeCount: 2 });
      expect(ledger.pendingBatches()).toEqual([]);
    });
  };
  /** Read a ledger file the children write, through a connection of its own. */
  const readLedger = <T>(db: string, read: (ledger: Ledger) => T): T => {
    const ledger = openLedger({ path: db });
    try {
      return read(ledger);
    } finally {
      ledger.close();
    }
  };
  const pendingChargeIdsOf = (db: string) => readLedger(db, (ledger) => ledger.pendingBatches().flatMap((b) => b.chargeIds));
  const sendsOf = (db: string) =>
    readLedger(db, (ledger) => {
      const [batch] = ledger.pendingBatches();
      return batch ? ledger.settlementSends(batch.batchId) : [];
    });

  it("killed after recording its settle transaction, before the broadcast: a fresh process sends it at that nonce once replaceAfterMs has passed", async () => {
    const s = await scenario("after-record", 0);
    expect((await runChild("charge:after-record", s.config, "AT after-record")).signal).toBe("SIGKILL");
    const [recorded, ...rest] = sendsOf(s.config.db);
    expect(rest).toEqual([]);
    expect(recorded).toMatchObject({ kind: "settle", nonce: s.nonceBefore });
    expect(recorded.txHash).toBeUndefined();
    expect(await splitterEth()).toBe(s.splitterBefore);
    // Still within replaceAfterMs: the round waits for a transaction it cannot know was never sent.
    await expect(runChild("recover", { ...s.config, replaceAfterMs: 600_000 })).rejects.toThrow(/not mined yet; it is replaced with higher fees/);
    const first = JSON.parse((await runChild("recover", { ...s.config, replaceAfterMs: 1 })).stdout.trim());
    expect(first).toEqual({ stale: 0, batches: 1, charges: 2, alreadySettled: 0, sent: 1 });
    await expectSettledOnce(s);
  }, 180_000);

  it("killed after broadcasting its settle transaction, which is mined later: a fresh process finds the batch settled and sends nothing", async () => {
    const s = await scenario("after-broadcast-mined", 1);
    await rpc("evm_setAutomine", [false]);
    try {
      expect((await runChild("charge:after-broadcast", s.config, "AT after-broadcast")).signal).toBe("SIGKILL");
      expect(await splitterEth()).toBe(s.splitterBefore);
      await rpc("evm_mine");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const [broadcast] = sendsOf(s.config.db);
    const chargeIds = pendingChargeIdsOf(s.config.db);
    const first = JSON.parse((await runChild("recover", s.config)).stdout.trim());
    expect(first).toEqual({ stale: 1, batches: 1, charges: 2, alreadySettled: 1, sent: 0 });
    await expectSettledOnce(s);
    // Marked with the transaction the killed process sent, found by its recorded hash.
    expect(readLedger(s.config.db, (ledger) => chargeIds.map((id) => ledger.getCharge(id)!.settlement?.txHash))).toEqual([broadcast.txHash, broadcast.txHash]);
  }, 180_000);

  it("killed after broadcasting a settle transaction that then sticks under the base fee: a fresh process replaces it at its nonce, and only the replacement is mined", async () => {
    const s = await scenario("after-broadcast-stuck", 2);
    await rpc("evm_setAutomine", [false]);
    let stuckHash: Hash;
    try {
      expect((await runChild("charge:after-broadcast", s.config, "AT after-broadcast")).signal).toBe("SIGKILL");
      const [stuck] = sendsOf(s.config.db);
      stuckHash = stuck.txHash!;
      await rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${(stuck.maxFeePerGas * 10n).toString(16)}`]);
      await rpc("evm_mine");
      expect(await settlerNonce()).toBe(s.nonceBefore);
      // EDR takes a same-nonce replacement only into its mempool: mine once it is broadcast.
      const recovering = runChild("recover", { ...s.config, replaceAfterMs: 1 });
      for (let k = 0; k < 600 && !sendsOf(s.config.db)[1]?.txHash; k++) await new Promise((r) => setTimeout(r, 50));
      await rpc("evm_mine");
      const first = JSON.parse((await recovering).stdout.trim());
      expect(first).toEqual({ stale: 1, batches: 1, charges: 2, alreadySettled: 0, sent: 1 });
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    await expect(env.publicClient.getTransactionReceipt({ hash: stuckHash })).rejects.toThrow();
    await expectSettledOnce(s);
  }, 180_000);
});
