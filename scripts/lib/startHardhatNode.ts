import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { LocalNodeError } from "./errors.js";
import { freePort } from "./freePort.js";
import { killGroup } from "./killGroup.js";
import { waitForExit } from "./waitForExit.js";

/** How long `hardhat node` may take to answer JSON-RPC (it compiles on a cold cache). */
const START_TIMEOUT_MS = 120_000;

/**
 * `hardhat node` on 127.0.0.1 at a free port, in its own process group (so stopping it stops
 * everything it started, and a test can always kill it), resolved once it answers JSON-RPC.
 * `stop()` sends SIGTERM to the group, then SIGKILL after 3 s, and resolves once it has exited.
 * Shared by the app scripts and the e2e tests.
 */
export async function startHardhatNode(root: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(path.join(root, "node_modules/.bin/hardhat"), ["node", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, PATH: `${path.join(root, "node_modules/.bin")}:${process.env.PATH}` },
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = waitForExit(child);
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new LocalNodeError(`hardhat node exited (${child.exitCode}): ${stderr.slice(-2000)}`);
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new LocalNodeError(`hardhat node did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s: ${stderr.slice(-2000)}. Run \`npx hardhat build\` once, then retry.`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child, stop };
}
