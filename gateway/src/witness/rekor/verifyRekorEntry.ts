import { createHash, createPublicKey } from "node:crypto";
import { bundleFromJSON } from "@sigstore/bundle";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";

/** The Rekor check of a proof's witness (`verifyWitness`, `verify-proof --rekor-key`). */
export interface RekorCheck {
  status: "pass" | "fail";
  detail: string;
  /** When the log integrated the entry (from its signed entry timestamp), when it passed. */
  integratedTime?: Date;
}

const PKIX_ECDSA_P256_SHA_256 = 5;
const SHA2_256 = 1;

/**
 * Check a batch root's Rekor entry with @sigstore/verify against a pinned Rekor log key (PEM
 * SPKI; for rekor.sigstore.dev, the key in Sigstore's trusted root): the bundle is a valid
 * Sigstore bundle; its tlog entry's signed entry timestamp verifies with that key; the entry's
 * body is a `hashedrekord` of this bundle's signature over SHA-256(root); and the signature
 * verifies over the root's bytes with the key the entry names. It shows the log held the root,
 * signed by that key, at the entry's integrated time. Never throws: a failure is a check.
 *
 * The signer's key is the one in the log entry (covered by the log's signature), not pinned:
 * the root, not the key, ties the entry to the proofs. Without an inclusion proof in the bundle
 * (the local stand-in gives none) the check rests on the signed entry timestamp alone.
 */
export function verifyRekorEntry(entry: unknown, rootHex: string, rekorPublicKeyPem: string): RekorCheck {
  try {
    const e = entry as { bundle?: unknown; rekor_url?: unknown };
    if (!e || typeof e !== "object" || !e.bundle) return { status: "fail", detail: "the witness has no Rekor bundle" };
    const bundle = bundleFromJSON(e.bundle);
    const logKey = createPublicKey(rekorPublicKeyPem);
    const logKeyDer = logKey.export({ format: "der", type: "spki" });
    const trustedRoot = {
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [{ baseUrl: String(e.rekor_url ?? ""), hashAlgorithm: SHA2_256, publicKey: { rawBytes: logKeyDer, keyDetails: PKIX_ECDSA_P256_SHA_256 }, logId: { keyId: createHash("sha256").update(logKeyDer).digest() } }],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    };
    // The signer's key: the one the (log-signed) entry body names, found by the bundle's hint.
    const tlog = bundle.verificationMaterial.tlogEntries[0];
    const body = tlog ? (JSON.parse(Buffer.from(tlog.canonicalizedBody).toString("utf8")) as { spec?: { signature?: { publicKey?: { content?: string } } } }) : undefined;
    const signerPem = body?.spec?.signature?.publicKey?.content ? Buffer.from(body.spec.signature.publicKey.content, "base64").toString("utf8") : undefined;
    const material = toTrustMaterial(trustedRoot as unknown as Parameters<typeof toTrustMaterial>[0], () => {
      if (!signerPem) throw new Error("the log entry names no public key");
      return { publicKey: createPublicKey(signerPem), validFor: () => true };
    });
    const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
    verifier.verify(toSignedEntity(bundle, Buffer.from(rootHex, "hex")));
    const integratedTime = new Date(Number(tlog!.integratedTime) * 1000);
    return { status: "pass", detail: `Rekor log ${Buffer.from(tlog!.logId.keyId).toString("hex").slice(0, 16)}… holds SHA-256(root) at index ${tlog!.logIndex}, integrated ${integratedTime.toISOString()} (signed entry timestamp and inclusion proof checked with the pinned log key)`, integratedTime };
  } catch (error) {
    return { status: "fail", detail: `the Rekor entry does not check: ${(error as Error)?.message ?? String(error)}` };
  }
}
