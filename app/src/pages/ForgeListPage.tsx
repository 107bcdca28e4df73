import { keepPreviousData } from "@tanstack/react-query";
import { useConnection, useReadContract, useReadContracts } from "wagmi";
import type { Address } from "viem";
import { forgeAbi, forgeFactoryAbi } from "../abi/protocolAbis.generated.js";
import { useAppConfig } from "../config/AppConfigContext.js";
import { useChainNow } from "../chain/useChainNow.js";
import { PHASE_LABELS } from "../model/forgeSteps.js";
import { parseForgeMetadata } from "../model/parseForgeMetadata.js";
import { formatWindowState } from "../format/formatWindowState.js";
import { errorToWords } from "../format/errorToWords.js";
import { shortAddress } from "../format/shortAddress.js";
import { PhaseBadge } from "../components/PhaseBadge.js";
import { Link } from "../components/Link.js";
import { CreateForgeForm } from "../components/CreateForgeForm.js";

/** `/`: every Forge the factory created, newest first, and Create a Forge. */
export function ForgeListPage({ fork }: { fork?: string }) {
  const { addresses } = useAppConfig();
  const { now, blockNumber } = useChainNow();
  const connection = useConnection();
  const count = useReadContract({ address: addresses.factory, abi: forgeFactoryAbi, functionName: "forgeCount", scopeKey: `block-${blockNumber}`, query: { placeholderData: keepPreviousData } });
  const n = Number(count.data ?? 0n);
  const list = useReadContracts({
    contracts: Array.from({ length: n }, (_, i) => ({ address: addresses.factory, abi: forgeFactoryAbi, functionName: "forges", args: [BigInt(n - 1 - i)] }) as const),
    allowFailure: false,
    query: { enabled: n > 0 },
  });
  const forges = (list.data ?? []) as Address[];
  const details = useReadContracts({
    contracts: forges.flatMap((f) => [
      { address: f, abi: forgeAbi, functionName: "phase" } as const,
      { address: f, abi: forgeAbi, functionName: "config" } as const,
      { address: f, abi: forgeAbi, functionName: "counts" } as const,
    ]),
    allowFailure: false,
    scopeKey: `block-${blockNumber}`,
    query: { enabled: forges.length > 0, placeholderData: keepPreviousData },
  });

  return (
    <>
      <section className="card" aria-labelledby="list-title">
        <h1 id="list-title">Forges</h1>
        <p>Each Forge is one fine-tuning round: contribute data, compute or capital while it is OPEN; the enclave measures each contribution's marginal value; shares of the resulting Ingot follow.</p>
        {count.error ? <p role="alert">{errorToWords(count.error)}</p> : null}
        {count.data === 0n ? <p>No Forge yet. Create the first one below.</p> : null}
        <ul className="forge-list" aria-label="All Forges">
          {forges.map((f, i) => {
            const phase = details.data?.[3 * i] as number | undefined;
            const config = details.data?.[3 * i + 1] as { metadataURI: string; windowStart: bigint; windowEnd: bigint; baseModelName: string } | undefined;
            const counts = details.data?.[3 * i + 2] as readonly [bigint, bigint, bigint] | undefined;
            const title = config ? parseForgeMetadata(config.metadataURI, `Forge ${shortAddress(f)}`).title : shortAddress(f);
            return (
              <li key={f} className="forge-item">
                <Link href={`/forge/${f}`} aria-label={`Open Forge ${title} (${f})`}>{title}</Link>{" "}
                {phase !== undefined ? <PhaseBadge phase={PHASE_LABELS[phase]} /> : null}
                <div className="hint">
                  {shortAddress(f)} · {config?.baseModelName}
                  {config && now !== undefined ? ` · ${formatWindowState(now, config.windowStart, config.windowEnd)}` : ""}
                  {counts ? ` · ${counts[0] + counts[1] + counts[2]} contributions` : ""}
                </div>
              </li>
            );
          })}
        </ul>
      </section>
      <CreateForgeForm account={connection.status === "connected" ? connection.address : undefined} {...(fork ? { fork } : {})} />
    </>
  );
}
