import { describe, expect, it } from "vitest";
import { decodeInRunFeatures, encodeInRunFeatures, InRunResultFormatError } from "../../../coordinator/src/compute/inRun/inRunResultWire.js";
import { hashInRunFeatures } from "../../../coordinator/src/compute/inRun/hashInRunFeatures.js";
import { f64Bytes } from "../../../coordinator/src/eval/train/hashLoraState.js";

const odd = new Float64Array([0, -0, Number.MIN_VALUE, -Number.MAX_VALUE, 1 / 3, Math.PI * 1e-300, Number.NaN]);
const checkpoints = [{ step: 0, endStep: 2, stateHash: "ab".repeat(32), examples: [0, 3], values: [odd, new Float64Array(0)], features: [odd.map((x) => -x), new Float64Array([1e-310])] }];

describe("in-run features on the wire", () => {
  it("round-trips every float64 bit (negative zero, subnormals, NaN) so the features hash the same on both sides", () => {
    const back = decodeInRunFeatures(JSON.parse(JSON.stringify(encodeInRunFeatures({ paramNames: ["a", "b"], checkpoints }))));
    expect(back.paramNames).toEqual(["a", "b"]);
    back.checkpoints[0].values.forEach((v, i) => expect(f64Bytes(v)).toEqual(f64Bytes(checkpoints[0].values[i])));
    back.checkpoints[0].features.forEach((f, i) => expect(f64Bytes(f)).toEqual(f64Bytes(checkpoints[0].features[i])));
    expect(hashInRunFeatures(back.paramNames, back.checkpoints)).toBe(hashInRunFeatures(["a", "b"], checkpoints));
  });

  it("refuses a float64 array whose byte length is not a multiple of 8, and a shape it does not know", () => {
    const wire = encodeInRunFeatures({ paramNames: ["a"], checkpoints });
    const cut = { ...wire, checkpoints: [{ ...wire.checkpoints[0], features: [Buffer.from([1, 2, 3]).toString("base64")] }] };
    expect(() => decodeInRunFeatures(cut)).toThrow(InRunResultFormatError);
    expect(() => decodeInRunFeatures({ ...wire, extra: 1 })).toThrow(InRunResultFormatError);
    expect(() => decodeInRunFeatures({ ...wire, checkpoints: [{ ...wire.checkpoints[0], values: ["not base64!"] }] })).toThrow(InRunResultFormatError);
  });
});
