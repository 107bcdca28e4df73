import type { Agent } from "node:http";
import { buildTimeStampRequest } from "./buildTimeStampRequest.js";
import { TimeStampError } from "./errors.js";
import { parseTimeStampResponse, type GrantedTimeStamp } from "./parseTimeStampResponse.js";
import { postTimeStampQuery } from "./postTimeStampQuery.js";
import { randomNonce } from "./randomNonce.js";

export interface RequestTimeStampParameters {
  tsaUrl: string;
  /** The 32-byte SHA-256 digest to time-stamp. */
  digest: Uint8Array;
  timeoutMs?: number;
  /** For tests: a fixed nonce. */
  nonce?: bigint;
  /** A keep-alive agent for the TSA's scheme (`createTsaAgent`), so batches reuse one connection. */
  agent?: Agent;
}

/**
 * Ask an RFC 3161 TSA for a time-stamp of `digest`: POST the DER `TimeStampReq` as
 * `application/timestamp-query`, read the `application/timestamp-reply`, and check it
 * (`parseTimeStampResponse`: granted, same imprint, same nonce).
 *
 * @throws TimeStampError when the TSA cannot be reached, answers non-2xx, or the reply does not check.
 */
export async function requestTimeStamp({ tsaUrl, digest, timeoutMs = 10_000, nonce = randomNonce(), agent }: RequestTimeStampParameters): Promise<GrantedTimeStamp> {
  const body = buildTimeStampRequest(digest, nonce);
  let bytes: Uint8Array;
  try {
    bytes = await postTimeStampQuery(tsaUrl, body, timeoutMs, agent);
  } catch (error) {
    throw new TimeStampError(tsaUrl, (error as Error)?.message ?? String(error), { cause: error });
  }
  try {
    return parseTimeStampResponse(bytes, digest, nonce);
  } catch (error) {
    throw new TimeStampError(tsaUrl, (error as Error).message, { cause: error });
  }
}
