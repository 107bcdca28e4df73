import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, parseEther, zeroAddress, type Address, type Hash } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { mintLiveIngot, type Env } from "./fixtures/localGatewayChain.js";
import { deployGatewayDeposits } from "../../../gateway/src/chain/deployGatewayDeposits.js";
import { createSettlementChain } from "../../../gateway/src/chain/createSettlementChain.js";
import { gatewayDepositsAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";
import { syncChainEvents } from "../../../gateway/src/settlement/syncChainEvents.js";
import { settlePending } from "../../../gateway/src/settlement/settlePending.js";
import type { SettlementChain } from "../../../gateway/src/types.js";

/**
 * A payer's withdrawal lifecycle on the in-process chain, synced into the SQLite ledger after
 * every step: the gateway's spendable credit must equal what the contract would still let it
 * settle, balanceOf − pendingWithdrawal − the charges not settled yet, at each step.
 */
describe("withdrawals on chain, as the gateway's ledger follows them", () => {
  let env: Env;
  let deposits: Address;
  let chain: SettlementChain;
  let ledger: Ledger;
  let dir: string;
  let payer: Env["wallets"][number];
  let P: Address;
  let ingotId: bigint;
  let unsettled = 0n;

  const mined = async (hash: Promise<Hash>) => {
    const receipt = await env.publicClient.waitForTransactionReceipt({ hash: await hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };
  const send = (functionName: "requestWithdrawal" | "cancelWithdrawal" | "withdraw", args: readonly unknown[]) =>
    mined(payer.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName, args } as never));
  const onChain = async () => {
    const balance = await env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "balanceOf", args: [P, zeroAddress] });
    const [pending] = await env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "pendingWithdrawal", args: [P, zeroAddress] });
    return { balance, pending };
  };
  /** Sync, then the ledger's view must match the chain's. */
  const expectInStep = async () => {
    await syncChainEvents({ ledger, chain });
    const { balance, pending } = await onChain();
    expect(ledger.availableCredit(P, zeroAddress)).toBe(balance - pending - unsettled);
    expect(ledger.totals(zeroAddress).pendingWithdrawals).toBe(pending);
  };
  const serve = (amount: bigint) => {
    const reservationId = ledger.reserve({ payer: P, asset: zeroAddress, ingotId, amount });
    ledger.commitCharge({ reservationId, amount, promptTokens: 1, completionTokens: 1 });
    unsettled += amount;
  };

  beforeAll(async () => {
    env = await deployLocalProtocol();
    ingotId = await mintLiveIngot(env, "withdrawals");
    ({ deposits } = await deployGatewayDeposits({ connection: env.connection, splitter: env.ctx.addresses.splitter, withdrawalDelay: 3600n }));
    chain = createSettlementChain({ publicClient: env.publicClient as never, walletClient: env.wallets[0], deposits });
    payer = env.wallets[6];
    P = getAddress(payer.account.address);
    dir = mkdtempSync(join(tmpdir(), "gw-withdrawals-"));
    ledger = openLedger({ path: join(dir, "ledger.db") });
  });
  afterAll(() => {
    ledger?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("requestReRequestCancelRequestWithdraw_keepTheLedgerEqualToWhatTheChainStillHolds", async () => {
    await mined(payer.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P], value: parseEther("2") }));
    await expectInStep();
    expect(ledger.availableCredit(P, zeroAddress)).toBe(parseEther("2"));

    serve(parseEther("0.1"));
    await expectInStep();

    await send("requestWithdrawal", [zeroAddress, parseEther("1")]);
    await expectInStep();
    // A second request replaces the first (v1 of the ledger withheld both: 1.5 ETH).
    await send("requestWithdrawal", [zeroAddress, parseEther("0.5")]);
    await expectInStep();
    expect(ledger.availableCredit(P, zeroAddress)).toBe(parseEther("1.4"));

    await send("cancelWithdrawal", [zeroAddress]);
    await expectInStep();
    expect(ledger.availableCredit(P, zeroAddress)).toBe(parseEther("1.9"));

    await send("requestWithdrawal", [zeroAddress, parseEther("0.7")]);
    await expectInStep();
    // During the notice the gateway settles what it served, then the payer withdraws.
    expect((await settlePending({ ledger, chain, asset: zeroAddress, maxCharges: 50 })).charges).toBe(1);
    unsettled = 0n;
    await expectInStep();
    await env.networkHelpers.time.increase(3600);
    await send("withdraw", [zeroAddress]);
    await expectInStep();
    expect(ledger.availableCredit(P, zeroAddress)).toBe(parseEther("2") - parseEther("0.1") - parseEther("0.7"));
    expect(ledger.totals(zeroAddress)).toMatchObject({ withdrawn: parseEther("0.7"), pendingWithdrawals: 0n });
  });

  it("aPayerWhoWithdrewWhileTheGatewayWasDown_deferredUntilTheyPay_othersSettled_andAFreshLedgerAgreesWithTheChain", async () => {
    const short = env.wallets[7];
    const other = env.wallets[8];
    const S = getAddress(short.account.address);
    const O = getAddress(other.account.address);
    const balanceOf = (who: Address) => env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "balanceOf", args: [who, zeroAddress] });
    const depositFrom = (w: typeof short, who: Address, value: bigint) => mined(w.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [who], value } as never));
    const charge = (who: Address, amount: bigint) => ledger.commitCharge({ reservationId: ledger.reserve({ payer: who, asset: zeroAddress, ingotId, amount }), amount, promptTokens: 1, completionTokens: 1 });
    const splitterBalance = () => env.publicClient.getBalance({ address: env.ctx.addresses.splitter });

    await depositFrom(short, S, parseEther("1"));
    await depositFrom(other, O, parseEther("1"));
    await syncChainEvents({ ledger, chain });
    charge(S, parseEther("0.6"));
    charge(O, parseEther("0.2"));
    // The gateway is down: it neither sees the request nor settles during the notice.
    await mined(short.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "requestWithdrawal", args: [zeroAddress, parseEther("1")] } as never));
    await env.networkHelpers.time.increase(3600);
    await mined(short.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "withdraw", args: [zeroAddress] } as never));
    expect(await balanceOf(S)).toBe(0n);

    // Back up: the batch debiting S reverts on chain; S's charge waits, O's is paid into the splitter.
    await syncChainEvents({ ledger, chain });
    const before = await splitterBalance();
    const pass = await settlePending({ ledger, chain, asset: zeroAddress, maxCharges: 50 });
    expect(pass.refusals.map((r) => [r.payer, r.balance, r.deferredAmount])).toEqual([[S, 0n, parseEther("0.6")]]);
    expect(pass.charges).toBe(1);
    expect((await splitterBalance()) - before).toBe(parseEther("0.2"));
    expect(await balanceOf(O)).toBe(parseEther("0.8"));
    expect(ledger.availableCredit(O, zeroAddress)).toBe(parseEther("0.8"));
    expect(ledger.availableCredit(S, zeroAddress)).toBe(-parseEther("0.6"));
    expect(() => ledger.reserve({ payer: S, asset: zeroAddress, ingotId, amount: 1n })).toThrow(/credit/i);

    // S pays up; the next round settles the deferred charge from the new deposit.
    await depositFrom(short, S, parseEther("1"));
    await syncChainEvents({ ledger, chain });
    expect((await settlePending({ ledger, chain, asset: zeroAddress, maxCharges: 50 })).refusals).toEqual([]);
    expect((await splitterBalance()) - before).toBe(parseEther("0.8"));
    expect(await balanceOf(S)).toBe(parseEther("0.4"));
    expect(ledger.availableCredit(S, zeroAddress)).toBe(parseEther("0.4"));
    expect(ledger.totals(zeroAddress)).toMatchObject({ deferred: 0n, debitedElsewhere: 0n });

    // The ledger file is lost: a fresh one rebuilt from the chain's events alone agrees with balanceOf.
    const fresh = openLedger({ path: join(dir, "fresh.db") });
    try {
      await syncChainEvents({ ledger: fresh, chain });
      for (const who of [S, O, P]) {
        const [pending] = await env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "pendingWithdrawal", args: [who, zeroAddress] });
        expect(fresh.availableCredit(who, zeroAddress), who).toBe((await balanceOf(who)) - pending);
      }
      expect(fresh.totals(zeroAddress).debitedElsewhere).toBe(parseEther("0.9")); // 0.1 (P, the test above) + 0.2 + 0.6
    } finally {
      fresh.close();
    }
  });
});
