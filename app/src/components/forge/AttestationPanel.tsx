import { useQuery } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";
import { enclaveRegistryAbi } from "../../abi/protocolAbis.generated.js";
import { useAppConfig } from "../../config/AppConfigContext.js";
import type { ForgeView } from "../../chain/useForge.js";
import type { ForgeEvent } from "../../chain/useForgeEvents.js";
import { shortAddress } from "../../format/shortAddress.js";
import { formatTimestamp } from "../../format/formatDuration.js";

/**
 * "TEE attestation": idle → encrypted holdout → signed score vector, with the enclave's key,
 * measurement and quote kind read from the EnclaveRegistry. A simulated enclave is labelled as
 * such, never shown as hardware.
 */
export function AttestationPanel({ view, events }: { view: ForgeView; events: readonly ForgeEvent[] }) {
  const client = usePublicClient();
  const { addresses, fromBlock } = useAppConfig();
  const allowed = view.config.allowedMeasurements.map((m) => m.toLowerCase());
  const enclaves = useQuery({
    queryKey: ["enclaves", addresses.enclaveRegistry, allowed.join(",")],
    enabled: client !== undefined,
    refetchInterval: 10_000,
    queryFn: async () => {
      const logs = await client!.getContractEvents({ address: addresses.enclaveRegistry, abi: enclaveRegistryAbi, eventName: "EnclaveRegistered", fromBlock });
      return logs.filter((l) => allowed.includes(String(l.args.measurement).toLowerCase()));
    },
  });
  const accepted = events.find((e) => e.eventName === "ResultAccepted");
  const signer = accepted?.eventName === "ResultAccepted" ? accepted.args.signer : undefined;
  const enclave = enclaves.data?.find((l) => !signer || l.args.signer?.toLowerCase() === signer.toLowerCase()) ?? enclaves.data?.[0];
  const stage = view.phase === "LIVE" ? 2 : view.phase === "CLOSED" ? 1 : 0;
  const steps = ["Idle: the holdout stays sealed", "Encrypted holdout opened inside the enclave", "Signed score vector accepted on chain"];
  return (
    <section className="card" aria-labelledby="tee-title">
      <h2 id="tee-title">TEE attestation</h2>
      {enclave?.args.simulated ? (
        <p className="banner banner-warn" aria-label="Simulated enclave">SIMULATED enclave: a development stand-in with no hardware attestation. Its scores are not hardware-attested.</p>
      ) : null}
      <ol className="steps" aria-label="Attestation steps">
        {steps.map((s, i) => (
          <li key={s} className={`step step-${i < stage ? "done" : i === stage ? "current" : "upcoming"}`} aria-current={i === stage ? "step" : undefined}>{s}</li>
        ))}
      </ol>
      <dl className="facts">
        <div><dt>Holdout</dt><dd><code title={view.config.holdoutRoot}>{shortAddress(view.config.holdoutRoot, 10, 6)}</code> (HPKE-sealed, {view.config.holdoutExamples} examples)</dd></div>
        {enclave ? (
          <>
            <div><dt>Enclave key</dt><dd><code title={enclave.args.signer}>{shortAddress(enclave.args.signer ?? "")}</code></dd></div>
            <div><dt>HPKE key</dt><dd><code title={enclave.args.hpkePublicKey}>{shortAddress(enclave.args.hpkePublicKey ?? "", 10, 6)}</code></dd></div>
            <div><dt>Measurement</dt><dd><code title={enclave.args.measurement}>{shortAddress(enclave.args.measurement ?? "", 10, 6)}</code></dd></div>
            <div><dt>Quote kind</dt><dd>{enclave.args.simulated ? "simulated (development chains only)" : "Intel TDX (DCAP)"}</dd></div>
            <div><dt>Key valid until</dt><dd>{enclave.args.expiresAt ? formatTimestamp(enclave.args.expiresAt) : "–"}</dd></div>
          </>
        ) : (
          <div><dt>Enclave</dt><dd>No enclave with an allowed measurement has registered yet.</dd></div>
        )}
      </dl>
    </section>
  );
}
