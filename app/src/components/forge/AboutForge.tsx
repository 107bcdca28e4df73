import type { ForgeView } from "../../chain/useForge.js";
import type { ForgeMetadata } from "../../model/parseForgeMetadata.js";
import { formatTimestamp } from "../../format/formatDuration.js";

/** "About this Forge": description, model, task, method, metric, holdout and the creator's needs. */
export function AboutForge({ config, meta }: { config: ForgeView["config"]; meta: ForgeMetadata }) {
  const split = config.split;
  return (
    <section className="card" aria-labelledby="about-title">
      <h2 id="about-title">About this Forge</h2>
      {meta.description ? <p>{meta.description}</p> : null}
      <dl className="facts">
        <div><dt>Base model</dt><dd>{config.baseModelName}</dd></div>
        <div><dt>Task</dt><dd>{config.task}</dd></div>
        <div><dt>Fine-tune</dt><dd>{config.fineTuneMethod === "qlora" ? "QLoRA" : config.fineTuneMethod}</dd></div>
        <div><dt>Eval metric</dt><dd>{config.evalMetric} ({config.direction === 0 ? "lower is better" : "higher is better"})</dd></div>
        <div><dt>Holdout</dt><dd>{config.holdoutExamples.toLocaleString("en")} examples, sealed to the enclave</dd></div>
        <div><dt>Window</dt><dd>{formatTimestamp(config.windowStart)} → {formatTimestamp(config.windowEnd)}</dd></div>
        <div><dt>Split</dt><dd>data {split.dataBps / 100} %, compute {split.computeBps / 100} %, capital {split.capitalBps / 100} %, creator {split.creatorBps / 100} %{split.lineageBps ? `, lineage ${split.lineageBps / 100} %` : ""}</dd></div>
      </dl>
      {meta.needs.length ? (
        <>
          <h3>This Forge needs</h3>
          <ul>{meta.needs.map((n) => <li key={n}>{n}</li>)}</ul>
        </>
      ) : null}
    </section>
  );
}
