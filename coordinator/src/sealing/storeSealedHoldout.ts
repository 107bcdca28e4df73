import type { Hex } from "viem";
import type { ContentStore } from "../storage/types.js";
import { sealHoldout } from "./sealHoldout.js";

export interface StoreSealedHoldoutParameters {
  /** The holdout JSONL bytes. Only the ciphertext leaves this function. */
  plaintext: Uint8Array;
  /** The registered enclave's X25519 key (IEnclaveRegistry.hpkePublicKey). */
  recipientPublicKey: Uint8Array;
  /** Context bound into the seal; default "ingotforge/holdout/v1". */
  info?: string;
  store: ContentStore;
}

export interface StoreSealedHoldoutReturnType {
  /** 0G root of the sealed envelope: what the Forge commits to at creation. */
  root: Hex;
  /** Envelope size in bytes. */
  size: number;
  info: string;
}

/** The creator's step: seal the holdout to the enclave and store the envelope under its root. */
export async function storeSealedHoldout(params: StoreSealedHoldoutParameters): Promise<StoreSealedHoldoutReturnType> {
  const { envelope, bytes } = await sealHoldout(params);
  const { root, size } = await params.store.put(bytes);
  return { root, size, info: envelope.info };
}
