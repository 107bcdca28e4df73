import type { RunAttributionReturnType } from "../demo/runAttribution.js";

/**
 * The attribution result as a person reads it: one row per contribution in on-chain order
 * (status, examples kept, value ± standard error in nats per holdout token, share of the
 * positive value, on-chain score), then base vs tuned perplexity and the training noise.
 */
export function formatAttributionTable(r: RunAttributionReturnType, opts: { method?: string; seeds?: readonly (string | number)[] } = {}): string {
  const positive = r.contributions.filter((c) => c.status === "included").reduce((a, c) => a + c.value, 0);
  const rows = r.contributions.map((c) => [
    c.id,
    c.status,
    `${c.kept}/${c.examples}`,
    signed(c.value),
    `± ${c.stdError.toFixed(5)}`,
    c.status === "included" && positive > 0 ? `${((100 * c.value) / positive).toFixed(1)}%` : "-",
    c.score.toString(),
    c.reason ?? "",
  ]);
  const head = ["contribution", "status", "kept", "value", "std err", "share", "score (1e18)", "note"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const right = new Set([2, 3, 4, 5, 6]);
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out = [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ""];
  out.push(`value = Shapley-style marginal of U(S) = ln PPL(base) − ln PPL(base + LoRA on S), nats per holdout response token${opts.method ? ` (${opts.method})` : ""}`);
  out.push(`holdout: ${r.base.tokens} response tokens; base perplexity ${r.base.perplexity.toFixed(4)} (ln ${(r.base.nll / r.base.tokens).toFixed(5)})`);
  if (r.tuned) {
    out.push(
      `tuned (adapter on ${r.tuned.trainedOn.join(" + ")}, ${r.tuned.examples} examples, seed ${r.tuned.seed}): perplexity ${r.tuned.perplexity.toFixed(4)} ` +
        `(ln ${(r.tuned.nll / r.tuned.tokens).toFixed(5)}, ${signed(Math.log(r.base.perplexity) - Math.log(r.tuned.perplexity))} vs base)`,
    );
    out.push(`served adapter: ${r.tuned.path} (sha256 ${r.tuned.sha256})`);
  } else out.push("tuned: no contribution is included, so no adapter is served");
  out.push(
    `training noise over ${opts.seeds ? `${opts.seeds.length} seed${opts.seeds.length === 1 ? "" : "s"}` : "the seeds"}: std of a coalition's utility mean ${r.noise.meanStd.toExponential(2)}, max ${r.noise.maxStd.toExponential(2)} (${r.noise.coalitions.length} coalitions)`,
  );
  out.push(
    `${r.evaluations} coalitions; ${r.trainings.run} (coalition, seed) utilities computed, ${r.trainings.cached} from the utility cache; ` +
      `${r.adapters.trained} adapters trained, ${r.adapters.reused} reused; ${(r.wallMs / 1000).toFixed(1)} s`,
  );
  return out.join("\n");
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(5)}`;
}
