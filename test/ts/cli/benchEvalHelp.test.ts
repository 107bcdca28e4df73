import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");

describe("npm run bench:eval -- --help", () => {
  it("prints the options and exits 0 without running the benchmark", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/bench-eval.ts", "--help"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).not.toMatch(/ERR_PARSE_ARGS_UNKNOWN_OPTION/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: npm run bench:eval -- .*--threads N/);
    expect(r.stdout).not.toMatch(/tokens\/s/);
  });
});
