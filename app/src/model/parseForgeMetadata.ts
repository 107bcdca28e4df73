/** Title, description and the creator's "This Forge needs" list, from a Forge's metadata URI. */
export interface ForgeMetadata {
  title: string;
  description: string;
  needs: string[];
}

/**
 * Reads a `data:application/json,` metadata URI (what the CLI and the page's Create form write).
 * Anything else (an ipfs:// or https:// URI the page does not fetch, malformed JSON) gives a
 * title made from the fallback and the URI as the description, never an exception.
 */
export function parseForgeMetadata(uri: string, fallbackTitle: string): ForgeMetadata {
  const prefix = /^data:application\/json(;charset=utf-8)?,/i.exec(uri);
  if (prefix) {
    try {
      const json = JSON.parse(decodeURIComponent(uri.slice(prefix[0].length))) as Record<string, unknown>;
      const needs = Array.isArray(json.needs) ? json.needs.filter((n): n is string => typeof n === "string") : [];
      return {
        title: typeof json.title === "string" && json.title.trim() ? json.title : fallbackTitle,
        description: typeof json.description === "string" ? json.description : "",
        needs,
      };
    } catch {
      // fall through
    }
  }
  return { title: fallbackTitle, description: uri, needs: [] };
}

/** The metadata URI the Create form writes. */
export function forgeMetadataUri(meta: ForgeMetadata): string {
  return "data:application/json," + encodeURIComponent(JSON.stringify(meta));
}
