import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";
import { decodeEventLog, isAddress, isHex, zeroAddress, type Address, type Hex } from "viem";
import { enclaveRegistryAbi, forgeFactoryAbi } from "../abi/protocolAbis.generated.js";
import { useAppConfig } from "../config/AppConfigContext.js";
import { useTxFlow } from "../chain/useTxFlow.js";
import { forgeMetadataUri } from "../model/parseForgeMetadata.js";
import { navigate } from "../router.js";
import { FlowStatus } from "./FlowStatus.js";
import { FORGE_CONFIG_HAS_BONDS as forgeConfigHasBonds } from "../abi/protocolShape.js";
import { parseEther } from "viem";

const ROOT = /^0x[0-9a-fA-F]{64}$/;

/**
 * Create a Forge: the product page's fields, the roots of the base model and of the holdout
 * sealed to the enclave (`npm run cli -- seal-holdout` makes both), the window, the capital asset
 * and, for a fork, the parent Ingot and its royalty.
 */
export function CreateForgeForm({ account, fork }: { account: Address | undefined; fork?: string }) {
  const { addresses, fromBlock } = useAppConfig();
  const client = usePublicClient();
  const flow = useTxFlow(account);
  const [f, setF] = useState({ title: "", description: "", needs: "", baseModelName: "Qwen2.5-Coder-3B-Instruct", baseModelRoot: "", holdoutRoot: "", holdoutExamples: "", windowDays: "7", evalDays: "3", capitalAsset: "", measurement: "", parent: fork ?? "", lineagePercent: fork ? "10" : "0", dataBond: "0", computeBond: "0", minCapital: "0" });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const measurements = useQuery({
    queryKey: ["measurements", addresses.enclaveRegistry],
    enabled: client !== undefined,
    queryFn: async () => [...new Set((await client!.getContractEvents({ address: addresses.enclaveRegistry, abi: enclaveRegistryAbi, eventName: "MeasurementAllowed", fromBlock })).filter((l) => l.args.allowed).map((l) => l.args.measurement as Hex))],
  });
  const measurement = f.measurement || measurements.data?.[0] || "";
  const lineageBps = Math.round(Number(f.lineagePercent || "0") * 100);
  const problems = [
    !f.title.trim() && "Give the Forge a title.",
    !ROOT.test(f.baseModelRoot) && "The base model root is 0x and 64 hex digits.",
    !ROOT.test(f.holdoutRoot) && "The sealed holdout root is 0x and 64 hex digits.",
    !/^[1-9]\d*$/.test(f.holdoutExamples) && "Give the number of holdout examples.",
    !(Number(f.windowDays) > 0) && "The window lasts more than 0 days.",
    !(Number(f.evalDays) > 0) && "The eval period lasts more than 0 days.",
    f.capitalAsset && !isAddress(f.capitalAsset) && "The capital asset is an ERC-20 address, or empty for ETH.",
    !(isHex(measurement) && ROOT.test(measurement)) && "Give the enclave measurement to allow.",
    f.parent && !/^\d+$/.test(f.parent) && "The parent is an Ingot number.",
    (lineageBps < 0 || lineageBps > 1000) && "The lineage royalty is between 0 and 10 %.",
    forgeConfigHasBonds && !(/^\d*\.?\d*$/.test(f.dataBond) && /^\d*\.?\d*$/.test(f.computeBond)) && "Bonds are ETH amounts, for example 0.01.",
    forgeConfigHasBonds && !/^\d*$/.test(f.minCapital) && "The minimum capital is a whole number of base units.",
  ].filter((p): p is string => Boolean(p));
  return (
    <form
      className="card"
      aria-labelledby="create-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (problems.length || !client) return;
        void flow.run("Forge created", async (ctl) => {
          const now = (await client.getBlock()).timestamp;
          const windowEnd = now + BigInt(Math.round(Number(f.windowDays) * 86_400));
          const creatorBps = 1000 - (f.parent ? lineageBps : 0);
          const config = {
            windowStart: now,
            windowEnd,
            evalDeadline: windowEnd + BigInt(Math.round(Number(f.evalDays) * 86_400)),
            holdoutExamples: Number(f.holdoutExamples),
            direction: 0,
            creator: account!,
            capitalAsset: (f.capitalAsset || zeroAddress) as Address,
            baseModelRoot: f.baseModelRoot as Hex,
            holdoutRoot: f.holdoutRoot as Hex,
            split: { dataBps: 5000, computeBps: 2000, capitalBps: 2000, creatorBps, lineageBps: f.parent ? lineageBps : 0 },
            caps: { maxData: 1000, maxCompute: 100, maxCapital: 1000 },
            parentIngotId: BigInt(f.parent || "0"),
            allowedMeasurements: [measurement as Hex],
            metadataURI: forgeMetadataUri({ title: f.title.trim(), description: f.description.trim(), needs: f.needs.split("\n").map((s) => s.trim()).filter(Boolean) }),
            baseModelName: f.baseModelName,
            task: "generation",
            fineTuneMethod: "qlora",
            evalMetric: "perplexity",
            // Contracts with bonds (issue 23) take these three fields too; older ones do not.
            ...(forgeConfigHasBonds ? { dataBond: parseEther(f.dataBond || "0"), computeBond: parseEther(f.computeBond || "0"), minCapital: BigInt(f.minCapital || "0") } : {}),
          };
          const hash = await ctl.tx("Creating the Forge", { address: addresses.factory, abi: forgeFactoryAbi, functionName: "createForge", args: [config as never] });
          const receipt = await client.getTransactionReceipt({ hash });
          for (const log of receipt.logs) {
            try {
              const ev = decodeEventLog({ abi: forgeFactoryAbi, data: log.data, topics: log.topics });
              if (ev.eventName === "ForgeCreated") return navigate(`/forge/${(ev.args as { forge: Address }).forge}`);
            } catch {
              // another contract's log
            }
          }
        });
      }}
    >
      <h2 id="create-title">Create a Forge</h2>
      <p className="hint">Split: data 50 %, compute 20 %, capital 20 %, creator 10 % (a fork's royalty comes out of the creator's part). Perplexity, QLoRA, generation.</p>
      <label>Title<input type="text" value={f.title} onChange={set("title")} /></label>
      <label>Description<textarea value={f.description} onChange={set("description")} /></label>
      <label>This Forge needs (one item per line)<textarea value={f.needs} onChange={set("needs")} /></label>
      <label>Base model name<input type="text" value={f.baseModelName} onChange={set("baseModelName")} /></label>
      <label>Base model root (0G)<input type="text" value={f.baseModelRoot} onChange={set("baseModelRoot")} placeholder="0x…" /></label>
      <label>Sealed holdout root (0G)<input type="text" value={f.holdoutRoot} onChange={set("holdoutRoot")} placeholder="0x…" /></label>
      <label>Holdout examples<input type="number" min={1} value={f.holdoutExamples} onChange={set("holdoutExamples")} /></label>
      <label>Window (days)<input type="number" min={0} step="any" value={f.windowDays} onChange={set("windowDays")} /></label>
      <label>Eval period after the window (days)<input type="number" min={0} step="any" value={f.evalDays} onChange={set("evalDays")} /></label>
      <label>Capital asset (ERC-20 address; empty for ETH)<input type="text" value={f.capitalAsset} onChange={set("capitalAsset")} placeholder="ETH" /></label>
      {forgeConfigHasBonds ? (
        <>
          <label>Bond per data contribution (ETH, refunded when included)<input type="text" inputMode="decimal" value={f.dataBond} onChange={set("dataBond")} /></label>
          <label>Bond per compute registration (ETH)<input type="text" inputMode="decimal" value={f.computeBond} onChange={set("computeBond")} /></label>
          <label>Minimum capital position (base units of the asset)<input type="text" inputMode="numeric" value={f.minCapital} onChange={set("minCapital")} /></label>
        </>
      ) : null}
      <label>Allowed enclave measurement<input type="text" value={measurement} onChange={set("measurement")} placeholder="0x…" /></label>
      <label>Fork of Ingot # (empty for none)<input type="text" value={f.parent} onChange={set("parent")} /></label>
      {f.parent ? <label>Lineage royalty to the parent (%)<input type="number" min={0} max={10} step="0.01" value={f.lineagePercent} onChange={set("lineagePercent")} /></label> : null}
      {problems.length && (f.title || f.baseModelRoot) ? <ul aria-label="Create form problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
      <button type="submit" disabled={problems.length > 0 || !account}>{account ? "Create Forge" : "Connect a wallet to create a Forge"}</button>
      <FlowStatus state={flow.state} name="Create Forge" />
    </form>
  );
}
