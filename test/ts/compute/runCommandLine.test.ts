import { afterEach, describe, expect, it, vi } from "vitest";
import { runCommandLine, UsageError } from "../../../coordinator/src/compute/cli/runCommandLine.js";

/** The compute CLIs' frame: exit codes and what a person sees for each way a command line can end. */
const options = { name: { type: "string" }, n: { type: "string", default: "1" } } as const satisfies Parameters<typeof runCommandLine>[0]["options"];

async function run(args: string[], main: Parameters<typeof runCommandLine<typeof options>>[0]["main"]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  await runCommandLine({ name: "demo-cli", usage: "usage: demo-cli --name N", options, main, args });
  vi.restoreAllMocks();
  const code = process.exitCode;
  process.exitCode = undefined;
  return { code, out: out.join(""), err: err.join("") };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("runCommandLine", () => {
  it("runCommandLine_passesTheTypedValuesToMain_andExitsWithWhatItReturns", async () => {
    const seen: unknown[] = [];
    expect(await run(["--name", "x"], async (v) => (seen.push(v.name, v.n), 7))).toEqual({ code: 7, out: "", err: "" });
    expect(seen).toEqual(["x", "1"]);
  });

  it("runCommandLine_onAnUnknownOption_printsTheParsersMessageAndTheUsage_exit2_withoutRunningMain", async () => {
    const main = vi.fn(async () => 0);
    const r = await run(["--nope"], main);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--nope'[\s\S]*\nusage: demo-cli --name N\n$/);
    expect(main).not.toHaveBeenCalled();
  });

  it("runCommandLine_onHelp_printsTheUsageToStdout_exit0", async () => {
    expect(await run(["--help"], async () => 5)).toEqual({ code: 0, out: "usage: demo-cli --name N\n", err: "" });
  });

  it("runCommandLine_whenMainThrows_aUsageErrorExits2WithTheUsage_anyOtherError1WithTheName", async () => {
    expect(await run([], async () => { throw new UsageError("missing --name"); })).toEqual({ code: 2, out: "", err: "missing --name\nusage: demo-cli --name N\n" });
    expect(await run([], async () => { throw new Error("disk on fire"); })).toEqual({ code: 1, out: "", err: "demo-cli: disk on fire\n" });
  });
});
