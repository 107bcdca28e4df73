import hre from "hardhat";
import { keccak256, toBytes, type Account, type Chain, type Hex, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import ProtocolModule from "../../../ignition/modules/Protocol.js";
import { loadProtocolAbis } from "../../../coordinator/src/chain/loadProtocolAbis.js";
import type { ProtocolContext } from "../../../coordinator/src/chain/types.js";
import { addressesFromIgnition } from "../../../coordinator/src/chain/addressesFromIgnition.js";
import { withAccount } from "../../../coordinator/src/chain/withAccount.js";
import { readQuoteBlock } from "../../../coordinator/src/chain/readQuoteBlock.js";
import { registerEnclave } from "../../../coordinator/src/chain/registerEnclave.js";
import { buildSimulatedQuote } from "../../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";

type Wallet = WalletClient<Transport, Chain, Account>;

/**
 * A fresh in-process Hardhat chain with the development protocol deployed through the same
 * Ignition module the README's deploy command uses, one context per test account, and a
 * simulated enclave key registered from a simulated quote.
 */
export async function deployLocalProtocol() {
  const connection = await hre.network.create();
  const { viem, ignition, networkHelpers } = connection;
  const deployed = await ignition.deploy(ProtocolModule, { displayUi: false });
  const publicClient = (await viem.getPublicClient()) as unknown as ProtocolContext["publicClient"];
  const wallets = (await viem.getWalletClients()) as unknown as Wallet[];
  const abis = await loadProtocolAbis();
  const base: ProtocolContext = {
    publicClient,
    walletClient: wallets[0],
    abis,
    addresses: addressesFromIgnition(deployed),
  };
  const as = (i: number) => withAccount(base, wallets[i]);

  const enclaveAccount = privateKeyToAccount(keccak256(toBytes("test enclave signer")));
  const hpkePublicKey: Hex = keccak256(toBytes("test enclave hpke key"));
  const chainId = await publicClient.getChainId();
  const quoteBlock = await readQuoteBlock(publicClient);
  const quote = await buildSimulatedQuote({
    chainId,
    measurement: SIMULATED_MEASUREMENT,
    reportData: reportDataFor(enclaveAccount.address, hpkePublicKey, chainId, quoteBlock.hash),
  });
  await registerEnclave(base, { quote, signer: enclaveAccount.address, hpkePublicKey, quoteBlock: quoteBlock.number });

  return { connection, networkHelpers, viem, publicClient, wallets, ctx: base, as, enclaveAccount, hpkePublicKey, chainId };
}
