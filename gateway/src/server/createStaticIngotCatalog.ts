import type { ServedIngot } from "../types.js";
import type { IngotCatalog } from "./types.js";

/**
 * A catalog over a list of LIVE Ingots (from config, or from chain/readServedIngots), with a
 * `replace` to swap in a fresh list (a refresh loop calls it; calls in flight keep what they found).
 */
export function createStaticIngotCatalog(ingots: readonly ServedIngot[]): IngotCatalog & { replace(next: readonly ServedIngot[]): void } {
  let byModel = new Map<string, ServedIngot>();
  let list: readonly ServedIngot[] = [];
  const replace = (next: readonly ServedIngot[]) => {
    const map = new Map<string, ServedIngot>();
    for (const i of next) {
      if (i.model !== `ingot-${i.ingotId}`) throw new RangeError(`Ingot ${i.ingotId} must be served as model ingot-${i.ingotId}, not ${i.model}`);
      if (map.has(i.model)) throw new RangeError(`Ingot ${i.ingotId} is listed twice`);
      map.set(i.model, i);
    }
    byModel = map;
    list = [...next].sort((a, b) => (a.ingotId < b.ingotId ? -1 : a.ingotId > b.ingotId ? 1 : 0));
  };
  replace(ingots);
  return {
    list: () => list,
    find: (model) => byModel.get(model),
    replace,
  };
}
