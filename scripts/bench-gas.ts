/**
 * Gas benchmark of the protocol (issue 2): every figure is `gasUsed` from a real transaction
 * receipt on Hardhat's in-process EDR chain (so it includes the 21,000 intrinsic gas and
 * calldata), measured in this run. Run: `npm run bench:gas`.
 */
import hre from "hardhat";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, encodeFunctionData, hashTypedData, hexToBytes, keccak256, parseEther, toBytes, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import ProtocolModule from "../ignition/modules/Protocol.js";
import { addressesFromIgnition } from "../coordinator/src/chain/addressesFromIgnition.js";
import { loadProtocolAbis } from "../coordinator/src/chain/loadProtocolAbis.js";
import { exampleForgeConfig } from "../coordinator/src/chain/exampleForgeConfig.js";
import { evalResultTypedData } from "../coordinator/src/chain/evalResultTypedData.js";
import { computeRegistrationTypedData } from "../coordinator/src/chain/computeRegistrationTypedData.js";
import { buildShareClaims, type ShareClaim } from "../coordinator/src/chain/buildShareClaims.js";
import type { EvalResult, ForgeConfig } from "../coordinator/src/chain/types.js";
import { buildSimulatedQuote } from "../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { SIMULATED_MEASUREMENT } from "../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { readQuoteBlock } from "../coordinator/src/chain/readQuoteBlock.js";
import { reportDataFor } from "../coordinator/src/enclave/reportDataFor.js";

const root = (s: string): Hex => keccak256(toBytes(s));
const TX_GAS_CAP = 16_777_216n; // EIP-7825 (Osaka): no transaction may use more, whatever the block limit
const rows: [string, bigint, string][] = [];
const record = (what: string, gas: bigint, note = "") => {
  rows.push([what, gas, note]);
  process.stderr.write(`  measured ${what}: ${gas}\n`);
};

const { viem, ignition, networkHelpers } = await hre.network.create();
const publicClient = await viem.getPublicClient();
const [admin, payer] = await viem.getWalletClients();
const abis = await loadProtocolAbis();
const addresses = addressesFromIgnition(await ignition.deploy(ProtocolModule, { displayUi: false }));
const p = {
  splitter: { address: addresses.splitter },
  enclaveRegistry: { address: addresses.enclaveRegistry },
  factory: { address: addresses.factory },
  ingot: { address: addresses.ingot },
};
const chainId = await publicClient.getChainId();
const blockGasLimit = (await publicClient.getBlock()).gasLimit;

