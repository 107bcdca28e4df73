import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { SETTLER_ROLE, TRUSTED_PAYER_ROLE } from "../../ignition/modules/Gateway.js";

/** One day, as ignition/modules/Gateway.ts. */
const WITHDRAWAL_DELAY_SECONDS = 86_400n;

/**
 * GatewayDeposits and ProofKeyRegistry as ignition/modules/Gateway.ts and ProofKeyRegistry.ts
 * wire them (SETTLER_ROLE to `settler`, the splitter's TRUSTED_PAYER_ROLE to the deposits; the
 * registry over the protocol's quote verifier, administered by `wallet`), sent as plain
 * transactions for the same reason as deployDevProtocol (scripts/lib).
 */
export async function deployAppGateway(p: { root: string; publicClient: PublicClient; wallet: WalletClient<Transport, Chain, Account>; splitter: Address; verifier: Address; settler: Address }): Promise<{ deposits: Address; proofKeyRegistry: Address }> {
  const artifact = async (source: string, name: string) => JSON.parse(await readFile(path.join(p.root, "artifacts", source, `${name}.json`), "utf8")) as { abi: Abi; bytecode: Hex };
  const admin = p.wallet.account.address;
  const deploy = async (source: string, name: string, args: unknown[]): Promise<Address> => {
    const { abi, bytecode } = await artifact(source, name);
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash: await p.wallet.deployContract({ abi, bytecode, args }) });
    if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`);
    return receipt.contractAddress;
  };
  const call = async (source: string, name: string, address: Address, functionName: string, args: unknown[]) => {
    const { abi } = await artifact(source, name);
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash: await p.wallet.writeContract({ address, abi, functionName, args }) });
    if (receipt.status !== "success") throw new Error(`${name}.${functionName} reverted`);
  };
  const deposits = await deploy("contracts/GatewayDeposits.sol", "GatewayDeposits", [p.splitter, admin, WITHDRAWAL_DELAY_SECONDS]);
  await call("contracts/GatewayDeposits.sol", "GatewayDeposits", deposits, "grantRole", [SETTLER_ROLE, p.settler]);
  await call("contracts/RevenueSplitter.sol", "RevenueSplitter", p.splitter, "grantRole", [TRUSTED_PAYER_ROLE, deposits]);
  const proofKeyRegistry = await deploy("contracts/ProofKeyRegistry.sol", "ProofKeyRegistry", [admin, p.verifier]);
  return { deposits, proofKeyRegistry };
}
