import { join } from "node:path";
import type { DatasetExample } from "../dataset/types.js";
import { loadDatasetFile } from "./loadDatasetFile.js";
import type { NamedContribution } from "./runAttribution.js";

export const DEFAULT_DEMO_DATA_DIR = "data/demo";

/**
 * "demo": alice (relevant), copycat (a partial duplicate of alice, built here), control
 * (unrelated text). "five": alice, bob, carol, dave, control (the 5-contributor benchmark).
 */
export type DemoScenario = "demo" | "five";

export interface DemoContributionsReturnType {
  holdout: DatasetExample[];
  /** In on-chain order. */
  contributions: NamedContribution[];
  /** How the derived contributions were made, for the record. */
  notes: Record<string, string>;
}

/** Examples of the copycat taken from alice (every other one) and from bob (the first few). */
export const COPYCAT_FROM_BOB = 4;

/**
 * The demo's contributors, read from data/demo. The copycat re-submits every other example of
 * alice (14 of 28, byte-identical) plus the first 4 of bob's, under its own ids: after
 * de-duplication in on-chain order only the 4 bob examples are its own, so whatever the copied
 * half would have earned stays with alice.
 */
export async function demoContributions(params: { dataDir?: string; scenario?: DemoScenario } = {}): Promise<DemoContributionsReturnType> {
  const dir = params.dataDir ?? DEFAULT_DEMO_DATA_DIR;
  const load = (name: string) => loadDatasetFile(join(dir, `${name}.jsonl`));
  const holdout = await load("holdout");
  const alice = await load("contrib-alice");
  const control = await load("contrib-control");
  if ((params.scenario ?? "demo") === "five") {
    const [bob, carol, dave] = [await load("contrib-bob"), await load("contrib-carol"), await load("contrib-dave")];
    return {
      holdout,
      contributions: [
        { id: "alice", examples: alice },
        { id: "bob", examples: bob },
        { id: "carol", examples: carol },
        { id: "dave", examples: dave },
        { id: "control", examples: control },
      ],
      notes: {},
    };
  }
  const bob = await load("contrib-bob");
  const copied = alice.filter((_, i) => i % 2 === 0);
  const copycat = [...copied, ...bob.slice(0, COPYCAT_FROM_BOB)].map((e, i) => ({ ...e, id: `copycat-${String(i + 1).padStart(2, "0")}` }));
  return {
    holdout,
    contributions: [
      { id: "alice", examples: alice },
      { id: "copycat", examples: copycat },
      { id: "control", examples: control },
    ],
    notes: {
      copycat: `${copied.length} of alice's ${alice.length} examples (every other one, renamed) + the first ${COPYCAT_FROM_BOB} of bob's`,
    },
  };
}
