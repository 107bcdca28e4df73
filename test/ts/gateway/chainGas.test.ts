import hre from "hardhat";
import { getAddress, keccak256, parseEther, slice, toBytes, zeroAddress, type Address, type Hash, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { deployGatewayDeposits } from "../../../gateway/src/chain/deployGatewayDeposits.js";
import { createSettlementChain } from "../../../gateway/src/chain/createSettlementChain.js";
import { gatewayDepositsAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import type { SettlementBatch, SettlementChain } from "../../../gateway/src/types.js";

/**
 * Gas of one settlement transaction (receipt gasUsed, as `settleBatch` reports it) for batches
 * of 1, 10 and 50 charges, each charge from a distinct payer: paid into one Ingot, or into as
 * many Ingots as charges (the worst case: one splitter payment per charge). Steady state: every
 * Ingot was paid in the asset before and every payer keeps a balance, so no storage slot is
 * created except the batch id's. The production RevenueSplitter and Ingot, with Ingots minted
 * through mock Forges. The table is printed for the benchmark.
 */

type Connection = Awaited<ReturnType<typeof hre.network.create>>;
type Viem = Connection["viem"];

const SUPPLY = 1_000_000_000n;
const SIZES = [1, 10, 50] as const;
const PAYERS = 50;

const rows: { asset: string; charges: number; ingots: number; gas: bigint }[] = [];

function info(adapter: string) {
  return {
    forge: zeroAddress,
    parentId: 0n,
    royaltyBps: 0,
    capitalAsset: zeroAddress,
    baseModelRoot: keccak256(toBytes("base")),
    adapterRoot: keccak256(toBytes(adapter)),
    measurement: keccak256(toBytes("mrtd")),
    attributionLogRoot: keccak256(toBytes("log")),
    metricBefore: 12n * 10n ** 18n,
    metricAfter: 9n * 10n ** 18n,
    baseModelName: "Qwen2.5-Coder-3B-Instruct",
    metadataURI: "0g://gas",
  };
}

describe("settlement gas by batch size (EDR transaction gas)", () => {
  let connection: Connection;
  let viem: Viem;
  let publicClient: Awaited<ReturnType<Viem["getPublicClient"]>>;
  let wallets: Awaited<ReturnType<Viem["getWalletClients"]>>;
  let chain: SettlementChain;
  let deposits: Address;
  let usdc: Address;
  const ingots: bigint[] = [];
  const payers: Address[] = Array.from({ length: PAYERS }, (_, i) => getAddress(slice(keccak256(toBytes(`payer ${i}`)), 12)));
  let batchNonce = 0;

  const mined = async (hash: Promise<Hash>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };

  /** `charges` charges of `unit` from payers 0..charges-1, into `ingotCount` Ingots round-robin. */
  function batchOf(asset: Address, charges: number, ingotCount: number, unit: bigint): SettlementBatch {
    const credits = new Map<bigint, bigint>();
    for (let i = 0; i < charges; i++) {
      const id = ingots[i % ingotCount];
      credits.set(id, (credits.get(id) ?? 0n) + unit);
    }
    const id = batchNonce++;
    return {
      batchId: keccak256(toBytes(`gas batch ${id}`)) as Hex,
      asset,
      debits: payers.slice(0, charges).map((payer) => ({ payer, amount: unit })),
      credits: [...credits].map(([ingotId, amount]) => ({ ingotId, amount })),
      chargeIds: Array.from({ length: charges }, (_, i) => `batch ${id} charge ${i}`),
    };
  }

  async function settled(batch: SettlementBatch): Promise<bigint> {
    const result = await chain.settleBatch(batch);
    if (result.status !== "settled") throw new Error(`batch ${batch.batchId} was not settled`);
    return result.gasUsed;
  }

  beforeAll(async () => {
    connection = await hre.network.create();
    viem = connection.viem;
    publicClient = await viem.getPublicClient();
    wallets = await viem.getWalletClients();
    const admin = wallets[0].account.address;
    const registry = await viem.deployContract("MockForgeRegistry", []);
    const splitter = await viem.deployContract("RevenueSplitter", [admin]);
    const ingot = await viem.deployContract("Ingot", [registry.address, splitter.address]);
    await mined(splitter.write.bindIngot([ingot.address]));
    const token = await viem.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
    usdc = token.address;
    await mined(splitter.write.setAssetAllowed([usdc, true, 1n]));
    const holders = [wallets[1], wallets[2], wallets[3]].map((w) => w.account.address);
    for (let i = 0; i < Math.max(...SIZES); i++) {
      const forge = await viem.deployContract("MockForge", []);
      await mined(registry.write.setForge([forge.address, true]));
      await mined(forge.write.mint([ingot.address, info(`adapter ${i}`), holders, [SUPPLY / 2n, SUPPLY / 4n, SUPPLY / 4n], 0n]));
      ingots.push(BigInt(i + 1));
    }
    ({ deposits } = await deployGatewayDeposits({ connection, splitter: splitter.address, withdrawalDelay: 3600n }));
    chain = createSettlementChain({ publicClient: publicClient as never, walletClient: wallets[0] as never, deposits });

    // A sponsor funds every payer in both assets.
    const sponsor = wallets[4];
    await mined(token.write.mint([sponsor.account.address, 10n ** 15n]));
    await mined(token.write.approve([deposits, 10n ** 15n], { account: sponsor.account }));
    for (const payer of payers) {
      await mined(sponsor.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [payer], value: parseEther("10") }));
      await mined(sponsor.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "depositToken", args: [usdc, 10n ** 13n, payer] }));
    }
    // Warm-up: every Ingot already paid in both assets (its asset slot listed).
    for (const asset of [zeroAddress, usdc]) await settled(batchOf(asset, PAYERS, PAYERS, 1_000_000n));
  });

  it("amortizes the transaction over the batch: 50 charges cost less than 50 one-charge batches", async () => {
    for (const [asset, label] of [[zeroAddress, "ETH"], [usdc, "ERC-20"]] as const) {
      for (const charges of SIZES) {
        for (const ingotCount of [1, charges]) {
          if (charges === 1 && ingotCount === 1 && rows.some((r) => r.asset === label && r.charges === 1)) continue;
          const gas = await settled(batchOf(asset, charges, ingotCount, 1_000_000n));
          rows.push({ asset: label, charges, ingots: ingotCount, gas });
        }
      }
    }
    console.log(
      "\nGatewayDeposits.settle gas (steady state, distinct payers)\n" +
        rows.map((r) => `  ${r.asset.padEnd(6)} ${String(r.charges).padStart(2)} charges -> ${String(r.ingots).padStart(2)} Ingot(s): ${r.gas}`).join("\n"),
    );
    for (const label of ["ETH", "ERC-20"]) {
      const gasOf = (charges: number, ingotCount: number) => rows.find((r) => r.asset === label && r.charges === charges && r.ingots === ingotCount)!.gas;
      expect(gasOf(50, 1)).toBeLessThan(50n * gasOf(1, 1));
      expect(gasOf(50, 50)).toBeLessThan(50n * gasOf(1, 1));
      // More Ingots per batch means more splitter payments: never cheaper.
      expect(gasOf(50, 50)).toBeGreaterThan(gasOf(50, 1));
      expect(gasOf(10, 1)).toBeGreaterThan(gasOf(1, 1));
    }
  });
});
