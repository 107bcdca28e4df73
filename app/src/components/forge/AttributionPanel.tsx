import type { ForgeView } from "../../chain/useForge.js";
import type { AttributionState } from "../../chain/useAttribution.js";
import { formatDelta } from "../../format/formatDelta.js";
import { formatShares } from "../../format/formatShares.js";
import { shortAddress } from "../../format/shortAddress.js";
import { formatAmount } from "../../format/formatAmount.js";
import { earnedByShares } from "../../model/earnedByShares.js";

const SUPPLY = 1_000_000_000n;

/** "Live attribution: marginal Δ per contribution": the counts before the eval, every contribution after. */
export function AttributionPanel({ view, attribution }: { view: ForgeView; attribution: AttributionState }) {
  return (
    <section className="card" aria-labelledby="attr-title">
      <h2 id="attr-title">Live attribution: marginal Δ per contribution</h2>
      {attribution.state === "before" ? (
        <>
          <p><strong>Eval has not yet run.</strong> {view.phase === "CLOSED" ? "The window is closed; the enclave is evaluating." : view.phase === "FAILED" ? "No result arrived in time; capital is refundable." : "It runs inside the enclave once the window closes."}</p>
          <dl className="facts counts" aria-label="Contributions per pool">
            <div><dt>Data</dt><dd>{String(view.counts.data)}</dd></div>
            <div><dt>Compute</dt><dd>{String(view.counts.compute)}</dd></div>
            <div><dt>Capital</dt><dd>{String(view.counts.capital)}</dd></div>
          </dl>
        </>
      ) : null}
      {attribution.state === "loading" ? <p role="status">Fetching the attribution record and checking it against its root on chain…</p> : null}
      {attribution.state === "error" ? <p role="alert">The attribution record could not be shown: {attribution.message}</p> : null}
      {attribution.state === "ready" ? (
        <>
          <p>
            Holdout perplexity {attribution.record.result.perplexityBefore.toFixed(3)} → {attribution.record.result.perplexityAfter.toFixed(3)} ({attribution.record.holdout.examples} examples).
            Record <code title={attribution.root}>{shortAddress(attribution.root, 10, 6)}</code> matches its root on chain ✓. Δ is the marginal change of holdout utility (nats per response token, higher is better), ± its 95 % interval; estimator {attribution.record.estimator.method}.
          </p>
          <div className="table-wrap">
            <table aria-label="Attribution per contribution">
              <thead>
                <tr><th scope="col">Data</th><th scope="col">Contributor</th><th scope="col">Examples</th><th scope="col">Marginal Δ</th><th scope="col">Shares</th><th scope="col">Earned so far</th><th scope="col">Notes</th></tr>
              </thead>
              <tbody>
                {attribution.rows.map((r) => (
                  <tr key={r.dataId}>
                    <td>#{r.dataId}</td>
                    <td><code title={r.contributor}>{shortAddress(r.contributor)}</code></td>
                    <td>{r.examples}</td>
                    <td className="num">{r.delta === undefined ? "–" : formatDelta(r.delta, r.stdError)}</td>
                    <td className="num">{formatShares(r.shares, SUPPLY)}</td>
                    <td className="num">{formatAmount(earnedByShares(r.shares, SUPPLY, attribution.paidNetEth))}</td>
                    <td className="note">{r.note ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
