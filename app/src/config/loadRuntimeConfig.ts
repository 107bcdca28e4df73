import { parseRuntimeConfig, RuntimeConfigError, type RuntimeConfig } from "./runtimeConfig.js";

/** Fetch and parse `config.json` from beside the page. */
export async function loadRuntimeConfig(url = "/config.json"): Promise<RuntimeConfig> {
  let res: Response;
  try {
    res = await fetch(url, { cache: "no-store" });
  } catch (cause) {
    throw new RuntimeConfigError(`Cannot load ${url}; the server that serves this page should serve it too.`, { cause });
  }
  if (!res.ok) throw new RuntimeConfigError(`Cannot load ${url} (HTTP ${res.status}); write one next to index.html (see app/README.md).`);
  return parseRuntimeConfig(await res.json());
}
