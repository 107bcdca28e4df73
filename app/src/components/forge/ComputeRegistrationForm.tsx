import { useState } from "react";
import { isAddress, isHex, type Address } from "viem";
import { forgeAbi } from "../../abi/protocolAbis.generated.js";
import type { ForgeView } from "../../chain/useForge.js";
import { useTxFlow } from "../../chain/useTxFlow.js";
import { computeBondOf } from "../../contribute/dataBondOf.js";
import { formatAmount } from "../../format/formatAmount.js";
import { FlowStatus } from "../FlowStatus.js";

/**
 * Compute: register a worker's signer and Ed25519 key. THE COMPUTE SEAM (issue 23): the
 * registration will carry two proof-of-possession signatures (made by the worker CLI, pasted here)
 * and the compute bond as value; both go into the `args`/`value` of the one transaction below.
 */
export function ComputeRegistrationForm({ forge, view, account }: { forge: Address; view: ForgeView; account: Address | undefined }) {
  const [signer, setSigner] = useState("");
  const [key, setKey] = useState("");
  const [capacity, setCapacity] = useState("1");
  const flow = useTxFlow(account);
  const bond = computeBondOf(view.config);
  const problems = [
    signer && !isAddress(signer) ? "The signer must be an 0x address." : "",
    key && !(isHex(key) && key.length === 66) ? "The Ed25519 public key must be 0x and 64 hex digits." : "",
    capacity && !/^[1-9]\d{0,8}$/.test(capacity) ? "Capacity is a whole number of at least 1." : "",
  ].filter(Boolean);
  const ready = account !== undefined && isAddress(signer) && isHex(key) && key.length === 66 && problems.length === 0;
  return (
    <form
      className="sub-card"
      aria-labelledby="compute-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        void flow.run("Worker registered", async (f) => {
          await f.tx("Registering the worker", { address: forge, abi: forgeAbi, functionName: "registerCompute", args: [signer as Address, key as `0x${string}`, Number(capacity)], ...(bond > 0n ? { value: bond } : {}) });
        });
      }}
    >
      <h3 id="compute-title">Compute</h3>
      <p className="hint">Run `npm run worker` to make a worker key, then register it here.</p>
      <label>Worker signer address<input type="text" value={signer} onChange={(e) => setSigner(e.target.value.trim())} placeholder="0x…" /></label>
      <label>Worker Ed25519 public key<input type="text" value={key} onChange={(e) => setKey(e.target.value.trim())} placeholder="0x… (64 hex digits)" /></label>
      <label>Capacity (parallel jobs)<input type="number" min={1} value={capacity} onChange={(e) => setCapacity(e.target.value)} /></label>
      {problems.length ? <ul role="alert" aria-label="Worker form problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
      <p className="fees" aria-label="Compute bond and fees">Bond: {bond > 0n ? formatAmount(bond) : "none on this Forge"} · Fees: gas only</p>
      <button type="submit" disabled={!ready}>Register worker</button>
      <FlowStatus state={flow.state} name="Worker registration" />
    </form>
  );
}
