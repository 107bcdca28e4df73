import { quietNodeWarnings } from "./quietNodeWarnings.js";

// Imported first by entry points whose output a person reads (the demo, the gateway): keeps
// Node's SQLite ExperimentalWarning out of it, unless the command runs with --verbose (or
// INGOTFORGE_VERBOSE=1, for `npm run demo`, whose `hardhat run` takes no script options).
const verbose = process.argv.includes("--verbose") || process.env.INGOTFORGE_VERBOSE === "1" || process.execArgv.includes("--trace-warnings");
if (!verbose) quietNodeWarnings();
