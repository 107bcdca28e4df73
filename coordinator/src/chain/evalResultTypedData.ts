import type { Address } from "viem";
import type { EvalResult } from "./types.js";

/** EIP-712 types of IForge.EvalResult, field for field (the contract pins the same string). */
export const EVAL_RESULT_TYPES = {
  EvalResult: [
    { name: "forge", type: "address" },
    { name: "holdoutRoot", type: "bytes32" },
    { name: "baseModelRoot", type: "bytes32" },
    { name: "adapterRoot", type: "bytes32" },
    { name: "metricBefore", type: "int256" },
    { name: "metricAfter", type: "int256" },
    { name: "dataIds", type: "uint256[]" },
    { name: "dataScores", type: "int256[]" },
    { name: "computeIds", type: "uint256[]" },
    { name: "computeWork", type: "uint256[]" },
    { name: "excludedData", type: "uint256[]" },
    { name: "excludedCompute", type: "uint256[]" },
    { name: "attributionLogRoot", type: "bytes32" },
    { name: "evalConfigHash", type: "bytes32" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The typed data an enclave signs for `result` on `chainId` (domain: IngotForge v1, the Forge). */
export function evalResultTypedData(chainId: number, result: EvalResult) {
  return {
    domain: { name: "IngotForge", version: "1", chainId, verifyingContract: result.forge as Address },
    types: EVAL_RESULT_TYPES,
    primaryType: "EvalResult" as const,
    message: result,
  };
}
