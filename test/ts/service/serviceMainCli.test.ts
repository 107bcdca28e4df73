import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../../scripts/lib/freePort.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");

function runCoordinator(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("INGOTFORGE_")));
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "coordinator/src/service/main.ts"), ...args], { cwd: ROOT, env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("coordinator command line", () => {
  it("runs without a config file, asks the node at INGOTFORGE_RPC_URL for its chain id, and takes --verbose", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runCoordinator(["run", "--verbose"], { INGOTFORGE_RPC_URL: url });
    expect(r.code).toBe(1);
    // Not a config error (chainId and dataDir have defaults) nor an unknown option: the node is what is missing.
    expect(r.stderr).toContain(`Cannot reach the JSON-RPC node at ${url} to read its chain id.`);
    expect(r.stderr).not.toMatch(/Unknown option|Invalid coordinator configuration/);
  });
});
