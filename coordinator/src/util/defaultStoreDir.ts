import path from "node:path";

/** The state folder every command shares unless INGOTFORGE_DATA_DIR moves it. */
export const DEFAULT_DATA_DIR = ".ingotforge";

/**
 * The one local content store every command uses when none is named: INGOTFORGE_STORAGE_DIR, else
 * `<INGOTFORGE_DATA_DIR or .ingotforge>/store`, relative to the working directory. The CLI
 * (`--store`), the worker (`--store`) and the coordinator service (`storage.dir`, defaulting to
 * `<dataDir>/store`) resolve it the same way, so what one writes the others read.
 */
export function defaultStoreDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.INGOTFORGE_STORAGE_DIR) return env.INGOTFORGE_STORAGE_DIR;
  return path.join(env.INGOTFORGE_DATA_DIR || DEFAULT_DATA_DIR, "store");
}
