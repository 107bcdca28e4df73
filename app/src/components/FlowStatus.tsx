import type { FlowState } from "../chain/useTxFlow.js";
import { shortAddress } from "../format/shortAddress.js";

/** A flow's state, announced to screen readers (role=status; alert when it failed). */
export function FlowStatus({ state, name }: { state: FlowState; name: string }) {
  if (state.status === "idle") return null;
  if (state.status === "failed") {
    return (
      <p role="alert" aria-label={`${name} failed`} className="flow flow-failed">
        {state.label} failed: {state.message}
      </p>
    );
  }
  return (
    <p role="status" aria-label={`${name} status`} className={`flow flow-${state.status}`}>
      {state.status === "done" ? "✓ " : "… "}
      {state.label}
      {"hash" in state && state.hash ? <> · tx <code title={state.hash}>{shortAddress(state.hash, 10, 6)}</code></> : null}
    </p>
  );
}
