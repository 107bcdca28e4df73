import { createProgress, type Progress } from "../../util/progress.js";
import type { DemoModelProgress } from "../demo/ensureDemoBaseModel.js";
import type { AttributionRunProgress } from "../demo/runAttribution.js";
import type { CliIo } from "./types.js";

/** Progress bars (TTY) or periodic lines (logs) on stderr for model building, trainings and coalitions. */
export function attributionProgress(io: CliIo): (p: DemoModelProgress | AttributionRunProgress) => void {
  let pretrain: Progress | undefined;
  let train: Progress | undefined;
  let trainKey = "";
  let coalitions: Progress | undefined;
  return (p) => {
    if ("phase" in p) {
      if (p.phase === "resume") io.err.write(`resuming the demo base model build from step ${p.step}\n`);
      else if (p.phase === "pretrain") {
        pretrain ??= createProgress({ label: "pretrain demo base", total: p.totalSteps, unit: "steps", stream: io.err });
        pretrain.update(p.step);
      } else pretrain?.finish();
      return;
    }
    if (p.kind === "train") {
      const key = `${p.examples}/${String(p.seed)}`;
      if (!train || key !== trainKey || p.step === 1) {
        train?.finish();
        trainKey = key;
        train = createProgress({ label: `train LoRA (${p.examples} examples, seed ${String(p.seed)})`, total: p.totalSteps, unit: "steps", stream: io.err });
      }
      train.update(p.step);
      if (p.step === p.totalSteps) train.finish();
    } else {
      coalitions ??= createProgress({ label: "coalitions", total: p.total, unit: "subsets", stream: io.err });
      coalitions.setTotal(p.total);
      coalitions.update(p.done);
      if (p.done === p.total) coalitions.finish();
    }
  };
}
