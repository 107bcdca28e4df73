import type { LoraAdapter, LoraPair, Qwen2Model, Tensor } from "../model/types.js";
import { engineMatVec, exactMatVec } from "./quantizedActivations.js";

export interface ForwardReference64Options {
  adapter?: LoraAdapter;
  /**
   * Score tokens from this position on: `tokenLogProbs[k]` is log p(tokens[scoreFrom + k] |
   * tokens before it). Defaults to 1 (every token that has a predecessor).
   */
  scoreFrom?: number;
  /** Also return each position's full log-softmax row (vocabulary-sized). Default false. */
  rows?: boolean;
  /**
   * "engine" (default): round activations where llama.cpp's CPU backend does (Q8_0 blocks
   * before Q8_0/Q4_0 weight products, fp16 before F16 weight products), compute RMSNorm and
   * RoPE angles in float32 as ggml does, and keep the residual stream in float32. "exact": pure float64 math on the dequantized weights.
   */
  arithmetic?: "engine" | "exact";
}

export interface ForwardReference64ReturnType {
  /** log-prob of each scored token, positions scoreFrom..tokens.length-1. */
  tokenLogProbs: number[];
  /** rows[p] = log-softmax of the logits after tokens[0..p] (predicting tokens[p+1]); only with `rows`. */
  rows?: Float64Array[];
}

/**
 * An independent float64 forward pass of a qwen2 model: RMSNorm, q/k/v projections with bias,
 * NEOX RoPE, grouped-query causal attention, SwiGLU MLP, tied or untied output layer, and LoRA
 * (W + (alpha/r)·B·A, output layer included). Written from the architecture, not from
 * llama.cpp's code, to check the engine's log-probs. For small models: O(n²·layers) in JS.
 */