async function send(from: { sendTransaction: (tx: never) => Promise<Hex> }, to: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = [], value?: bigint, gas?: bigint) {
  const data = encodeFunctionData({ abi: abi as never, functionName, args } as never);
  const hash = await from.sendTransaction({ to, data, value, gas } as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return receipt;
}

// Enclave registration (simulated quote).
const enclave = privateKeyToAccount(keccak256(toBytes("bench enclave")));
const hpke = root("bench hpke");
const quoteBlock = await readQuoteBlock(publicClient);
const quote = await buildSimulatedQuote({ chainId, measurement: SIMULATED_MEASUREMENT, reportData: reportDataFor(enclave.address, hpke, chainId, quoteBlock.hash) });
record("registerEnclave (simulated quote)", (await send(admin, p.enclaveRegistry.address, abis.EnclaveRegistry, "registerEnclave", [quote, enclave.address, hpke, quoteBlock.number])).gasUsed);

const token = await viem.deployContract("MockERC20", ["Bench USD", "BUSD", 18]);

async function newForge(label: string, extra: Partial<Parameters<typeof exampleForgeConfig>[0]> = {}) {
  const now = (await publicClient.getBlock()).timestamp;
  const config: ForgeConfig = exampleForgeConfig({
    creator: admin.account.address,
    now,
    holdoutRoot: root("holdout"),
    holdoutExamples: 1800,
    baseModelRoot: root("base"),
    allowedMeasurements: [SIMULATED_MEASUREMENT],
    // Short windows: the run moves time past seven windows, which must stay inside the enclave
    // key's TTL (30 days) or the later results are refused as signed by an expired key.
    windowSeconds: 3600n,
    evalSeconds: 3600n,
    ...extra,
  });
  const receipt = await send(admin, p.factory.address, abis.ForgeFactory, "createForge", [config]);
  const count = (await publicClient.readContract({ address: p.factory.address, abi: abis.ForgeFactory, functionName: "forgeCount" })) as bigint;
  const forge = (await publicClient.readContract({ address: p.factory.address, abi: abis.ForgeFactory, functionName: "forges", args: [count - 1n] })) as Address;
  return { forge, config, gas: receipt.gasUsed, label };
}

/** n data contributions (with the bond) from n distinct fresh accounts, one compute worker (both proofs), one capital position. */
async function fill(forge: Address, n: number, tag: string) {
  const config = (await publicClient.readContract({ address: forge, abi: abis.Forge, functionName: "config" })) as ForgeConfig;
  const wallets = [];
  for (let i = 0; i < n; i++) {
    const account = privateKeyToAccount(keccak256(toBytes(`${tag} contributor ${i}`)));
    await networkHelpers.setBalance(account.address, parseEther("1"));
    wallets.push(await viem.getWalletClient(account.address, { account } as never));
  }
  const gas: bigint[] = [];
  for (let i = 0; i < n; i++) {
    gas.push((await send(wallets[i], forge, abis.Forge, "contributeData", [root(`${tag} ${i}`), 4096n, 30, "ipfs://license"], config.dataBond)).gasUsed);
  }
  // The registration with a real Ed25519 proof of possession over the EIP-712 digest (signer = sender).
  const edSecret = hexToBytes(root(`${tag} ed25519 seed`));
  const edKey = bytesToHex(ed25519.getPublicKey(edSecret));
  const digest = hashTypedData(computeRegistrationTypedData(chainId, forge, { worker: admin.account.address, signer: admin.account.address, ed25519PublicKey: edKey }));
  const edProof = bytesToHex(ed25519.sign(hexToBytes(digest), edSecret));
  const compute = (await send(admin, forge, abis.Forge, "registerCompute", [admin.account.address, edKey, 8, "0x", edProof], config.computeBond)).gasUsed;
  const capitalEth = (await send(payer, forge, abis.Forge, "contributeCapital", [parseEther("1")], parseEther("1"))).gasUsed;
  return { gas, compute, capitalEth };
}

async function submit(forge: Address, config: ForgeConfig, n: number, excludedData: bigint[] = []) {
  await networkHelpers.time.increaseTo(config.windowEnd);
  const result: EvalResult = {
    forge,
    holdoutRoot: config.holdoutRoot,
    baseModelRoot: config.baseModelRoot,
    adapterRoot: root("adapter"),
    metricBefore: 10n ** 19n,
    metricAfter: 9n * 10n ** 18n,
    dataIds: Array.from({ length: n }, (_, i) => BigInt(i)),
    dataScores: Array.from({ length: n }, (_, i) => (excludedData.includes(BigInt(i)) ? 0n : BigInt(1 + (i % 7)) * 10n ** 16n)),
    computeIds: [0n],
    computeWork: [1n],
    excludedData,
    excludedCompute: [],
    attributionLogRoot: root("log"),
    evalConfigHash: root("cfg"),
    deadline: config.evalDeadline,
  };
  const signature = await enclave.signTypedData(evalResultTypedData(chainId, result));
  // An explicit limit at the EIP-7825 cap: the figure is only worth reporting if it fits.
  const receipt = await send(payer, forge, abis.Forge, "submitEvalResult", [result, signature], undefined, TX_GAS_CAP);
  const ingotId = (await publicClient.readContract({ address: forge, abi: abis.Forge, functionName: "ingotId" })) as bigint;
  return { gas: receipt.gasUsed, ingotId, result };
}

/** The claim tree of a claim-by-proof Forge, from the Forge's own allocation of `result`. */
async function shareClaims(forge: Address, result: EvalResult): Promise<ShareClaim[]> {
  const [holders, amounts] = (await publicClient.readContract({ address: forge, abi: abis.Forge, functionName: "previewAllocation", args: [result] })) as readonly [Address[], bigint[], Hex];
  const { root: built, claims } = buildShareClaims({ holders, amounts });
  const stored = await publicClient.readContract({ address: forge, abi: abis.Forge, functionName: "sharesRoot" });
  if (built !== stored) throw new Error(`claim tree root ${built} differs from the Forge's ${String(stored)}`);
  return claims;
}

// Forge creation and contributions.
const f10 = await newForge("10");
record("createForge", f10.gas);
const c10 = await fill(f10.forge, 10, "f10");
record("contributeData (first), with the bond", c10.gas[0], `bond ${f10.config.dataBond} wei`);
record("contributeData (10th), with the bond", c10.gas[9]);
record("registerCompute (signer = sender, Ed25519 proof emitted), with the bond", c10.compute, `bond ${f10.config.computeBond} wei`);
record("contributeCapital (ETH)", c10.capitalEth);
const fErc = await newForge("erc20", { capitalAsset: token.address });
await token.write.mint([payer.account.address, parseEther("100")]);
await send(payer, token.address, token.abi as never, "approve", [fErc.forge, parseEther("1")]);
record("contributeCapital (ERC-20)", (await send(payer, fErc.forge, abis.Forge, "contributeCapital", [parseEther("1")])).gasUsed);

const s10 = await submit(f10.forge, f10.config, 10, [9n]);
record("submitEvalResult, 10 data contributions (1 excluded)", s10.gas);
const f100 = await newForge("100");
await fill(f100.forge, 100, "f100");
const s100 = await submit(f100.forge, f100.config, 100);
record("submitEvalResult, 100 data contributions", s100.gas);
const f1000 = await newForge("1000");
process.stderr.write("  (funding and contributing from 1,000 accounts…)\n");
await fill(f1000.forge, 1000, "f1000");
const slope = (s100.gas - s10.gas) / 90n;
record("  per extra data contribution (10→100, direct mint)", slope);
const s1000 = await submit(f1000.forge, f1000.config, 1000);
const directMax = (await publicClient.readContract({ address: f1000.forge, abi: abis.Forge, functionName: "DIRECT_MINT_MAX_HOLDERS" })) as bigint;
record("submitEvalResult, 1,000 data contributions", s1000.gas, `claim by proof (> ${directMax} holders); one tx, limit ${TX_GAS_CAP} (EIP-7825), block ${blockGasLimit}`);
record("  per extra data contribution (100→1,000)", (s1000.gas - s100.gas) / 900n, "includes the switch to the escrow");

// Claims by proof on the 1,000-contribution Ingot: the creator's leaf before any revenue, then
// (after a payment) a data contributor's and the capital contributor's, whose shares carry what
// they earned in escrow.
const claims1000 = await shareClaims(f1000.forge, s1000.result);
const claimGas = async (claim: ShareClaim) =>
  (await send(payer, f1000.forge, abis.Forge, "claimShares", [claim.index, claim.account, claim.amount, claim.proof])).gasUsed;
record("claimShares, no revenue yet", await claimGas(claims1000[0]), `proof of ${claims1000[0].proof.length} hashes, ${claims1000.length} leaves`);
await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s1000.ingotId, zeroAddress, parseEther("1")], parseEther("1"));
record("claimShares, 1 revenue asset paid", await claimGas(claims1000[500]), "credits the escrowed shares' earnings");
record("claimShares, 1 revenue asset, receiver already holds", await (async () => {
  // The capital contributor's leaf, after it already holds shares received by transfer.
  await send(admin, p.ingot.address, abis.Ingot, "safeTransferFrom", [admin.account.address, payer.account.address, s1000.ingotId, 1n, "0x"]);
  return claimGas(claims1000[claims1000.length - 1]);
})());

