import { keepPreviousData } from "@tanstack/react-query";
import { useReadContract, useReadContracts } from "wagmi";
import { useChainNow } from "../../chain/useChainNow.js";
import type { Address } from "viem";
import { forgeAbi, ingotAbi, revenueSplitterAbi } from "../../abi/protocolAbis.generated.js";
import { useAppConfig } from "../../config/AppConfigContext.js";
import type { ForgeView } from "../../chain/useForge.js";
import type { ForgeEvent } from "../../chain/useForgeEvents.js";
import type { AssetInfo } from "../../chain/useAssetInfo.js";
import { formatAmount } from "../../format/formatAmount.js";
import { formatShares } from "../../format/formatShares.js";
import { Link } from "../Link.js";

/** "What you earn": the connected account's position in each pool, its shares once LIVE and what it can claim. */
export function Earnings({ forge, view, account, asset, events }: { forge: Address; view: ForgeView; account: Address | undefined; asset: AssetInfo; events: readonly ForgeEvent[] }) {
  const { addresses } = useAppConfig();
  const { blockNumber } = useChainNow();
  const capital = useReadContract({ address: forge, abi: forgeAbi, functionName: "capitalOf", args: [account ?? forge], query: { enabled: account !== undefined } });
  const live = view.ingotId > 0n && account !== undefined;
  const holding = useReadContracts({
    contracts: [
      { address: addresses.ingot, abi: ingotAbi, functionName: "balanceOf", args: [account ?? forge, view.ingotId] },
      { address: addresses.ingot, abi: ingotAbi, functionName: "SHARE_SUPPLY" },
      { address: addresses.splitter, abi: revenueSplitterAbi, functionName: "claimable", args: [view.ingotId, asset.address, account ?? forge] },
    ],
    allowFailure: false,
    scopeKey: `block-${blockNumber}`,
    query: { enabled: live, placeholderData: keepPreviousData },
  });
  if (!account) {
    return (
      <section className="card" aria-labelledby="earn-title">
        <h2 id="earn-title">What you earn</h2>
        <p>Connect a wallet to see your position. Data earns {view.config.split.dataBps / 100} % of the shares by measured marginal value, compute {view.config.split.computeBps / 100} % by verified work, capital {view.config.split.capitalBps / 100} % pro rata to the amount.</p>
      </section>
    );
  }
  const mine = (name: string, key: string) => events.filter((e) => e.eventName === name && String((e.args as Record<string, unknown>)[key]).toLowerCase() === account.toLowerCase()).length;
  return (
    <section className="card" aria-labelledby="earn-title">
      <h2 id="earn-title">What you earn</h2>
      <dl className="facts" aria-label="Your position">
        <div><dt>Your data contributions</dt><dd>{mine("DataContributed", "contributor")}</dd></div>
        <div><dt>Your workers</dt><dd>{mine("ComputeRegistered", "worker")}</dd></div>
        <div><dt>Your capital</dt><dd aria-label="Your capital">{capital.data === undefined ? "…" : formatAmount(capital.data, asset)}</dd></div>
        {live && holding.data ? (
          <>
            <div><dt>Your shares</dt><dd aria-label="Your shares">{formatShares(holding.data[0], holding.data[1])} ({holding.data[0].toLocaleString("en")} of {holding.data[1].toLocaleString("en")})</dd></div>
            <div><dt>Claimable now</dt><dd>{formatAmount(holding.data[2], asset)} · <Link href={`/ingot/${view.ingotId}`}>claim on the Ingot page</Link></dd></div>
          </>
        ) : null}
      </dl>
    </section>
  );
}
