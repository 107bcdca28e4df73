import { useCallback, useState } from "react";
import { useConfig } from "wagmi";
import { simulateContract, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import type { Abi, Address, Hex } from "viem";
import { errorToWords } from "../format/errorToWords.js";

/** Where a multi-step action (validate → store → sign → mine) stands, for the page to show. */
export type FlowState =
  | { status: "idle" }
  | { status: "working"; label: string }
  | { status: "signing"; label: string }
  | { status: "pending"; label: string; hash: Hex }
  | { status: "done"; label: string; hash?: Hex }
  | { status: "failed"; label: string; message: string };

export type ContractTx = { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint };

export interface FlowControls {
  /** Show a step of long work (sealing, upload) while `work` runs. */
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** Simulate (so a revert is decoded before signing), ask the wallet to sign, wait for the receipt. */
  tx(label: string, request: ContractTx): Promise<Hex>;
}

/**
 * One action's progress: each step's label, "confirm in your wallet" while a signature is
 * pending, the transaction hash while it is mined, and the failure in words (the contract's custom
 * error decoded from the ABI, a refused signature, the RPC down).
 */
export function useTxFlow(account: Address | undefined) {
  const config = useConfig();
  const [state, setState] = useState<FlowState>({ status: "idle" });
  const run = useCallback(
    async (doneLabel: string, body: (flow: FlowControls) => Promise<void>): Promise<boolean> => {
      let current = "Starting";
      const flow: FlowControls = {
        async step(label, work) {
          current = label;
          setState({ status: "working", label });
          return work();
        },
        async tx(label, request) {
          current = label;
          if (!account) throw new Error("Connect a wallet first.");
          setState({ status: "working", label: `${label}: checking` });
          const { request: prepared } = await simulateContract(config, { ...request, account } as never);
          setState({ status: "signing", label: `${label}: confirm in your wallet` });
          const hash = await writeContract(config, prepared as never);
          setState({ status: "pending", label: `${label}: pending`, hash });
          const receipt = await waitForTransactionReceipt(config, { hash });
          if (receipt.status !== "success") throw new Error(`${label} was mined but reverted (transaction ${hash}).`);
          setState({ status: "done", label: `${label}: confirmed`, hash });
          return hash;
        },
      };
      try {
        await body(flow);
        setState((s) => ({ status: "done", label: doneLabel, ...(s.status === "done" && s.hash ? { hash: s.hash } : {}) }));
        return true;
      } catch (error) {
        setState({ status: "failed", label: current, message: errorToWords(error) });
        return false;
      }
    },
    [config, account],
  );
  const reset = useCallback(() => setState({ status: "idle" }), []);
  return { state, run, reset };
}
