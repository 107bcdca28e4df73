import { z } from "zod";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const bigintText = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((v) => BigInt(v));

/**
 * The part of the attribution record (coordinator/src/pipeline/buildAttributionLog.ts, version
 * "ingotforge-attribution-log/1") that the page shows. Unknown fields are kept out; a record of
 * another version is refused.
 */
export const attributionRecordSchema = z.object({
  version: z.literal("ingotforge-attribution-log/1"),
  chainId: z.number(),
  forge: hex,
  enclave: z.object({ simulated: z.boolean().optional(), note: z.string().optional() }).passthrough(),
  baseModel: z.object({ name: z.string(), root: hex }).passthrough(),
  holdout: z.object({ root: hex, examples: z.number(), tokens: z.number() }),
  contributions: z.array(
    z.object({
      dataId: z.number(),
      contributor: hex,
      root: hex,
      exampleCount: z.number(),
      status: z.enum(["included", "excluded"]),
      reason: z.string().optional(),
      exampleHashes: z.array(hex),
      keptExamples: z.number(),
      /** Dropped copies (pipeline v2): each names the kept example it copies, "duplicate-of <dataId>:<index>". */
      duplicates: z.array(z.object({ example: z.number(), duplicateOf: z.string() }).passthrough()).optional(),
      value: z.number(),
      score: bigintText,
    }),
  ),
  estimator: z.object({
    method: z.string(),
    scoreVector: z.object({
      entries: z.array(z.object({ id: z.string(), value: z.number(), stdError: z.number(), status: z.enum(["scored", "duplicate"]) })),
    }).passthrough(),
  }).passthrough(),
  result: z.object({ adapterRoot: hex, perplexityBefore: z.number(), perplexityAfter: z.number() }),
});

export type AttributionRecord = z.infer<typeof attributionRecordSchema>;

/** A record that does not have the shape the page reads. */
export class AttributionRecordError extends Error {
  override name = "AttributionRecordError";
}

/** Parse the record's bytes (JSON); throws `AttributionRecordError` saying what is wrong. */
export function parseAttributionRecord(bytes: Uint8Array): AttributionRecord {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new AttributionRecordError("The attribution record is not JSON; the store may have returned something else.", { cause });
  }
  const parsed = attributionRecordSchema.safeParse(json);
  if (!parsed.success) {
    throw new AttributionRecordError(`The attribution record does not have the expected shape: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`);
  }
  return parsed.data;
}
