import { BaseError, ContractFunctionRevertedError, type Abi, type Address, type Hash, type TransactionReceipt } from "viem";
import { ChainError } from "./errors.js";
import type { ProtocolContext } from "./types.js";

export type SendAndWaitParameters = {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
};

export type SendAndWaitReturnType = { hash: Hash; receipt: TransactionReceipt };

/**
 * Simulate, send, wait for the receipt. Simulating first turns a revert into a ChainError that
 * names the contract's custom error and its arguments instead of a bare "execution reverted".
 */
export async function sendAndWait(ctx: ProtocolContext, p: SendAndWaitParameters): Promise<SendAndWaitReturnType> {
  try {
    const { request } = await ctx.publicClient.simulateContract({
      account: ctx.walletClient.account,
      address: p.address,
      abi: p.abi,
      functionName: p.functionName,
      args: p.args ?? [],
      value: p.value,
    });
    const hash = await ctx.walletClient.writeContract(request as never);
    const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new ChainError(`${p.functionName} reverted in transaction ${hash}`);
    return { hash, receipt };
  } catch (error) {
    throw describeRevert(p.functionName, error);
  }
}

function describeRevert(functionName: string, error: unknown): Error {
  if (error instanceof ChainError) return error;
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName) {
      const args = (revert.data.args ?? []).map((a) => String(a)).join(", ");
      return new ChainError(`${functionName} reverted: ${revert.data.errorName}(${args})`, { cause: error });
    }
    return new ChainError(`${functionName} failed: ${error.shortMessage}`, { cause: error });
  }
  return new ChainError(`${functionName} failed: ${String(error)}`, { cause: error });
}
