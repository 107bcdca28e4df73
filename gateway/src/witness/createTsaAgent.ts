import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";

/**
 * A keep-alive HTTP(S) agent for one TSA (`requestTimeStamp`'s `agent`): batches reuse one
 * connection instead of opening one each (the handshake was most of a batch's CPU). One socket:
 * the batcher has one request in flight at a time. Destroy it when the witnesses close.
 */
export function createTsaAgent(tsaUrl: string): HttpAgent {
  const options = { keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000 };
  return new URL(tsaUrl).protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
}
