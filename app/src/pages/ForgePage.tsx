import { useConnection } from "wagmi";
import { zeroAddress, type Address } from "viem";
import { useAppConfig } from "../config/AppConfigContext.js";
import { useChainNow } from "../chain/useChainNow.js";
import { useForge } from "../chain/useForge.js";
import { useForgeEvents } from "../chain/useForgeEvents.js";
import { useAssetInfo } from "../chain/useAssetInfo.js";
import { useAttribution } from "../chain/useAttribution.js";
import { parseForgeMetadata } from "../model/parseForgeMetadata.js";
import { formatWindowState } from "../format/formatWindowState.js";
import { errorToWords } from "../format/errorToWords.js";
import { shortAddress } from "../format/shortAddress.js";
import { PhaseBadge } from "../components/PhaseBadge.js";
import { AddressText } from "../components/AddressText.js";
import { Link } from "../components/Link.js";
import { AboutForge } from "../components/forge/AboutForge.js";
import { Participate } from "../components/forge/Participate.js";
import { NextSteps } from "../components/forge/NextSteps.js";
import { Earnings } from "../components/forge/Earnings.js";
import { AttributionPanel } from "../components/forge/AttributionPanel.js";
import { AttestationPanel } from "../components/forge/AttestationPanel.js";
import { ActivityList } from "../components/forge/ActivityList.js";

/** `/forge/<address>`: one Forge, everything a contributor needs, live from the chain. */
export function ForgePage({ forge }: { forge: Address }) {
  const app = useAppConfig();
  const { blockNumber, now } = useChainNow();
  const view = useForge(forge);
  const events = useForgeEvents(forge, blockNumber);
  const connection = useConnection();
  const account = connection.status === "connected" ? connection.address : undefined;
  const asset = useAssetInfo(view.status === "success" ? view.config.capitalAsset : zeroAddress);
  const attribution = useAttribution(view.status === "success" ? view : undefined, events.data);

  if (view.status !== "success") {
    return view.status === "error" ? (
      <p role="alert" className="banner banner-error">Cannot read Forge {forge}: {errorToWords(view.error)} <Link href="/">All Forges</Link></p>
    ) : (
      <p role="status">Reading Forge {shortAddress(forge)}…</p>
    );
  }
  const meta = parseForgeMetadata(view.config.metadataURI, `Forge ${shortAddress(forge)}`);
  const total = view.counts.data + view.counts.compute + view.counts.capital;
  return (
    <article className="forge" aria-labelledby="forge-title">
      <section className="card header-card" aria-label="Forge summary">
        <h1 id="forge-title">{meta.title}</h1>
        <div className="meta-row">
          <PhaseBadge phase={view.phase} />
          {attribution.verified ? <span className="verified" aria-label="Content-verified">Content-verified ✓</span> : null}
          <AddressText value={forge} label="Forge address" />
        </div>
        <dl className="facts">
          <div><dt>Creator</dt><dd><AddressText value={view.config.creator} label="creator address" /></dd></div>
          <div><dt>Window</dt><dd>{now === undefined ? "…" : formatWindowState(now, view.config.windowStart, view.config.windowEnd)}</dd></div>
          <div><dt>Contributions</dt><dd aria-label="Number of contributions">{String(total)}</dd></div>
          {view.ingotId > 0n ? <div><dt>Ingot</dt><dd><Link href={`/ingot/${view.ingotId}`}>Ingot #{String(view.ingotId)}</Link></dd></div> : null}
        </dl>
      </section>
      {attribution.state === "ready" ? <AttributionPanel view={view} attribution={attribution} /> : null}
      <div className="columns">
        <div className="column">
          <AboutForge config={view.config} meta={meta} />
          {view.phase === "OPEN" ? <Participate forge={forge} view={view} account={account} asset={asset} chainId={app.chainId} /> : null}
          <NextSteps phase={view.phase} />
          <Earnings forge={forge} view={view} account={account} asset={asset} events={events.data ?? []} />
        </div>
        <div className="column">
          {attribution.state !== "ready" ? <AttributionPanel view={view} attribution={attribution} /> : null}
          <AttestationPanel view={view} events={events.data ?? []} />
          <ActivityList events={events.data ?? []} asset={asset} error={events.error} />
        </div>
      </div>
    </article>
  );
}
