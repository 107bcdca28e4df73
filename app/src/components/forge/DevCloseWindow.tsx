import { useState } from "react";
import { useAppConfig } from "../../config/AppConfigContext.js";

/**
 * A development control, on the local Hardhat node (chain 31337 with devAccounts) only: moves
 * the node's clock to the window's end and mines a block (evm_setNextBlockTimestamp, evm_mine),
 * so the coordinator the local stack runs evaluates the Forge now instead of when the window
 * would have closed. The clock is the node's, so every other Forge whose window ends by then closes
 * too, and the hint says so. Nothing like it exists on a real chain.
 */
export function DevCloseWindow({ windowEnd, now }: { windowEnd: bigint; now: bigint | undefined }) {
  const app = useAppConfig();
  const [state, setState] = useState<{ kind: "idle" | "working" | "done" } | { kind: "failed"; message: string }>({ kind: "idle" });
  if (app.chainId !== 31337 || !app.devAccounts) return null;
  const rpc = async (method: string, params: unknown[]) => {
    const res = await fetch(app.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const json = (await res.json()) as { error?: { message: string } };
    if (json.error) throw new Error(`${method}: ${json.error.message}`);
  };
  const close = async () => {
    setState({ kind: "working" });
    try {
      if (now === undefined || now < windowEnd) await rpc("evm_setNextBlockTimestamp", [Number(windowEnd)]);
      await rpc("evm_mine", []);
      setState({ kind: "done" });
    } catch (error) {
      setState({ kind: "failed", message: (error as Error).message });
    }
  };
  return (
    <div className="dev-control" aria-label="Development control">
      <button type="button" onClick={() => void close()} disabled={state.kind === "working"}>Close window (local node only)</button>
      <p className="hint">Dev control: moves the local Hardhat node's clock to the window's end, for every Forge on the node (any other window that ends by then closes too); the stack's coordinator then evaluates them. It does not exist on a real chain.</p>
      {state.kind === "done" ? <p role="status" aria-label="Close window status">Window closed on the local node; the coordinator evaluates the Forge next.</p> : null}
      {state.kind === "failed" ? <p role="alert">The local node refused: {state.message}</p> : null}
    </div>
  );
}
