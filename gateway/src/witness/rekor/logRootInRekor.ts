import { bundleToJSON } from "@sigstore/bundle";
import { MessageSignatureBundleBuilder, RekorWitness } from "@sigstore/sign";
import { RekorError } from "../errors.js";
import type { RekorEntry } from "../types.js";
import type { RekorSigner } from "./createRekorSigner.js";

export interface LogRootInRekorParameters {
  /** Rekor's base URL (`https://rekor.sigstore.dev`, or the local stand-in in tests). */
  rekorUrl: string;
  signer: RekorSigner;
  /** The batch root, 64 hex: the artifact is its 32 bytes, so the entry's digest is SHA-256(root), the RFC 3161 imprint. */
  rootHex: string;
  timeoutMs?: number;
}

/**
 * Put a batch root in Rekor through @sigstore/sign: `MessageSignatureBundleBuilder` signs the
 * root's bytes with the gateway's Rekor key and its `RekorWitness` posts a `hashedrekord` entry
 * (digest SHA-256(root), the signature, the public key) to `rekorUrl` (an entry already there
 * is fetched instead). Returns the entry with the whole Sigstore bundle (message signature,
 * key hint, tlog entry with its signed entry timestamp), which `verifyRekorEntry` checks with
 * @sigstore/verify and `cosign verify-blob --bundle` reads.
 *
 * @throws RekorError when Rekor cannot be reached or refuses the entry (retryable).
 */
export async function logRootInRekor({ rekorUrl, signer, rootHex, timeoutMs = 10_000 }: LogRootInRekorParameters): Promise<RekorEntry> {
  const builder = new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: rekorUrl, fetchOnConflict: true, timeout: timeoutMs, retry: 0 })] });
  let bundle;
  try {
    bundle = await builder.create({ data: Buffer.from(rootHex, "hex") });
  } catch (error) {
    const cause = (error as { cause?: Error })?.cause;
    throw new RekorError(rekorUrl, `${(error as Error)?.message ?? String(error)}${cause?.message ? `: ${cause.message}` : ""}`, { cause: error });
  }
  const tlog = bundle.verificationMaterial.tlogEntries[0];
  if (!tlog) throw new RekorError(rekorUrl, "the bundle came back without a transparency log entry");
  return {
    rekor_url: rekorUrl,
    log_index: Number(tlog.logIndex),
    log_id: Buffer.from(tlog.logId.keyId).toString("hex"),
    integrated_time: new Date(Number(tlog.integratedTime) * 1000).toISOString().replace(/\.000Z$/, "Z"),
    bundle: bundleToJSON(bundle) as unknown as Record<string, unknown>,
  };
}
