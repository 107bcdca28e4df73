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
    rmSync(dir, { recursive: true, force: true });
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
});
