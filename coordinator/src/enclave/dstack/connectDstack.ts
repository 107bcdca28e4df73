import { DstackClient } from "@phala/dstack-sdk";
import { DstackResponseError, DstackUnavailableError } from "../adapterErrors.js";

/** The calls the dstack adapters make; `DstackClient` fits, and so does anything speaking its protocol. */
export type DstackClientLike = Pick<DstackClient, "getKey" | "getQuote" | "info">;

export interface ConnectDstackParameters {
  /** Unix socket path or http(s) URL; default: DSTACK_SIMULATOR_ENDPOINT, else /var/run/dstack.sock. */
  endpoint?: string;
  /** Default `new DstackClient(endpoint)`. */
  client?: DstackClientLike;
}

export interface DstackConnection {
  client: DstackClientLike;
  /** The endpoint errors name. */
  endpoint: string;
  /** Run one guest-agent call: a refused or missing socket becomes DstackUnavailableError (retryable), anything else DstackResponseError. */
  call<T>(name: string, run: () => Promise<T>): Promise<T>;
}

/**
 * A client of dstack's guest agent, with its failures sorted into the two errors an operator can
 * act on. @throws DstackUnavailableError when the client cannot be made (no socket there).
 */
export function connectDstack(params: ConnectDstackParameters): DstackConnection {
  const endpoint = params.endpoint ?? process.env.DSTACK_SIMULATOR_ENDPOINT ?? "/var/run/dstack.sock";
  let client: DstackClientLike;
  try {
    client = params.client ?? new DstackClient(params.endpoint);
  } catch (cause) {
    throw new DstackUnavailableError(endpoint, (cause as Error).message, { cause });
  }
  const call = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (cause) {
      const message = (cause as Error).message ?? String(cause);
      if (/ECONNREFUSED|ENOENT|timed out|aborted|EPIPE|ECONNRESET|socket/i.test(message)) {
        throw new DstackUnavailableError(endpoint, `${name}: ${message}`, { cause });
      }
      throw new DstackResponseError(name, message, { cause });
    }
  };
  return { client, endpoint, call };
}
