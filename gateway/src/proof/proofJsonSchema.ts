import { z } from "zod";

/**
 * zod schema of a proof as it crosses a trust boundary (a file, `GET /v1/proofs/:id`): the ArkForge
 * required fields, the optional chain-hash fields, and either signature form — the gateway's
 * `signature` object or the spec's `arkforge_signature` / `arkforge_pubkey`. Objects are loose:
 * unknown fields are kept (the metadata signature covers them). Hex must be lowercase, because
 * the hashed and signed forms are lowercase.
 */
const hex = (digits: number) => z.string().regex(new RegExp(`^[0-9a-f]{${digits}}$`), `${digits} lowercase hex digits`);
const prefixedSha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256: followed by 64 lowercase hex digits");
const ed25519Base64Url = z.string().regex(/^ed25519:[A-Za-z0-9_-]+$/, "ed25519: followed by unpadded base64url");
const receiptHolder = z.looseObject({ receipt_content_hash: z.string().nullish() }).nullish();

export const proofJsonSchema = z.looseObject({
  proof_id: z.string().min(1),
  spec_version: z.string().nullish(),
  timestamp: z.string().min(1),
  hashes: z.looseObject({ request: prefixedSha256, response: prefixedSha256, chain: prefixedSha256 }),
  parties: z.looseObject({ buyer_fingerprint: hex(64), seller: z.string() }),
  payment: z.looseObject({
    provider: z.string(),
    transaction_id: z.string(),
    amount: z.union([z.number(), z.string()]),
    currency: z.string(),
    status: z.string(),
  }),
  upstream_timestamp: z.string().nullish(),
  /** spec 2.1's home of receipt_content_hash. */
  provider_payment: receiptHolder,
  /** spec 2.0's name for the same object. */
  payment_evidence: receiptHolder,
  ingot: z.looseObject({ id: z.string().regex(/^(0|[1-9]\d*)$/), model: z.string().min(1), adapter_root: z.string().regex(/^0x[0-9a-f]{64}$/) }).optional(),
  signature: z
    .looseObject({ algorithm: z.literal("Ed25519"), public_key: hex(64), value: hex(128), metadata_value: hex(128).optional() })
    .optional(),
  arkforge_signature: ed25519Base64Url.optional(),
  arkforge_pubkey: ed25519Base64Url.optional(),
});

export type ProofJson = z.infer<typeof proofJsonSchema>;

/** zod issues as one line: `hashes.chain: sha256: followed by 64 lowercase hex digits; …`. */
export function describeProofIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}
