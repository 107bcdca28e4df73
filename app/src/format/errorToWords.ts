import {
  BaseError,
  ChainMismatchError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  TimeoutError,
  UserRejectedRequestError,
} from "viem";
import { formatAmount } from "./formatAmount.js";
import { shortAddress } from "./shortAddress.js";

const PHASE_NAMES = ["PENDING", "OPEN", "CLOSED", "LIVE", "FAILED"] as const;
const POOL_NAMES = ["data", "compute", "capital"] as const;

type Args = readonly unknown[];
const phase = (v: unknown) => PHASE_NAMES[Number(v)] ?? String(v);
const pool = (v: unknown) => POOL_NAMES[Number(v)] ?? String(v);
const addr = (v: unknown) => shortAddress(String(v));
const eth = (v: unknown) => formatAmount(BigInt(v as bigint));

/** The contracts' custom errors, by name, in the words a contributor reads. */
const CUSTOM_ERRORS: Record<string, (a: Args) => string> = {
  ForgeWrongPhase: (a) => `This Forge is ${phase(a[1])}; this action needs it ${phase(a[2])}.`,
  ForgePoolFull: (a) => `The ${pool(a[0])} pool is full (${a[1]} contributions).`,
  ForgeFull: (a) => `This Forge already holds its maximum of ${a[0]} contributions.`,
  ForgeZeroDataRoot: () => "The data contribution has no content root; store the file first.",
  ForgeZeroDataSize: () => "The data contribution is empty (0 bytes).",
  ForgeZeroExampleCount: () => "The data contribution has no examples.",
  ForgeEmptyDataMetadata: () => "Describe the data (license, source) before contributing it.",
  ForgeDuplicateDataRoot: (a) => `${addr(a[0])} already contributed this exact sealed file to this Forge (data #${a[2]}); contribute new examples instead.`,
  ForgeZeroComputeSigner: () => "Give the worker's signer address.",
  ForgeZeroComputeKey: () => "Give the worker's Ed25519 public key.",
  ForgeZeroCapacity: () => "The worker's capacity must be at least 1.",
  ForgeDuplicateComputeSigner: (a) => `Signer ${addr(a[0])} is already registered as worker #${a[1]}.`,
  ForgeDuplicateComputeKey: (a) => `This Ed25519 key is already registered as worker #${a[1]}.`,
  ForgeZeroCapital: () => "The capital amount must be more than zero (after any transfer fee).",
  ForgeBadValue: (a) => `The ETH sent (${eth(a[0])}) differs from the amount (${eth(a[1])}).`,
  ForgeNothingToRefund: (a) => `${addr(a[0])} has no capital left to refund.`,
  ForgeEthTransferFailed: (a) => `Sending ${eth(a[1])} to ${addr(a[0])} failed; the receiving contract refused ETH.`,
  ForgeCapitalAlreadyReleased: () => "The capital was already released to the Ingot's holders.",
  ForgeNothingToRelease: () => "No capital is held (none was raised, or the token took it), so there is nothing to release.",
  ForgeNoShareClaims: () => "This Forge minted its shares directly; there is nothing to claim by proof.",
  ForgeSharesAlreadyClaimed: (a) => `These shares (leaf ${a[0]}) were already claimed.`,
  ForgeInvalidShareProof: () => "The share proof does not match this Forge's claim tree.",
  FactoryZeroCreator: () => "The Forge needs a creator address.",
  FactoryEmptyText: (a) => `The field "${a[0]}" must not be empty.`,
  FactoryZeroBaseModelRoot: () => "Give the base model's content root.",
  FactoryZeroHoldoutRoot: () => "Give the sealed holdout's content root.",
  FactoryZeroHoldoutExamples: () => "The holdout must have at least one example.",
  FactoryWindowNotOrdered: () => "The window must open before it closes, and close before the eval deadline.",
  FactoryWindowInPast: () => "The window's end is already in the past; pick a later end.",
  FactoryWindowTooShort: (a) => `The window would be open for ${a[0]} s; keep it open at least ${a[1]} s.`,
  FactoryWindowTooFarAhead: () => "The window ends too far ahead (at most 365 days from now); pick an earlier end.",
  FactoryEvalPeriodOutOfRange: (a) => `The eval period (deadline minus window end) is ${a[0]} s; pick one between ${a[1]} s and ${a[2]} s.`,
  FactorySplitSum: (a) => `The split must add up to 100 % (it adds up to ${Number(a[0]) / 100} %).`,
  FactoryAssetNotContract: (a) => `${addr(a[0])} is not a token contract on this chain.`,
  FactoryUnknownParent: (a) => `There is no Ingot #${a[0]} to fork.`,
  SplitterZeroPayment: () => "The payment must be more than zero.",
  SplitterBadValue: (a) => `The ETH sent (${eth(a[0])}) differs from the amount (${eth(a[1])}).`,
  SplitterUnknownIngot: (a) => `There is no Ingot #${a[0]}.`,
  SplitterAssetNotAccepted: () => "This Ingot does not accept payments in that asset.",
  ERC20InsufficientAllowance: (a) => `The token allowance (${a[1]}) is below the amount (${a[2]}); approve first.`,
  ERC20InsufficientBalance: (a) => `The token balance (${a[1]}) is below the amount (${a[2]}).`,
};

/**
 * Any error from a read, a simulation or a transaction, in words a person can act on: the
 * contract's custom error decoded from the ABI (by `ContractFunctionRevertedError`), a refused
 * signature, the wrong chain, missing funds, or an RPC that does not answer.
 */
export function errorToWords(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      if (name) {
        const words = CUSTOM_ERRORS[name];
        const args = reverted.data?.args ?? [];
        return words ? words(args) : `The contract refused with ${name}(${args.map(String).join(", ")}).`;
      }
      if (reverted.reason) return `The contract refused: ${reverted.reason}.`;
      return "The contract refused the call without saying why.";
    }
    if (error.walk((e) => e instanceof UserRejectedRequestError)) return "You refused the request in your wallet; nothing was sent.";
    if (error.walk((e) => e instanceof ChainMismatchError)) return "Your wallet is on another chain; switch to this app's chain and try again.";
    if (error.walk((e) => e instanceof InsufficientFundsError)) return "The account has too little ETH for this transaction and its gas.";
    if (error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError)) return "The chain's RPC endpoint does not answer; check your connection or the RPC URL in config.json, then retry.";
    return error.shortMessage || error.message;
  }
  if (error instanceof Error) {
    if ((error as { code?: unknown }).code === 4001) return "You refused the request in your wallet; nothing was sent.";
    if (error.name === "TypeError" && /fetch/i.test(error.message)) return "A service does not answer (network error); check that it runs and retry.";
    return error.message;
  }
  return String(error);
}
