import type { LocalAccount } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { CliError } from "./errors.js";
import type { GlobalOptions } from "./types.js";

/** The mnemonic every `hardhat node` derives its funded default accounts from. Public. */
export const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";
export const DEVELOPMENT_CHAIN_ID = 31337;

/**
 * The sending account. The test mnemonic's keys are public, so they are refused on any chain but
 * a local Hardhat one: there they would only lose funds to whoever watches those addresses.
 */
export function resolveAccount(account: GlobalOptions["account"], chainId: number): LocalAccount {
  if (account.kind === "privateKey") return privateKeyToAccount(account.privateKey);
  if (chainId !== DEVELOPMENT_CHAIN_ID) {
    throw new CliError(
      `Chain ${chainId} is not a local Hardhat chain (31337), and the test mnemonic's accounts are public. ` +
        "Pass --private-key or set INGOTFORGE_PRIVATE_KEY.",
    );
  }
  return mnemonicToAccount(HARDHAT_TEST_MNEMONIC, { addressIndex: account.index });
}
