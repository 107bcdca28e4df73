import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { gemmUsesWasm } from "../../../coordinator/src/eval/train/ops/gemmNT.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import { determinismJob } from "./trainDeterminismJob.js";

const child = fileURLToPath(new URL("./trainHashChild.ts", import.meta.url));

function runChild(flags: string[]): { hash: string; wasm: boolean } {
  const out = execFileSync(process.execPath, [...flags, "--import", "tsx", child], { encoding: "utf8", timeout: 50_000 });
  return JSON.parse(out.trim().split("\n").pop()!) as { hash: string; wasm: boolean };
}

describe("trainLora determinism across processes and engines' execution modes", () => {
  const here = hashAdapter(trainLora(determinismJob()).adapter);

  it("gives the same adapter hash in a fresh process", () => {
    expect(runChild([])).toEqual({ hash: here, wasm: true });
  });

  it("gives the same adapter hash in an interpreter-only process without WebAssembly (--jitless)", () => {
    expect(gemmUsesWasm()).toBe(true);
    expect(runChild(["--jitless"])).toEqual({ hash: here, wasm: false });
  });
});
