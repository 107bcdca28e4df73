import path from "node:path";
import { DEFAULT_DATA_DIR } from "./defaultStoreDir.js";

/** The coordinator's file queue (`<dataDir>/queue`) as a worker on the same machine finds it: `<INGOTFORGE_DATA_DIR or .ingotforge>/queue`. */
export function defaultQueueDir(env: Readonly<Record<string, string | undefined>>): string {
  return path.join(env.INGOTFORGE_DATA_DIR || DEFAULT_DATA_DIR, "queue");
}
