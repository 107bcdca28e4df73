import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the file Node was started with.
 * Both sides are compared as real paths: a checkout reached through a symbolic link gives Node
 * the link's path in `process.argv[1]` but the module its real path, and a plain comparison then
 * silently runs nothing.
 */
export function isMainModule(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (argv1 === undefined) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(argv1);
  } catch {
    return false;
  }
}
