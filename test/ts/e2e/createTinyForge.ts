import { readFile } from "node:fs/promises";
import path from "node:path";
import { toBytes, type Address, type Hex } from "viem";
import type { ForgeConfig, ProtocolContext } from "../../../coordinator/src/chain/types.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import { storeSealedHoldout } from "../../../coordinator/src/sealing/storeSealedHoldout.js";
import { DEFAULT_HOLDOUT_INFO } from "../../../coordinator/src/sealing/holdoutSuite.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";
import { DATA, ensureTinyBaseModel, toJsonl } from "./e2eFixtures.js";

/**
 * The e2e Forge: the tiny base model (cached under `dir/cache`) and DATA.holdout sealed to the
 * enclave, both put in the store, and a Forge created by `creator` whose one-hour window opens now
 * and allows only the simulated measurement.
 */
export async function createTinyForge(p: { dir: string; ctx: ProtocolContext; store: ContentStore; enclave: Enclave; creator: Address }): Promise<{ forge: Address; config: ForgeConfig; baseBytes: Uint8Array; baseModelRoot: Hex }> {
  const base = await ensureTinyBaseModel(path.join(p.dir, "cache"));
  const baseBytes = new Uint8Array(await readFile(base.path));
  const { root: baseModelRoot } = await p.store.put(baseBytes);
  const { root: holdoutRoot } = await storeSealedHoldout({ plaintext: toJsonl(DATA.holdout), recipientPublicKey: toBytes(p.enclave.hpkePublicKey), info: DEFAULT_HOLDOUT_INFO, store: p.store });
  const now = (await p.ctx.publicClient.getBlock()).timestamp;
  const config = exampleForgeConfig({ creator: p.creator, now, holdoutRoot, holdoutExamples: DATA.holdout.length, baseModelRoot, allowedMeasurements: [SIMULATED_MEASUREMENT], windowSeconds: 3600n });
  const { forge } = await createForge(p.ctx, config);
  return { forge, config, baseBytes, baseModelRoot };
}
