import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { SIMULATED_PLATFORM_ADDRESS } from "../../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { DEFAULT_ENCLAVE_TTL_SECONDS } from "../../../ignition/modules/buildProtocol.js";
import type { ProtocolAddresses } from "../../../coordinator/src/chain/types.js";

async function artifact(root: string, source: string, name: string): Promise<{ abi: Abi; bytecode: Hex }> {
  return JSON.parse(await readFile(path.join(root, "artifacts", source, `${name}.json`), "utf8")) as { abi: Abi; bytecode: Hex };
}

/**
 * The development protocol (as ignition/modules/Protocol.ts wires it) deployed with plain viem
 * transactions to a node reached over RPC: Ignition would record the deployment in the shared
 * ignition/deployments folder, which a test against a throw-away node must not touch.
 */
export async function deployProtocolOverRpc(root: string, publicClient: PublicClient, wallet: WalletClient<Transport, Chain, Account>): Promise<ProtocolAddresses> {
  const admin = wallet.account.address;
  const deploy = async (source: string, name: string, args: unknown[]): Promise<Address> => {
    const { abi, bytecode } = await artifact(root, source, name);
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`);
    return receipt.contractAddress;
  };
  const call = async (source: string, name: string, address: Address, functionName: string, args: unknown[]) => {
    const { abi } = await artifact(root, source, name);
    const hash = await wallet.writeContract({ address, abi, functionName, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
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
  return { factory, ingot, splitter, enclaveRegistry, verifier };
}
