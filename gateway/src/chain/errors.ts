import { BaseError, ContractFunctionRevertedError, type Address } from "viem";

/** What the contract said when it refused a call: its custom error's name and arguments. */
export interface ContractRevert {
  errorName: string;
  args: readonly unknown[];
}

/**
 * A chain step of the gateway failed. `retryable` says whether trying the same step again may
 * succeed (the RPC was unreachable, timed out, or the transaction was dropped or reverted after
 * a successful simulation) or not (the contract refused it: `revert` names its custom error).
 */
export class GatewayChainError extends Error {
  override name = "GatewayChainError";
  readonly retryable: boolean;
  readonly revert?: ContractRevert;

  constructor(message: string, details: { retryable: boolean; revert?: ContractRevert }, options?: { cause?: unknown }) {
    super(message, options);
    this.retryable = details.retryable;
    this.revert = details.revert;
  }
}

/** The custom error a viem error carries, if the contract reverted with one. */
export function contractRevertOf(error: unknown): ContractRevert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName) {
    return { errorName: revert.data.errorName, args: revert.data.args ?? [] };
  }
  return undefined;
}

/** What GatewayDeposits' `InsufficientDeposit(payer, asset, balance, amount)` revert says. */
export interface InsufficientDeposit {
  payer: Address;
  asset: Address;
  /** The payer's balance when the contract refused. */
  balance: bigint;
  /** What the call needed from it. */
  amount: bigint;
}

/** The shortfall a refused settlement or withdrawal request names, if `error` is GatewayDeposits' `InsufficientDeposit`. */
export function insufficientDepositOf(error: unknown): InsufficientDeposit | undefined {
  if (!(error instanceof GatewayChainError) || error.retryable || error.revert?.errorName !== "InsufficientDeposit") return undefined;
  const [payer, asset, balance, amount] = error.revert.args as [Address, Address, bigint, bigint];
  return { payer, asset, balance, amount };
}

/**
 * Wraps any failure of `step` as a GatewayChainError: a contract revert is not retryable and
 * names the error and its arguments; anything else (transport, timeout) is retryable.
 */
export function toGatewayChainError(step: string, error: unknown): GatewayChainError {
  if (error instanceof GatewayChainError) return error;
  const revert = contractRevertOf(error);
  if (revert) {
    const args = revert.args.map((a) => String(a)).join(", ");
    return new GatewayChainError(`${step} reverted: ${revert.errorName}(${args})`, { retryable: false, revert }, { cause: error });
  }
  if (error instanceof ContractFunctionRevertedError || (error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionRevertedError))) {
    return new GatewayChainError(`${step} reverted: ${error.shortMessage}`, { retryable: false }, { cause: error });
  }
  const detail = error instanceof BaseError ? error.shortMessage : String(error);
  return new GatewayChainError(`${step} failed: ${detail}; retry when the RPC node is reachable.`, { retryable: true }, { cause: error });
}
