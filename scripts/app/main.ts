import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startAppStack } from "./startAppStack.js";

/**
 * `npm run app`: the local stack behind the Forge page (see startAppStack), seeded with a LIVE
 * Ingot and an OPEN Forge, and the page's URL printed. Ctrl-C stops everything.
 * `--no-live` skips the LIVE Ingot (seconds instead of a minute or two); `--port N` fixes the page's port.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const workDir = await mkdtemp(path.join(tmpdir(), "ingotforge-app-"));
const started = Date.now();
let stopStack: (() => Promise<void>) | undefined;
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  try {
    await stopStack?.();
    // Best effort: a seed still running may be writing here while it is removed.
    await rm(workDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  } finally {
    process.exit(0);
  }
};
// Registered before the start, which takes minutes with the LIVE seed: Ctrl-C then still stops the node.
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
const stack = await startAppStack({
  onStop: (stop) => (stopStack = stop),
  root,
  workDir,
  live: !args.includes("--no-live"),
  ...(portArg >= 0 ? { appPort: Number(args[portArg + 1]) } : {}),
  print: (line) => console.log(line),
}).catch(async (err: Error) => {
  console.error(`\nThe stack did not start: ${err.message}`);
  await rm(workDir, { recursive: true, force: true });
  process.exit(1);
});

console.log(`
IngotForge is running (${((Date.now() - started) / 1000).toFixed(0)} s to start):
  page          ${stack.url}
  OPEN Forge    ${stack.url}/forge/${stack.openForge}
  OPEN Forge    ${stack.url}/forge/${stack.tokenForge}  (capital in tUSD, a test ERC-20: ${stack.token})${stack.live ? `\n  LIVE Ingot    ${stack.url}/ingot/${stack.live.ingotId}  (its Forge: ${stack.url}/forge/${stack.live.forge})` : ""}
  chain RPC     ${stack.rpcUrl} (chain 31337; connect "Test account #1" in the page, or add this RPC to your wallet)
  content store ${stack.storeUrl}
Press Ctrl-C to stop everything.`);

