import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { SIMULATED_PLATFORM_ADDRESS } from "../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { SIMULATED_MEASUREMENT } from "../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { DEFAULT_ENCLAVE_TTL_SECONDS } from "../../ignition/modules/buildProtocol.js";
import type { ProtocolAddresses } from "../../coordinator/src/chain/types.js";

/**
 * The development protocol exactly as ignition/modules/Protocol.ts wires it (simulated quote
 * verifier, splitter → registry → factory → Ingot, both bindings, the simulated measurement
 * allowed), sent as plain viem transactions to a node reached over RPC: Ignition would journal
 * this throw-away node's deployment into the shared ignition/deployments folder and refuse the
 * next fresh node. Returns the addresses and the block of the first deployment (where an indexer
 * starts reading). Shared by the app scripts and the e2e tests.
 */
export async function deployDevProtocol(root: string, publicClient: PublicClient, wallet: WalletClient<Transport, Chain, Account>): Promise<{ addresses: ProtocolAddresses; block: bigint }> {
  const artifact = async (source: string, name: string) => JSON.parse(await readFile(path.join(root, "artifacts", source, `${name}.json`), "utf8")) as { abi: Abi; bytecode: Hex };
  const admin = wallet.account.address;
  let first: bigint | undefined;
  const deploy = async (source: string, name: string, args: unknown[]): Promise<Address> => {
    const { abi, bytecode } = await artifact(source, name);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await wallet.deployContract({ abi, bytecode, args }) });
    if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`);
    first ??= receipt.blockNumber;
    return receipt.contractAddress;
  };
  const call = async (source: string, name: string, address: Address, functionName: string, args: unknown[]) => {
    const { abi } = await artifact(source, name);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await wallet.writeContract({ address, abi, functionName, args }) });
    if (receipt.status !== "success") throw new Error(`${name}.${functionName} reverted`);
  };
  const verifier = await deploy("contracts/verifiers/SimulatedQuoteVerifier.sol", "SimulatedQuoteVerifier", [SIMULATED_PLATFORM_ADDRESS]);
  const splitter = await deploy("contracts/RevenueSplitter.sol", "RevenueSplitter", [admin]);
  const enclaveRegistry = await deploy("contracts/EnclaveRegistry.sol", "EnclaveRegistry", [admin, verifier, DEFAULT_ENCLAVE_TTL_SECONDS]);
  const factory = await deploy("contracts/ForgeFactory.sol", "ForgeFactory", [admin, enclaveRegistry, splitter]);
  const ingot = await deploy("contracts/Ingot.sol", "Ingot", [factory, splitter]);
  await call("contracts/ForgeFactory.sol", "ForgeFactory", factory, "bindIngot", [ingot]);
  await call("contracts/RevenueSplitter.sol", "RevenueSplitter", splitter, "bindIngot", [ingot]);
  await call("contracts/EnclaveRegistry.sol", "EnclaveRegistry", enclaveRegistry, "setMeasurementAllowed", [SIMULATED_MEASUREMENT, true]);
  return { addresses: { factory, ingot, splitter, enclaveRegistry, verifier }, block: first ?? 0n };
}