// Revenue: release, pay, claim.
record("releaseCapital (ETH)", (await send(payer, f10.forge, abis.Forge, "releaseCapital")).gasUsed);
record("refundBond (data, included)", (await send(payer, f10.forge, abis.Forge, "refundBond", [0, 0n])).gasUsed);
record("forfeitBonds (1 excluded entry, ETH to the splitter)", (await send(payer, f10.forge, abis.Forge, "forfeitBonds")).gasUsed);
record("pay (ETH), warm asset", (await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s10.ingotId, zeroAddress, parseEther("1")], parseEther("1"))).gasUsed);
await send(admin, p.splitter.address, abis.RevenueSplitter, "setAssetAllowed", [token.address, true, parseEther("1")]);
await send(payer, token.address, token.abi as never, "approve", [p.splitter.address, parseEther("10")]);
record("pay (ERC-20), first payment in the asset", (await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s10.ingotId, token.address, parseEther("1")])).gasUsed);
record("pay (ERC-20), later payment", (await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s10.ingotId, token.address, parseEther("1")])).gasUsed);
record("claim (ETH) by the creator", (await send(admin, p.splitter.address, abis.RevenueSplitter, "claim", [s10.ingotId, zeroAddress, admin.account.address])).gasUsed, "same for 3 or 1,000 holders");
record("claim (ERC-20) by the creator", (await send(admin, p.splitter.address, abis.RevenueSplitter, "claim", [s10.ingotId, token.address, admin.account.address])).gasUsed);
record("claim (ETH) on the largest Ingot", await (async () => {
  await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s1000.ingotId, zeroAddress, parseEther("1")], parseEther("1"));
  return (await send(admin, p.splitter.address, abis.RevenueSplitter, "claim", [s1000.ingotId, zeroAddress, admin.account.address])).gasUsed;
})(), "1,003 holders, shares claimed by proof");

