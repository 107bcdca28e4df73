import type { Address } from "viem";
import type { ForgeView } from "../../chain/useForge.js";
import type { AssetInfo } from "../../chain/useAssetInfo.js";
import { DataContributionForm } from "./DataContributionForm.js";
import { ComputeRegistrationForm } from "./ComputeRegistrationForm.js";
import { CapitalContributionForm } from "./CapitalContributionForm.js";

/** "Participate", shown while the Forge is OPEN: data, compute and capital, each with its bond and fees. */
export function Participate(p: { forge: Address; view: ForgeView; account: Address | undefined; asset: AssetInfo; chainId: number }) {
  return (
    <section className="card" aria-labelledby="participate-title">
      <h2 id="participate-title">Participate</h2>
      {!p.account ? <p className="hint">Connect a wallet to contribute.</p> : null}
      <DataContributionForm {...p} />
      <ComputeRegistrationForm {...p} />
      <CapitalContributionForm {...p} />
    </section>
  );
}
