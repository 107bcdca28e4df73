import { describe, expect, it } from "vitest";
import { attachLora } from "../../../coordinator/src/eval/train/attachLora.js";
import { createWorkspace, forwardBackward } from "../../../coordinator/src/eval/train/forwardBackward.js";
import { createNetwork, type Network } from "../../../coordinator/src/eval/train/network.js";
import type { ScoredSequence } from "../../../coordinator/src/eval/train/types.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { randomModel, randomSequences, tinyConfig } from "./trainFixtures.js";

/**
 * Central finite differences in float64 (h = 1e-5) against the analytic gradients. Truncation
 * error is O(h²·f''') ≈ 1e-10 and round-off O(ε·|L|/h) ≈ 1e-10 for a loss of ~40 nats, so on
 * entries whose gradient is ≥ 1e-3 the relative error of a correct backward pass stays near 1e-8;
 * we assert < 1e-6 (a wrong term, even a missing 1/√d, shows up as ≥ 1e-2). Smaller gradients
 * are held to an absolute 1e-8.
 */
const H = 1e-5;
const TOL = 1e-6;

function totalLoss(net: Network, seqs: ScoredSequence[]): number {
  const ws = createWorkspace(net, 32);
  let s = 0;
  for (const q of seqs) s += forwardBackward(net, ws, q.tokens, q.scoreFrom, null).nll;
  return s;
}

/** Relative errors of the largest-gradient entries (and two random ones) of every trainable tensor. */
function checkAll(net: Network, seqs: ScoredSequence[]): Map<string, number> {
  const ws = createWorkspace(net, 32);
  for (const p of net.params) p.grad.fill(0);
  for (const q of seqs) forwardBackward(net, ws, q.tokens, q.scoreFrom, 1);
  const prng = createPrng("gradcheck-picks");
  const worst = new Map<string, number>();
  for (const p of net.params) {
    const order = [...p.grad.keys()].sort((a, b) => Math.abs(p.grad[b]) - Math.abs(p.grad[a]));
    const picks = [order[0], order[1], order[2], prng.nextInt(p.grad.length), prng.nextInt(p.grad.length)];
    let w = 0;
    for (const i of picks) {
      const x = p.values[i];
      p.values[i] = x + H;
      const up = totalLoss(net, seqs);
      p.values[i] = x - H;
      const down = totalLoss(net, seqs);
      p.values[i] = x;
      const numeric = (up - down) / (2 * H);
      const analytic = p.grad[i];
      const mag = Math.max(Math.abs(analytic), Math.abs(numeric));
      // Entries with a vanishing gradient can only be checked absolutely, against the finite
      // difference's own noise floor (~1e-9 here): |a − n| < 1e-8 maps onto the same TOL.
      const err = mag < 1e-3 ? Math.abs(analytic - numeric) * 100 : Math.abs(analytic - numeric) / mag;
      w = Math.max(w, err);
    }
    worst.set(p.name, w);
  }
  return worst;
}

function kindOf(name: string): string {
  return name.replace(/^blk\.\d+\./, "blk.N.");
}

describe("trainer gradients", () => {
  it("match central finite differences for every LoRA tensor kind, output layer included", () => {
    const cfg = tinyConfig();
    const net = createNetwork(randomModel("gc-lora", cfg), { trainBase: false });
    attachLora(net, {
      rank: 3,
      alpha: 6,
      targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "output"],
      seed: 7,
    });
    // B starts at 0, which would make every gradient of A vanish: give B values first.
    const prng = createPrng("gc-lora-b");
    for (const s of net.linears) if (s.lora) for (let i = 0; i < s.lora.b.length; i++) s.lora.b[i] = (2 * prng.next() - 1) * 0.3;
    const worst = checkAll(net, randomSequences("gc-lora", 2, cfg.vocabSize, 10, 14));
    const kinds = new Set([...worst.keys()].map(kindOf));
    expect(kinds).toEqual(
      new Set(
        ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]
          .flatMap((k) => [`blk.N.${k}.weight.lora_a`, `blk.N.${k}.weight.lora_b`])
          .concat(["output.weight.lora_a", "output.weight.lora_b"]),
      ),
    );
    for (const [name, err] of worst) expect(err, name).toBeLessThan(TOL);
  });

  it("match central finite differences for every base tensor kind with untied embeddings", () => {
    const cfg = tinyConfig();
    const net = createNetwork(randomModel("gc-base", cfg), { trainBase: true });
    const worst = checkAll(net, randomSequences("gc-base", 2, cfg.vocabSize, 10, 14));
    expect(new Set([...worst.keys()].map(kindOf)).size).toBe(3 + 12);
    for (const [name, err] of worst) expect(err, name).toBeLessThan(TOL);
  });

  it("match central finite differences with tied embeddings, where token_embd gets input and output gradients", () => {
    const cfg = tinyConfig({ tiedEmbeddings: true, numKvHeads: 1 });
    const net = createNetwork(randomModel("gc-tied", cfg), { trainBase: true });
    expect(net.params.some((p) => p.name === "output.weight")).toBe(false);
    const worst = checkAll(net, randomSequences("gc-tied", 2, cfg.vocabSize, 10, 14));
    for (const [name, err] of worst) expect(err, name).toBeLessThan(TOL);
  });
});