// Lineage: a chain of forks, pay at each depth.
let parentId = s10.ingotId;
for (let depth = 1; depth <= 3; depth++) {
  const fork = await newForge(`fork${depth}`, { parentIngotId: parentId, lineageBps: 500 });
  if (depth === 1) record("createForge as a fork", fork.gas);
  await fill(fork.forge, 2, `fork${depth}`);
  const s = await submit(fork.forge, fork.config, 2);
  await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s.ingotId, zeroAddress, parseEther("1")], parseEther("1"));
  record(`pay (ETH) to an Ingot with ${depth} ancestor(s)`, (await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s.ingotId, zeroAddress, parseEther("1")], parseEther("1"))).gasUsed);
  parentId = s.ingotId;
}

// Share transfer with revenue settlement vs a plain OpenZeppelin ERC-1155 transfer.
const plain = await viem.deployContract("PlainERC1155");
await plain.write.mint([admin.account.address, 1n, 1000n]);
await plain.write.mint([payer.account.address, 1n, 1000n]);
const plainGas = (await send(admin, plain.address, plain.abi as never, "safeTransferFrom", [admin.account.address, payer.account.address, 1n, 10n, "0x"])).gasUsed;
record("plain ERC-1155 transfer (to an existing holder)", plainGas);
const ingotOneAsset = (await send(admin, p.ingot.address, abis.Ingot, "safeTransferFrom", [admin.account.address, payer.account.address, s1000.ingotId, 10n, "0x"])).gasUsed;
record("Ingot share transfer, 1 revenue asset", ingotOneAsset, `overhead ${ingotOneAsset - plainGas}`);
// Fill the 10-contributor Ingot up to the asset cap with allowlisted tokens.
const maxAssets = (await publicClient.readContract({ address: p.splitter.address, abi: abis.RevenueSplitter, functionName: "MAX_ASSETS_PER_INGOT" })) as bigint;
let assets = ((await publicClient.readContract({ address: p.splitter.address, abi: abis.RevenueSplitter, functionName: "assetsOf", args: [s10.ingotId] })) as Address[]).length;
while (BigInt(assets) < maxAssets) {
  const t = await viem.deployContract("MockERC20", [`T${assets}`, `T${assets}`, 18]);
  await t.write.mint([payer.account.address, 10n ** 18n]);
  await send(admin, p.splitter.address, abis.RevenueSplitter, "setAssetAllowed", [t.address, true, 10n ** 18n]);
  await send(payer, t.address, t.abi as never, "approve", [p.splitter.address, 10n ** 18n]);
  await send(payer, p.splitter.address, abis.RevenueSplitter, "pay", [s10.ingotId, t.address, 10n ** 18n]);
  assets++;
}
const ingotMaxAssets = (await send(admin, p.ingot.address, abis.Ingot, "safeTransferFrom", [admin.account.address, payer.account.address, s10.ingotId, 10n, "0x"])).gasUsed;
record(`Ingot share transfer, ${assets} revenue assets (the cap)`, ingotMaxAssets, `overhead ${ingotMaxAssets - plainGas}`);

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\nGas per transaction (receipt gasUsed, in-process EDR, ${new Date().toISOString()})\n`);
console.log(`${"operation".padEnd(width)}  ${"gas".padStart(10)}  note`);
for (const [what, gas, note] of rows) console.log(`${what.padEnd(width)}  ${gas.toString().padStart(10)}  ${note}`);