export function forwardReference64(model: Qwen2Model, tokens: readonly number[], options: ForwardReference64Options = {}): ForwardReference64ReturnType {
  const { adapter, scoreFrom = 1, rows: wantRows = false, arithmetic = "engine" } = options;
  const c = model.config;
  if (scoreFrom < 1 || scoreFrom > tokens.length) throw new RangeError(`scoreFrom ${scoreFrom} must be in [1, ${tokens.length}]`);
  for (const t of tokens) if (!Number.isInteger(t) || t < 0 || t >= c.vocabSize) throw new RangeError(`token ${t} is outside the vocabulary`);
  const H = c.hiddenSize;
  const nh = c.numHeads;
  const nkv = c.numKvHeads;
  const hd = H / nh;
  const group = nh / nkv;
  const eps = Math.fround(c.rmsNormEps);
  const tensor = (name: string): Tensor => {
    const t = model.tensors.get(name);
    if (!t) throw new Error(`model lacks ${name}`);
    return t;
  };
  const lora = new Map<string, LoraPair>((adapter?.pairs ?? []).map((p) => [p.target, p]));
  const loraScale = adapter ? adapter.alpha / adapter.rank : 0;
  const matVec = arithmetic === "engine" ? engineMatVec : exactMatVec;
  // The engine keeps every intermediate tensor in float32 (residual stream, biased q/k/v, attention
  // output, SwiGLU): each feeds a Q8_0 quantization, where a float64 value can round the other way.
  const f32 = arithmetic === "engine" ? Math.fround : (v: number) => v;

  const linear = (name: string, x: Float64Array, biasName?: string): Float64Array => {
    const w = tensor(name);
    const y = matVec(w, x);
    const p = lora.get(name);
    if (p) {
      const r = adapter!.rank;
      const ax = new Float64Array(r);
      for (let k = 0; k < r; k++) {
        let s = 0;
        for (let i = 0; i < p.nIn; i++) s += p.a[k * p.nIn + i] * x[i];
        ax[k] = s;
      }
      for (let o = 0; o < p.nOut; o++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += p.b[o * r + k] * ax[k];
        y[o] = f32(f32(y[o]) + f32(loraScale * s));
      }
    }
    // llama.cpp adds the bias after the LoRA term, each sum a float32 tensor.
    if (biasName) {
      const b = tensor(biasName).values;
      for (let o = 0; o < y.length; o++) y[o] = f32(f32(y[o]) + b[o]);
    }
    return y;
  };
  const rmsNorm = (x: Float64Array, weight: string): Float64Array => {
    if (arithmetic === "engine") return rmsNormFloat32(x, tensor(weight).values, eps);
    let ss = 0;
    for (const v of x) ss += v * v;
    const inv = 1 / Math.sqrt(ss / x.length + eps);
    const g = tensor(weight).values;
    return x.map((v, i) => v * inv * g[i]);
  };

  // RoPE angles per position and frequency. ggml builds them in float32: theta starts at the
  // position and is multiplied by base^(-2/d) once per pair.
  const ropeCos: Float64Array[] = [];
  const ropeSin: Float64Array[] = [];
  const thetaScale = Math.fround(Math.pow(Math.fround(c.ropeTheta), Math.fround(-2 / hd)));
  for (let p = 0; p < tokens.length; p++) {
    const cos = new Float64Array(hd / 2);
    const sin = new Float64Array(hd / 2);
    let theta = Math.fround(p);
    for (let i = 0; i < hd / 2; i++) {
      const angle = arithmetic === "engine" ? theta : p * Math.pow(c.ropeTheta, (-2 * i) / hd);
      cos[i] = Math.cos(angle);
      sin[i] = Math.sin(angle);
      theta = Math.fround(theta * thetaScale);
    }
    ropeCos.push(cos);
    ropeSin.push(sin);
  }
  const rope = (v: Float64Array, heads: number, p: number) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < hd / 2; i++) {
        const a = v[h * hd + i];
        const b = v[h * hd + i + hd / 2];
        v[h * hd + i] = a * ropeCos[p][i] - b * ropeSin[p][i];
        v[h * hd + i + hd / 2] = a * ropeSin[p][i] + b * ropeCos[p][i];
      }
    }
  };

  const keys: Float64Array[][] = Array.from({ length: c.numLayers }, () => []);
  const values: Float64Array[][] = Array.from({ length: c.numLayers }, () => []);
  const embd = tensor("token_embd.weight").values;
  const outputName = c.tiedEmbeddings ? "token_embd.weight" : "output.weight";
  const tokenLogProbs: number[] = [];
  const rows: Float64Array[] = [];
  const scale = 1 / Math.sqrt(hd);

  const lastNeeded = tokens.length - 1;
  for (let p = 0; p < tokens.length; p++) {
    // Positions before scoreFrom-1 only feed the cache; their logits are not needed.
    const needLogits = wantRows || (p >= scoreFrom - 1 && p < lastNeeded);
    if (!needLogits && p === lastNeeded && !wantRows) break;
    const x = Float64Array.from(embd.subarray(tokens[p] * H, (tokens[p] + 1) * H));
    for (let l = 0; l < c.numLayers; l++) {
      const b = `blk.${l}`;
      const h = rmsNorm(x, `${b}.attn_norm.weight`);
      const q = linear(`${b}.attn_q.weight`, h, `${b}.attn_q.bias`);
      const k = linear(`${b}.attn_k.weight`, h, `${b}.attn_k.bias`);
      const v = linear(`${b}.attn_v.weight`, h, `${b}.attn_v.bias`);
      rope(q, nh, p);
      rope(k, nkv, p);
      keys[l].push(k);
      values[l].push(v);
      const attn = new Float64Array(H);
      const scores = new Float64Array(p + 1);
      for (let hq = 0; hq < nh; hq++) {
        const kvh = Math.floor(hq / group);
        let max = -Infinity;
        for (let j = 0; j <= p; j++) {
          let s = 0;
          for (let i = 0; i < hd; i++) s += q[hq * hd + i] * keys[l][j][kvh * hd + i];
          scores[j] = s * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j <= p; j++) sum += scores[j] = Math.exp(scores[j] - max);
        for (let j = 0; j <= p; j++) {
          const w = scores[j] / sum;
          for (let i = 0; i < hd; i++) attn[hq * hd + i] += w * values[l][j][kvh * hd + i];
        }
      }
      // The engine's tensors between ops are float32: round where the next op reads them.
      for (let i = 0; i < H; i++) attn[i] = f32(attn[i]);
      const o = linear(`${b}.attn_output.weight`, attn);
      for (let i = 0; i < H; i++) x[i] = f32(x[i] + f32(o[i]));
      const h2 = rmsNorm(x, `${b}.ffn_norm.weight`);
      const gate = linear(`${b}.ffn_gate.weight`, h2);
      const up = linear(`${b}.ffn_up.weight`, h2);
      const act = gate.map((g, i) => f32(f32(f32(g) / (1 + Math.exp(-f32(g)))) * f32(up[i])));
      const down = linear(`${b}.ffn_down.weight`, act);
      for (let i = 0; i < H; i++) x[i] = f32(x[i] + f32(down[i]));
    }
    if (!needLogits) continue;
    const logits = linear(outputName, rmsNorm(x, "output_norm.weight"));
    let max = -Infinity;
    for (const v of logits) if (v > max) max = v;
    let sum = 0;
    for (const v of logits) sum += Math.exp(v - max);
    const logZ = max + Math.log(sum);
    if (wantRows) rows.push(logits.map((v) => v - logZ));
    if (p >= scoreFrom - 1 && p < lastNeeded) tokenLogProbs.push(logits[tokens[p + 1]] - logZ);
  }
  return wantRows ? { tokenLogProbs, rows } : { tokenLogProbs };
}

/**
 * ggml's CPU RMSNorm, rounding where it rounds: squares in float32 summed in float64, the mean,
 * `1/sqrtf(mean + eps)` and both products in float32. A norm is always followed by a product with
 * a quantized weight, which first quantizes its input to Q8_0; an activation within an ulp of a
 * rounding step lands on different sides in float32 and in float64. For layer 0 the input is a
 * token's embedding row, so such an edge is a property of the token: on the demo model 6 of 1024
 * tokens have one, among them the chat template's second token, which put every example off the
 * engine from position 1 (and the KV cache carried the difference to every later position).
 */
function rmsNormFloat32(x: Float64Array, g: ArrayLike<number>, eps: number): Float64Array {
  const f = Math.fround;
  let sum = 0;
  for (const v of x) sum += f(f(v) * f(v));
  const scale = f(1 / f(Math.sqrt(f(f(sum / x.length) + eps))));
  return x.map((v, i) => f(f(f(v) * scale) * g[i]));
}
