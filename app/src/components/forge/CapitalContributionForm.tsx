import { useState } from "react";
import { useReadContract } from "wagmi";
import { erc20Abi, type Address } from "viem";
import { forgeAbi } from "../../abi/protocolAbis.generated.js";
import type { ForgeView } from "../../chain/useForge.js";
import type { AssetInfo } from "../../chain/useAssetInfo.js";
import { useTxFlow } from "../../chain/useTxFlow.js";
import { parseAmount, AmountInputError } from "../../format/parseAmount.js";
import { formatAmount } from "../../format/formatAmount.js";
import { FlowStatus } from "../FlowStatus.js";

/** Capital: ETH sent with the call, or an ERC-20 after an exact approve (shown as its own step). */
export function CapitalContributionForm({ forge, account, asset }: { forge: Address; view: ForgeView; account: Address | undefined; asset: AssetInfo }) {
  const [text, setText] = useState("");
  const flow = useTxFlow(account);
  const allowance = useReadContract({ address: asset.address, abi: erc20Abi, functionName: "allowance", args: [account ?? forge, forge], query: { enabled: !asset.isEth && account !== undefined } });
  let amount: bigint | undefined;
  let problem = "";
  if (text.trim()) {
    try {
      amount = parseAmount(text, asset.decimals);
    } catch (e) {
      problem = e instanceof AmountInputError ? e.message : String(e);
    }
  }
  const needsApprove = !asset.isEth && amount !== undefined && (allowance.data ?? 0n) < amount;
  return (
    <form
      className="sub-card"
      aria-labelledby="capital-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (amount === undefined || !account) return;
        const value = amount;
        void flow.run(`${formatAmount(value, asset)} contributed`, async (f) => {
          if (needsApprove) await f.tx(`Approving ${formatAmount(value, asset)}`, { address: asset.address, abi: erc20Abi, functionName: "approve", args: [forge, value] });
          await f.tx("Contributing capital", { address: forge, abi: forgeAbi, functionName: "contributeCapital", args: [value], ...(asset.isEth ? { value } : {}) });
          if (!asset.isEth) await allowance.refetch();
        }).then((ok) => ok && setText(""));
      }}
    >
      <h3 id="capital-title">Capital</h3>
      <p className="hint">Escrowed in the Forge. If the Forge goes LIVE it becomes the Ingot's first revenue; if it FAILS it is refunded in full.</p>
      <label>
        Capital amount ({asset.symbol})
        <input type="text" inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} placeholder="0.5" />
      </label>
      {problem ? <p role="alert">{problem}</p> : null}
      <p className="fees" aria-label="Capital fees">{asset.isEth ? "Sent with the transaction" : `Two steps: approve ${asset.symbol}, then contribute`} · Bond: none · Fees: gas only</p>
      <button type="submit" disabled={amount === undefined || !account}>{needsApprove ? `Approve and contribute ${asset.symbol}` : `Contribute ${asset.symbol}`}</button>
      <FlowStatus state={flow.state} name="Capital contribution" />
    </form>
  );
}
