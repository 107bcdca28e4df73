import { useState } from "react";
import { usePublicClient } from "wagmi";
import { findForgeEnclaveKey } from "../../chain/findForgeEnclaveKey.js";
import type { Address } from "viem";
import { forgeAbi } from "../../abi/protocolAbis.generated.js";
import { useAppConfig } from "../../config/AppConfigContext.js";
import type { ForgeView } from "../../chain/useForge.js";
import { useTxFlow } from "../../chain/useTxFlow.js";
import { validateDataFile, describeLineError, type ValidateDataFileReturnType } from "../../contribute/validateDataFile.js";
import { runDataContribution } from "../../contribute/runDataContribution.js";
import { dataBondOf } from "../../contribute/dataBondOf.js";
import { formatAmount } from "../../format/formatAmount.js";
import { FlowStatus } from "../FlowStatus.js";

/** Data: pick a JSONL file → validated here (every bad line listed) → sealed → stored → contributed. */
export function DataContributionForm({ forge, view, account, chainId }: { forge: Address; view: ForgeView; account: Address | undefined; chainId: number }) {
  const { store, addresses, fromBlock } = useAppConfig();
  const client = usePublicClient();
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array; check: ValidateDataFileReturnType } | null>(null);
  const [metadata, setMetadata] = useState("license: CC-BY-4.0; ");
  const flow = useTxFlow(account);
  const bond = dataBondOf(view.config);
  const ready = file?.check.ok === true && account !== undefined && metadata.trim() !== "";

  return (
    <form
      className="sub-card"
      aria-labelledby="data-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!file || !ready) return;
        void flow.run("Data contributed", async (f) => {
          await runDataContribution(
            {
              step: f.step,
              enclaveKey: () => findForgeEnclaveKey(client!, addresses.enclaveRegistry, view.config.allowedMeasurements, fromBlock),
              store: (bytes) => store.put(bytes),
              contribute: (a) => f.tx("Contributing the data", { address: forge, abi: forgeAbi, functionName: "contributeData", args: [a.root, a.sizeBytes, a.exampleCount, a.metadataURI], ...(a.bond > 0n ? { value: a.bond } : {}) }),
            },
            { file: file.bytes, forge, chainId, sender: account!, metadataURI: metadata.trim(), bond },
          );
        }).then((ok) => ok && setFile(null));
      }}
    >
      <h3 id="data-title">Data</h3>
      <p className="hint">A JSONL file, one {"{"}"id", "prompt", "response"{"}"} object per line. It is checked here with the project's own schema, then sealed in this browser to the Forge's enclave (bound to your address: nobody else can read it or claim it), stored and contributed.</p>
      <label>
        Data file (JSONL)
        <input
          type="file"
          accept=".jsonl,.json,.txt,application/jsonl"
          onChange={async (e) => {
            flow.reset();
            const picked = e.target.files?.[0];
            if (!picked) return setFile(null);
            const bytes = new Uint8Array(await picked.arrayBuffer());
            setFile({ name: picked.name, bytes, check: validateDataFile(bytes) });
          }}
        />
      </label>
      {file && !file.check.ok ? (
        <div role="alert" aria-label="File refused">
          <p>{file.name} was refused: {file.check.errors.length} line{file.check.errors.length > 1 ? "s" : ""} to fix ({file.check.exampleCount} good). Nothing was stored or sent.</p>
          <ul aria-label="Refused lines" className="refused-lines">
            {file.check.errors.map((err) => <li key={`${err.line}-${err.code}`}>{describeLineError(err)}</li>)}
          </ul>
        </div>
      ) : null}
      {file?.check.ok ? <p role="status" aria-label="File checked">{file.name}: {file.check.exampleCount} examples, {file.check.sizeBytes.toLocaleString("en")} bytes, all lines valid.</p> : null}
      <label>
        License and description
        <input type="text" value={metadata} onChange={(e) => setMetadata(e.target.value)} />
      </label>
      <p className="fees" aria-label="Data bond and fees">Bond: {bond > 0n ? `${formatAmount(bond)} (refunded when the contribution is included)` : "none on this Forge"} · Fees: gas only</p>
      <button type="submit" disabled={!ready || flow.state.status === "working" || flow.state.status === "signing" || flow.state.status === "pending"}>
        Seal, store and contribute
      </button>
      <FlowStatus state={flow.state} name="Data contribution" />
    </form>
  );
}
