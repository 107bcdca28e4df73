import { ProofFetchError, ProofInputError } from "./errors.js";

export interface FetchProofParameters {
  /** The gateway's base URL, e.g. `https://gateway.example`; `/v1/proofs/:id` is appended. */
  gatewayUrl: string;
  proofId: string;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Default 10 000 ms. */
  timeoutMs?: number;
}

/**
 * `GET <gatewayUrl>/v1/proofs/<proofId>`: the proof JSON as the gateway serves it, unverified
 * (pass it to verifyProof with `proofId` to check it is the one asked for).
 *
 * @throws ProofInputError for a URL that is not http(s); ProofFetchError when the gateway is
 *   unreachable, answers other than 200, or the body is not JSON.
 */
export async function fetchProof({ gatewayUrl, proofId, fetch = globalThis.fetch, timeoutMs = 10_000 }: FetchProofParameters): Promise<unknown> {
  let base: URL;
  try {
    base = new URL(gatewayUrl);
  } catch {
    throw new ProofInputError("gatewayUrl", gatewayUrl, "not a URL", "Pass the gateway's base URL, e.g. http://127.0.0.1:8080");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new ProofInputError("gatewayUrl", gatewayUrl, "must be http or https", "Pass the gateway's base URL, e.g. http://127.0.0.1:8080");
  }
  const url = new URL(`${base.pathname.replace(/\/+$/, "")}/v1/proofs/${encodeURIComponent(proofId)}`, base).toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ProofFetchError(url, undefined, (error as Error).message, "Check the gateway URL and that the gateway is running", error);
  }
  const text = await response.text();
  if (response.status !== 200) {
    const hint = response.status === 404 ? "Check the proof id; the gateway keeps a proof per call it served" : "See the gateway's error body";
    throw new ProofFetchError(url, response.status, `HTTP ${response.status} ${text.slice(0, 200)}`, hint);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProofFetchError(url, response.status, "the body is not JSON", "Point --gateway at an IngotForge gateway", error);
  }
}
