import { describe, expect, it } from "vitest";
import type { Address } from "viem";
import { formatStackSummary, type StackSummaryInput } from "../../../scripts/app/formatStackSummary.js";
import { summarizeWorkerLog } from "../../../scripts/app/summarizeWorkerLog.js";
import { summarizeCoordinatorEvent } from "../../../scripts/app/summarizeCoordinatorEvent.js";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
const JOB = `0x${"ab".repeat(32)}` as const;

const stack = (over: Partial<StackSummaryInput> = {}): StackSummaryInput => ({
  url: "http://127.0.0.1:5173",
  rpcUrl: "http://127.0.0.1:8545",
  storeUrl: "http://127.0.0.1:9000",
  openForge: A(0xf1),
  tokenForge: A(0xf2),
  token: A(0x70),
  live: { forge: A(0xf0), ingotId: 1n },
  gateway: { url: "http://127.0.0.1:9100", publicKeyHex: "00", deposits: A(1), proofKeyRegistry: A(2) },
  worker: { pid: 4242, command: "npm run worker -- …", logs: [], exited: new Promise(() => undefined), stop: async () => undefined, forge: A(0xf1), account: A(4), publicKey: `0x${"cd".repeat(32)}`, keyFile: "/tmp/k.json" },
  compute: { queueDir: "/tmp/w/queue", storeDir: "/tmp/w/store", baseModelPath: "/tmp/model.gguf" },
  coordinatorEvents: [],
  wallets: Array.from({ length: 10 }, (_, i) => ({ account: { address: A(100 + i) } })),
  ...over,
});

describe("formatStackSummary (what npm run app prints once ready)", () => {
  it("names the page, the LIVE Ingot, both OPEN Forges, the account to connect, and the running worker with the command for one's own", () => {
    const text = formatStackSummary(stack(), { seconds: 61.4, logDir: ".ingotforge/app-logs" });
    expect(text).toMatch(/^IngotForge is running \(ready in 61 s\)\. Open http:\/\/127\.0\.0\.1:5173$/m);
    expect(text).toContain("LIVE Ingot #1   http://127.0.0.1:5173/ingot/1");
    expect(text).toContain(`http://127.0.0.1:5173/forge/${A(0xf1)}`);
    expect(text).toContain(`http://127.0.0.1:5173/forge/${A(0xf2)}`);
    expect(text).toContain('"Test account #1"');
    expect(text).toContain("worker          process 4242");
    expect(text).toContain(`npm run worker -- --forge ${A(0xf1)} --key <your key file> --queue /tmp/w/queue --store /tmp/w/store --base /tmp/model.gguf`);
    expect(text).toContain("Logs: .ingotforge/app-logs/");
    expect(text).not.toMatch(/"level":/); // no pino lines
    expect(text.split("\n").length).toBeLessThan(40);
  });
  it("leaves out the LIVE Ingot, the playground and the worker when they were not started, and the log line with --verbose", () => {
    const text = formatStackSummary(stack({ live: undefined, gateway: undefined, worker: undefined }), { seconds: 4, logDir: undefined });
    expect(text).not.toContain("LIVE Ingot");
    expect(text).not.toContain("playground");
    expect(text).not.toContain("npm run worker");
    expect(text).not.toContain("Logs:");
  });
});

describe("summarizeWorkerLog / summarizeCoordinatorEvent", () => {
  it("turns a worker's claimed and written jobs into one line each, and drops its training steps", () => {
    expect(summarizeWorkerLog({ level: 30, msg: "job claimed", jobId: JOB, examples: 3 })).toBe("worker: training job 0xababab…abab (3 sequences)");
    expect(summarizeWorkerLog({ level: 30, msg: "result written", jobId: JOB, adapterRoot: JOB })).toMatch(/^worker: job 0xababab…abab trained and signed/);
    expect(summarizeWorkerLog({ level: 30, msg: "training", step: 2, totalSteps: 6 })).toBeUndefined();
    expect(summarizeWorkerLog({ level: 50, msg: "cannot read the store" })).toBe("worker: cannot read the store");
  });
  it("says when a Forge is minted by this service, and skips a Forge merely seen or found LIVE already", () => {
    const forge = A(0xf1);
    expect(summarizeCoordinatorEvent({ kind: "forge-seen", forge, block: 3n })).toBeUndefined();
    expect(summarizeCoordinatorEvent({ kind: "submitted", forge, ingotId: 2n, txHash: `0x${"12".repeat(32)}` })).toMatch(/is LIVE → Ingot #2$/);
    expect(summarizeCoordinatorEvent({ kind: "submitted", forge, ingotId: 1n, txHash: null })).toBeUndefined(); // found LIVE already (the seed)
  });
});
