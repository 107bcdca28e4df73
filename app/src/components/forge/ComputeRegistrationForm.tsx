import { useState } from "react";
import { isAddress, isHex, type Address } from "viem";
import { forgeAbi } from "../../abi/protocolAbis.generated.js";
import type { ForgeView } from "../../chain/useForge.js";
import { useTxFlow } from "../../chain/useTxFlow.js";
import { computeBondOf } from "../../contribute/dataBondOf.js";
import { formatAmount } from "../../format/formatAmount.js";
import { FlowStatus } from "../FlowStatus.js";
import { COMPUTE_TAKES_PROOFS as registerComputeTakesProofs } from "../../abi/protocolShape.js";

/**
 * Compute: register a worker's signer and Ed25519 key. THE COMPUTE SEAM (issue 23): when the
 * contracts' registerCompute takes the two proof-of-possession signatures (read from the ABI), the
 * form asks for them (made by the worker CLI, pasted here) and passes them as the last two
 * arguments; the compute bond (`computeBondOf`) goes as value.
 */
export function ComputeRegistrationForm({ forge, view, account }: { forge: Address; view: ForgeView; account: Address | undefined }) {
  const [signer, setSigner] = useState("");
  const [key, setKey] = useState("");
  const [capacity, setCapacity] = useState("1");
  const [signerProof, setSignerProof] = useState("");
  const [keyProof, setKeyProof] = useState("");
  const flow = useTxFlow(account);
  const bond = computeBondOf(view.config);
  const problems = [
    signer && !isAddress(signer) ? "The signer must be an 0x address." : "",
    key && !(isHex(key) && key.length === 66) ? "The Ed25519 public key must be 0x and 64 hex digits." : "",
    capacity && !/^[1-9]\d{0,8}$/.test(capacity) ? "Capacity is a whole number of at least 1." : "",
    registerComputeTakesProofs && signerProof && !isHex(signerProof) ? "The signer's proof is a 0x hex signature." : "",
    registerComputeTakesProofs && keyProof && !(isHex(keyProof) && keyProof.length === 130) ? "The Ed25519 proof is 0x and 128 hex digits." : "",
  ].filter(Boolean);
  const ready = account !== undefined && isAddress(signer) && isHex(key) && key.length === 66 && problems.length === 0 && (!registerComputeTakesProofs || keyProof !== "");
  // Contracts with proof of possession take (signer, key, capacity, signerSignature, ed25519Signature);
  // an empty signer signature means the sender is the signer.
  const args = registerComputeTakesProofs
    ? [signer, key, Number(capacity), (signerProof || "0x") as `0x${string}`, keyProof as `0x${string}`]
    : [signer, key, Number(capacity)];
  return (
    <form
      className="sub-card"
      aria-labelledby="compute-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        void flow.run("Worker registered", async (f) => {
          await f.tx("Registering the worker", { address: forge, abi: forgeAbi, functionName: "registerCompute", args: args as never, ...(bond > 0n ? { value: bond } : {}) });
        });
      }}
    >
      <h3 id="compute-title">Compute</h3>
      <p className="hint">Run `npm run worker` to make a worker key, then register it here.</p>
      <label>Worker signer address<input type="text" value={signer} onChange={(e) => setSigner(e.target.value.trim())} placeholder="0x…" /></label>
      <label>Worker Ed25519 public key<input type="text" value={key} onChange={(e) => setKey(e.target.value.trim())} placeholder="0x… (64 hex digits)" /></label>
      <label>Capacity (parallel jobs)<input type="number" min={1} value={capacity} onChange={(e) => setCapacity(e.target.value)} /></label>
      {registerComputeTakesProofs ? (
        <>
          <label>Signer's proof of possession (EIP-712 signature; empty if you are the signer)<input type="text" value={signerProof} onChange={(e) => setSignerProof(e.target.value.trim())} placeholder="0x…" /></label>
          <label>Ed25519 proof of possession (signature)<input type="text" value={keyProof} onChange={(e) => setKeyProof(e.target.value.trim())} placeholder="0x… (128 hex digits)" /></label>
        </>
      ) : null}
      {problems.length ? <ul role="alert" aria-label="Worker form problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
      <p className="fees" aria-label="Compute bond and fees">Bond: {bond > 0n ? formatAmount(bond) : "none on this Forge"} · Fees: gas only</p>
      <button type="submit" disabled={!ready}>Register worker</button>
      <FlowStatus state={flow.state} name="Worker registration" />
    </form>
  );
}
