// Run as a child process by trainDeterminism.test.ts: trains the test's LoRA job and prints the
// adapter hash and whether products ran on WebAssembly, as JSON on one line.
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { gemmUsesWasm } from "../../../coordinator/src/eval/train/ops/gemmNT.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import { determinismJob } from "./trainDeterminismJob.js";

const { adapter } = trainLora(determinismJob());
process.stdout.write(`${JSON.stringify({ hash: hashAdapter(adapter), wasm: gemmUsesWasm() })}\n`);
