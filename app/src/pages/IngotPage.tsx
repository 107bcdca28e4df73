import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useConnection, usePublicClient, useReadContract, useReadContracts } from "wagmi";
import { zeroAddress, type Address } from "viem";
import { ingotAbi, revenueSplitterAbi } from "../abi/protocolAbis.generated.js";
import { useAppConfig } from "../config/AppConfigContext.js";
import { useChainNow } from "../chain/useChainNow.js";
import { useTxFlow } from "../chain/useTxFlow.js";
import { parseForgeMetadata } from "../model/parseForgeMetadata.js";
import { formatAmount } from "../format/formatAmount.js";
import { formatShares } from "../format/formatShares.js";
import { parseAmount, AmountInputError } from "../format/parseAmount.js";
import { errorToWords } from "../format/errorToWords.js";
import { shortAddress } from "../format/shortAddress.js";
import { Link } from "../components/Link.js";
import { AddressText } from "../components/AddressText.js";
import { FlowStatus } from "../components/FlowStatus.js";

const fixed18 = (v: bigint) => (Number(v) / 1e18).toFixed(3);

/** `/ingot/<id>`: model card, lineage, holders, revenue per asset, Claim, Pay and Fork. */
export function IngotPage({ id }: { id: bigint }) {
  const { addresses, fromBlock } = useAppConfig();
  const client = usePublicClient();
  const { blockNumber } = useChainNow();
  const connection = useConnection();
  const account = connection.status === "connected" ? connection.address : undefined;
  const info = useReadContract({ address: addresses.ingot, abi: ingotAbi, functionName: "info", args: [id] });
  const parent = useReadContract({ address: addresses.ingot, abi: ingotAbi, functionName: "info", args: [info.data?.parentId ?? 0n], query: { enabled: (info.data?.parentId ?? 0n) > 0n } });
  const assets = useReadContract({ address: addresses.splitter, abi: revenueSplitterAbi, functionName: "assetsOf", args: [id] });
  const assetList = (assets.data ?? [zeroAddress]) as readonly Address[];
  const claimables = useReadContracts({
    contracts: assetList.map((a) => ({ address: addresses.splitter, abi: revenueSplitterAbi, functionName: "claimable", args: [id, a, account ?? zeroAddress] }) as const),
    allowFailure: false,
    scopeKey: `block-${blockNumber}`,
    query: { enabled: account !== undefined, placeholderData: keepPreviousData },
  });
  const history = useQuery({
    queryKey: ["ingot-history", String(id), String(blockNumber)],
    enabled: client !== undefined && blockNumber !== undefined,
    placeholderData: (p) => p,
    queryFn: async () => {
      const [transfers, paid, claimed] = await Promise.all([
        client!.getContractEvents({ address: addresses.ingot, abi: ingotAbi, eventName: "TransferSingle", fromBlock }),
        client!.getContractEvents({ address: addresses.splitter, abi: revenueSplitterAbi, eventName: "Paid", args: { ingotId: id }, fromBlock }),
        client!.getContractEvents({ address: addresses.splitter, abi: revenueSplitterAbi, eventName: "Claimed", args: { ingotId: id }, fromBlock }),
      ]);
      const balances = new Map<string, bigint>();
      for (const t of transfers) {
        if (t.args.id !== id) continue;
        const v = t.args.value ?? 0n;
        if (t.args.from && t.args.from !== zeroAddress) balances.set(t.args.from, (balances.get(t.args.from) ?? 0n) - v);
        if (t.args.to && t.args.to !== zeroAddress) balances.set(t.args.to, (balances.get(t.args.to) ?? 0n) + v);
      }
      const revenue = new Map<string, { paid: bigint; claimed: bigint }>();
      for (const p of paid) {
        const r = revenue.get(p.args.asset!) ?? { paid: 0n, claimed: 0n };
        r.paid += p.args.amount ?? 0n;
        revenue.set(p.args.asset!, r);
      }
      for (const c of claimed) {
        const r = revenue.get(c.args.asset!) ?? { paid: 0n, claimed: 0n };
        r.claimed += c.args.amount ?? 0n;
        revenue.set(c.args.asset!, r);
      }
      return { holders: [...balances].filter(([, b]) => b > 0n).sort((a, b) => (b[1] > a[1] ? 1 : -1)), revenue: [...revenue] };
    },
  });
  const claim = useTxFlow(account);
  const pay = useTxFlow(account);
  const [payText, setPayText] = useState("");

  if (info.error) return <p role="alert" className="banner banner-error">Cannot read Ingot #{String(id)}: {errorToWords(info.error)}</p>;
  if (!info.data) return <p role="status">Reading Ingot #{String(id)}…</p>;
  const card = info.data;
  const meta = parseForgeMetadata(card.metadataURI, `Ingot #${id}`);
  const supply = 1_000_000_000n;
  let payAmount: bigint | undefined;
  let payProblem = "";
  if (payText.trim()) {
    try {
      payAmount = parseAmount(payText);
    } catch (e) {
      payProblem = e instanceof AmountInputError ? e.message : String(e);
    }
  }
  return (
    <article aria-labelledby="ingot-title">
      <section className="card header-card">
        <h1 id="ingot-title">Ingot #{String(id)}: {meta.title}</h1>
        <div className="meta-row"><span className="badge badge-live">LIVE</span> <Link href={`/forge/${card.forge}`}>Its Forge</Link> · <Link href={`/?fork=${id}`}>Fork in a new Forge</Link></div>
      </section>
      <div className="columns">
        <div className="column">
          <section className="card" aria-labelledby="card-title">
            <h2 id="card-title">Model card</h2>
            {meta.description ? <p>{meta.description}</p> : null}
            <dl className="facts">
              <div><dt>Base model</dt><dd>{card.baseModelName}</dd></div>
              <div><dt>Base model root</dt><dd><code title={card.baseModelRoot}>{shortAddress(card.baseModelRoot, 10, 6)}</code></dd></div>
              <div><dt>Adapter root</dt><dd><code title={card.adapterRoot}>{shortAddress(card.adapterRoot, 10, 6)}</code></dd></div>
              <div><dt>Holdout perplexity</dt><dd>{fixed18(card.metricBefore)} → {fixed18(card.metricAfter)}</dd></div>
              <div><dt>Attested by measurement</dt><dd><code title={card.measurement}>{shortAddress(card.measurement, 10, 6)}</code></dd></div>
              <div><dt>Attribution record</dt><dd><code title={card.attributionLogRoot}>{shortAddress(card.attributionLogRoot, 10, 6)}</code></dd></div>
            </dl>
          </section>
          <section className="card" aria-labelledby="lineage-title">
            <h2 id="lineage-title">Lineage</h2>
            {card.parentId === 0n ? <p>No parent: this Ingot starts its line.</p> : (
              <p>Fork of <Link href={`/ingot/${card.parentId}`}>Ingot #{String(card.parentId)}</Link>{parent.data ? ` (${parseForgeMetadata(parent.data.metadataURI, "").title})` : ""}, which earns a {card.royaltyBps / 100} % royalty on every payment{parent.data && parent.data.parentId > 0n ? `; its own parent is Ingot #${parent.data.parentId}` : ""}.</p>
            )}
          </section>
          <section className="card" aria-labelledby="holders-title">
            <h2 id="holders-title">Holders</h2>
            <table aria-label="Holders and their shares">
              <thead><tr><th scope="col">Holder</th><th scope="col">Shares</th></tr></thead>
              <tbody>
                {(history.data?.holders ?? []).map(([h, b]) => (
                  <tr key={h}><td><code title={h}>{shortAddress(h)}</code>{h.toLowerCase() === account?.toLowerCase() ? " (you)" : ""}</td><td>{formatShares(b, supply)}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
        <div className="column">
          <section className="card" aria-labelledby="revenue-title">
            <h2 id="revenue-title">Revenue</h2>
            <table aria-label="Revenue per asset">
              <thead><tr><th scope="col">Asset</th><th scope="col">Paid in</th><th scope="col">Claimed</th></tr></thead>
              <tbody>
                {(history.data?.revenue ?? []).map(([asset, r]) => (
                  <tr key={asset}><td>{asset === zeroAddress ? "ETH" : shortAddress(asset)}</td><td>{formatAmount(r.paid)}</td><td>{formatAmount(r.claimed)}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="card" aria-labelledby="claim-title">
            <h2 id="claim-title">Claim</h2>
            {!account ? <p>Connect a wallet to see what you can claim.</p> : (
              <ul className="plain">
                {assetList.map((a, i) => (
                  <li key={a}>
                    <span aria-label={`Claimable ${a === zeroAddress ? "ETH" : a}`}>{claimables.data ? formatAmount(claimables.data[i], { symbol: a === zeroAddress ? "ETH" : shortAddress(a) }) : "…"}</span>{" "}
                    <button
                      type="button"
                      disabled={!claimables.data || claimables.data[i] === 0n}
                      onClick={() => void claim.run("Claimed", async (f) => { await f.tx("Claiming", { address: addresses.splitter, abi: revenueSplitterAbi, functionName: "claim", args: [id, a, account] }); await claimables.refetch(); })}
                    >
                      Claim {a === zeroAddress ? "ETH" : shortAddress(a)}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <FlowStatus state={claim.state} name="Claim" />
          </section>
          <section className="card" aria-labelledby="pay-title">
            <h2 id="pay-title">Pay an inference fee</h2>
            <p className="hint">Paid into the RevenueSplitter: every holder earns pro rata{card.parentId > 0n ? ", and the parent its royalty" : ""}.</p>
            <form onSubmit={(e) => { e.preventDefault(); if (payAmount === undefined) return; const v = payAmount; void pay.run("Fee paid", async (f) => { await f.tx("Paying", { address: addresses.splitter, abi: revenueSplitterAbi, functionName: "pay", args: [id, zeroAddress, v], value: v }); }).then((ok) => ok && setPayText("")); }}>
              <label>Fee amount (ETH)<input type="text" inputMode="decimal" value={payText} onChange={(e) => setPayText(e.target.value)} placeholder="0.01" /></label>
              {payProblem ? <p role="alert">{payProblem}</p> : null}
              <button type="submit" disabled={payAmount === undefined || !account}>Pay fee</button>
            </form>
            <FlowStatus state={pay.state} name="Payment" />
          </section>
        </div>
      </div>
    </article>
  );
}
