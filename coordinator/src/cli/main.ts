#!/usr/bin/env node
/**
 * `ingotforge`: every role of the protocol by hand against a JSON-RPC node (usually
 * `npx hardhat node`). Run `npx tsx coordinator/src/cli/main.ts --help`.
 */
import { runCli } from "./runCli.js";

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
});
process.exitCode = code;
