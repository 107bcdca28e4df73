import type { Hex } from "viem";
import { generateHpkeKeyPair, type HpkeKeyPair } from "../../sealing/generateHpkeKeyPair.js";
import type { InRunResultKeyFor } from "./types.js";

/**
 * A transport client's result keys, one per Forge: `keyFor`'s (the enclave's derived key, the same
 * after a restart) or, without it, a random pair held in memory by the client (tests and tools with
 * no enclave secret: an answer sealed for another client does not open, and its job runs again).
 */
export function inRunResultKeys(computeId: number, keyFor?: InRunResultKeyFor): (forge: Hex) => Promise<HpkeKeyPair> {
  const keys = new Map<string, Promise<HpkeKeyPair>>();
  let random: Promise<HpkeKeyPair> | undefined;
  return (forge) => {
    if (!keyFor) return (random ??= generateHpkeKeyPair());
    const id = forge.toLowerCase();
    let key = keys.get(id);
    if (!key) {
      key = keyFor({ forge, computeId });
      key.catch(() => keys.delete(id));
      keys.set(id, key);
    }
    return key;
  };
}
