import type { ForgeEvent } from "../../chain/useForgeEvents.js";
import type { AssetInfo } from "../../chain/useAssetInfo.js";
import { describeForgeEvent } from "../../model/describeForgeEvent.js";
import { errorToWords } from "../../format/errorToWords.js";
import { shortAddress } from "../../format/shortAddress.js";

/** "On-chain activity": the Forge's events with their transaction hashes, newest first. */
export function ActivityList({ events, asset, error }: { events: readonly ForgeEvent[]; asset: AssetInfo; error: Error | null }) {
  return (
    <section className="card" aria-labelledby="activity-title">
      <h2 id="activity-title">On-chain activity</h2>
      {error ? <p role="alert">{errorToWords(error)}</p> : null}
      {events.length === 0 ? <p>No activity yet.</p> : null}
      <ol className="activity" aria-label="Forge activity, newest first">
        {events.map((e) => (
          <li key={`${e.transactionHash}-${e.logIndex}`}>
            <span>{describeForgeEvent(e.eventName, e.args as Record<string, unknown>, asset.symbol, asset.decimals)}</span>{" "}
            <small>block {String(e.blockNumber)} · tx <code title={e.transactionHash ?? ""}>{shortAddress(e.transactionHash ?? "", 10, 6)}</code></small>
          </li>
        ))}
      </ol>
    </section>
  );
}
