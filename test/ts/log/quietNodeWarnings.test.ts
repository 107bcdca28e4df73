import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isQuietNodeWarning } from "../../../coordinator/src/log/quietNodeWarnings.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const run = (...extra: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "test/ts/log/fixtures/loadsSqlite.ts", ...extra], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

describe("quiet Node warnings", () => {
  it("names the SQLite ExperimentalWarning and nothing else", () => {
    const sqlite = Object.assign(new Error("SQLite is an experimental feature and might change at any time"), { name: "ExperimentalWarning" });
    expect(isQuietNodeWarning(sqlite)).toBe(true);
    expect(isQuietNodeWarning("SQLite is an experimental feature", "ExperimentalWarning")).toBe(true);
    expect(isQuietNodeWarning("VM modules are an experimental feature", "ExperimentalWarning")).toBe(false);
    expect(isQuietNodeWarning(Object.assign(new Error("SQLite is old"), { name: "DeprecationWarning" }))).toBe(false);
  });

  it("an entry point that imports installQuietNodeWarnings first loads node:sqlite without the warning, still prints others, and prints it with --verbose", () => {
    const quiet = run();
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe("opened\n");
    expect(quiet.stderr).not.toMatch(/SQLite/);
    expect(quiet.stderr).toMatch(/something else is experimental/);
    expect(run("--verbose").stderr).toMatch(/ExperimentalWarning: SQLite/);
  });
});
