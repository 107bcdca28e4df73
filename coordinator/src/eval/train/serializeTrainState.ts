import { createHash } from "node:crypto";
import { TrainResumeError } from "./errors.js";
import type { TrainState } from "./types.js";

const MAGIC = "IFTS";
const VERSION = 1;

interface Header {
  kind: TrainState["kind"];
  fingerprint: string;
  step: number;
  paramNames: string[];
  lengths: number[];
  lossPerStep: number[];
  tokens: number;
  inputTokens: number;
}

/**
 * A resume state as bytes, for a checkpoint file: "IFTS", version, a JSON header, then every
 * param's values, first and second moments as little-endian float64, then a sha256 of all that
 * (a truncated or corrupted checkpoint is refused, never half-applied).
 */
export function serializeTrainState(state: TrainState): Uint8Array {
  const header: Header = {
    kind: state.kind,
    fingerprint: state.fingerprint,
    step: state.step,
    paramNames: state.paramNames,
    lengths: state.values.map((v) => v.length),
    lossPerStep: state.lossPerStep,
    tokens: state.tokens,
    inputTokens: state.inputTokens,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headLen = 12 + json.length;
  const pad = (8 - (headLen % 8)) % 8;
  const floats = state.values.reduce((s, v) => s + 3 * v.length, 0);
  const body = headLen + pad + floats * 8;
  const out = new Uint8Array(body + 32);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  let off = headLen + pad;
  for (let p = 0; p < state.values.length; p++) {
    for (const arr of [state.values[p], state.m[p], state.v[p]]) {
      for (let i = 0; i < arr.length; i++, off += 8) dv.setFloat64(off, arr[i], true);
    }
  }
  out.set(createHash("sha256").update(out.subarray(0, body)).digest(), body);
  return out;
}

/** Reads serializeTrainState's bytes back, checking the checksum and every length first. */
export function deserializeTrainState(bytes: Uint8Array): TrainState {
  const refuse = (what: string, cause?: unknown) =>
    new TrainResumeError(`Not a usable training checkpoint: ${what}`, {
      hint: "Delete the checkpoint file and start the training over",
      cause,
    });
  if (bytes.length < 12 + 32) throw refuse(`only ${bytes.length} bytes`);
  const body = bytes.length - 32;
  const digest = createHash("sha256").update(bytes.subarray(0, body)).digest();
  if (!Buffer.from(bytes.subarray(body)).equals(digest)) throw refuse("checksum mismatch (truncated or corrupted)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw refuse("wrong magic");
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw refuse(`version ${version}, this build reads ${VERSION}`);
  const jsonLen = dv.getUint32(8, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLen))) as Header;
  } catch (e) {
    throw refuse("unreadable header", e);
  }
  const headLen = 12 + jsonLen;
  let off = headLen + ((8 - (headLen % 8)) % 8);
  const total = header.lengths.reduce((s, n) => s + 3 * n, 0);
  if (off + total * 8 !== body) throw refuse(`expected ${total} values, the file holds ${(body - off) / 8}`);
  const read = (n: number) => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++, off += 8) a[i] = dv.getFloat64(off, true);
    return a;
  };
  const values: Float64Array[] = [];
  const m: Float64Array[] = [];
  const v: Float64Array[] = [];
  for (const n of header.lengths) {
    values.push(read(n));
    m.push(read(n));
    v.push(read(n));
  }
  return {
    kind: header.kind,
    fingerprint: header.fingerprint,
    step: header.step,
    paramNames: header.paramNames,
    values,
    m,
    v,
    lossPerStep: header.lossPerStep,
    tokens: header.tokens,
    inputTokens: header.inputTokens,
  };
}
