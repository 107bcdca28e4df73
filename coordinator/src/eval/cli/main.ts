import { runCli } from "./runCli.js";

// The eval CLI (npm run eval -- <command>). Ctrl-C aborts the signal: the command stops after the
// step in progress and everything finished stays cached; a second Ctrl-C exits at once.
const controller = new AbortController();
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write("\nstopping after the current step (Ctrl-C again to quit now)…\n");
  controller.abort(new Error("interrupted (SIGINT)"));
});

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: process.stderr,
  signal: controller.signal,
  env: process.env,
});
process.exitCode = code;
