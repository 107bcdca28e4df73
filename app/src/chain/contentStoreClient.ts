import { computeContentRootInBrowser } from "./computeContentRootInBrowser.js";

/** The content store could not be reached, refused the content, or handed back other bytes. */
export class ContentStoreError extends Error {
  override name = "ContentStoreError";
}

/**
 * The content store over HTTP (the local store served by scripts/app, or any gateway that speaks
 * `PUT /content` → `{ root, size }` and `GET /content/<root>`). Every root is re-computed here:
 * a put whose answer names another root, or a get whose bytes hash to another root, is refused.
 */
export function createContentStoreClient(baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    async put(bytes: Uint8Array): Promise<{ root: `0x${string}`; size: number }> {
      const expected = await computeContentRootInBrowser(bytes);
      let res: Response;
      try {
        res = await fetch(`${base}/content`, { method: "PUT", body: bytes as BodyInit, headers: { "content-type": "application/octet-stream" } });
      } catch (cause) {
        throw new ContentStoreError(`The content store at ${base} does not answer; check that it runs (storeUrl in config.json), then retry.`, { cause });
      }
      if (!res.ok) throw new ContentStoreError(`The content store refused the file (HTTP ${res.status}): ${(await res.text()).slice(0, 200)}`);
      const body = (await res.json()) as { root?: string; size?: number };
      if (body.root?.toLowerCase() !== expected) throw new ContentStoreError(`The content store answered root ${body.root}, but the file's root is ${expected}; not contributing it.`);
      return { root: expected, size: bytes.length };
    },
    async get(root: `0x${string}`): Promise<Uint8Array> {
      let res: Response;
      try {
        res = await fetch(`${base}/content/${root}`);
      } catch (cause) {
        throw new ContentStoreError(`The content store at ${base} does not answer; check that it runs (storeUrl in config.json), then retry.`, { cause });
      }
      if (res.status === 404) throw new ContentStoreError(`The content store has nothing under ${root}.`);
      if (!res.ok) throw new ContentStoreError(`The content store failed to return ${root} (HTTP ${res.status}).`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const actual = await computeContentRootInBrowser(bytes);
      if (actual !== root.toLowerCase()) throw new ContentStoreError(`The content returned for ${root} hashes to ${actual}: the store handed back other bytes; not showing them.`);
      return bytes;
    },
  };
}

export type ContentStoreClient = ReturnType<typeof createContentStoreClient>;
