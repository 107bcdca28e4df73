import type { Address } from "viem";
import type { AppStack } from "./startAppStack.js";

/** What the summary reads from a started stack. */
export type StackSummaryInput = Pick<AppStack, "url" | "rpcUrl" | "storeUrl" | "openForge" | "tokenForge" | "token" | "live" | "gateway" | "worker" | "compute" | "coordinatorEvents"> & {
  wallets: readonly { account: { address: Address } }[];
};

const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/**
 * The few lines `npm run app` prints once the stack is up, for someone who has never seen it:
 * where to click, which test account to connect, what is seeded, what is running (and the command
 * that runs one's own worker), and where the detail went (`logDir`, or undefined with --verbose).
 */
export function formatStackSummary(stack: StackSummaryInput, opts: { seconds: number; logDir?: string | undefined }): string {
  const u = stack.url;
  const lines: string[] = [];
  const add = (s = "") => lines.push(s);
  add(`IngotForge is running (ready in ${opts.seconds.toFixed(0)} s). Open ${u}`);
  add();
  add("Seeded");
  if (stack.live) {
    add(`  LIVE Ingot #${stack.live.ingotId}   ${u}/ingot/${stack.live.ingotId}`);
    add(`                  its Forge with the attribution panel: ${u}/forge/${stack.live.forge}`);
    if (stack.gateway) add(`                  playground (chat, proof verified in the page): ${u}/ingot/${stack.live.ingotId}#playground`);
  }
  add(`  OPEN Forge      ${u}/forge/${stack.openForge}`);
  add(`                  capital in ETH${stack.worker ? "; a worker already registered" : ""}; "Close window (local node only)" starts its eval`);
  add(`  OPEN Forge      ${u}/forge/${stack.tokenForge}`);
  add(`                  capital in tUSD (a test ERC-20 at ${short(stack.token)})`);
  add();
  add(`Accounts (the node's public test accounts: in the page, "Connect wallet" → "Test account #1")`);
  const role = (i: number, what: string) => (stack.wallets[i] ? add(`  #${i} ${short(stack.wallets[i].account.address)}  ${what}`) : undefined);
  role(0, "deployed the protocol and created the Forges");
  role(1, `${stack.live ? "a data contributor of the LIVE Ingot (has revenue to claim); " : ""}holds 1,000 tUSD: start here`);
  if (stack.worker) role(4, `registered the running worker's key on the OPEN Forge${stack.live ? " (and on the LIVE Ingot's Forge, whose jobs that key trained)" : ""}`);
  role(9, "the coordinator's account (sends the eval results)");
  add();
  add("Running");
  add(`  chain RPC       ${stack.rpcUrl}  (chain 31337; add it to your wallet to use your own)`);
  add(`  content store   ${stack.storeUrl}`);
  if (stack.coordinatorEvents) add("  coordinator     in this process, SIMULATED enclave (no hardware attestation): evaluates a Forge when its window closes");
  if (stack.worker) {
    add(`  worker          process ${stack.worker.pid}, key ${short(stack.worker.publicKey)}, jobs from the file queue`);
    add("                  your own worker: register a key on the OPEN Forge in the page, save its key file, then");
    add(`                  npm run worker -- --forge ${stack.worker.forge} --key <your key file> --queue ${stack.compute.queueDir} --store ${stack.compute.storeDir} --base ${stack.compute.baseModelPath}`);
  }
  if (stack.gateway) add(`  gateway         ${stack.gateway.url}  (proxied at ${u}/gateway)`);
  add(`  page            ${u}`);
  add();
  if (opts.logDir) add(`Logs: ${opts.logDir}/ (or run with --verbose to see them here).`);
  add("Press Ctrl-C to stop everything.");
  return lines.join("\n");
}
