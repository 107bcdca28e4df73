/** The gateway refused or could not be reached; the message says what to do. */
export class PlaygroundError extends Error {
  override name = "PlaygroundError";
}

/** One JSON call to the gateway (or its key desk); the gateway's OpenAI-style error in words when it refuses. */
export async function callGateway<T>(url: string, init: { method?: string; apiKey?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...(init.apiKey ? { authorization: `Bearer ${init.apiKey}` } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    throw new PlaygroundError(`The gateway at ${url} did not answer (${(error as Error).message}); check that it runs and reload.`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PlaygroundError(`The gateway answered ${res.status} with something other than JSON; check gatewayUrl in config.json.`);
  }
  if (!res.ok) {
    const e = (json as { error?: string | { message?: string } }).error;
    const message = typeof e === "string" ? e : (e?.message ?? `HTTP ${res.status}`);
    throw new PlaygroundError(`The gateway refused (${res.status}): ${message}`);
  }
  return json as T;
}
