import type { Hex } from "viem";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import type { Qwen2Model } from "../../../coordinator/src/eval/model/types.js";
import type { CreateCoordinatorServiceParameters } from "../../../coordinator/src/service/createCoordinatorService.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";

/** A `workersFor` that trains in this process for each compute registered with `key`'s public key. */
export function inProcessWorkersFor(p: { key: { privateKey: Uint8Array; publicKey: Hex }; model: Qwen2Model; baseModelRoot: Hex; store: ContentStore }): NonNullable<CreateCoordinatorServiceParameters["workersFor"]> {
  return ({ registered }) =>
    registered.filter((r) => r.ed25519PublicKey === p.key.publicKey).map((r) => createInProcessWorker({ computeId: r.computeId, ed25519PrivateKey: p.key.privateKey, model: p.model, baseModelRoot: p.baseModelRoot, store: p.store }));
}
