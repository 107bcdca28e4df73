/** A route read from the URL path, so a link always opens the same view. */
export type Route = { page: "list"; fork?: string } | { page: "forge"; address: `0x${string}` } | { page: "ingot"; id: bigint } | { page: "not-found"; path: string };

/** Parse a path (and query) into a route. */
export function parseRoute(pathname: string, search = ""): Route {
  const forge = /^\/forge\/(0x[0-9a-fA-F]{40})\/?$/.exec(pathname);
  if (forge) return { page: "forge", address: forge[1] as `0x${string}` };
  const ingot = /^\/ingot\/(\d{1,30})\/?$/.exec(pathname);
  if (ingot) return { page: "ingot", id: BigInt(ingot[1]) };
  if (pathname === "/" || pathname === "") {
    const fork = new URLSearchParams(search).get("fork");
    return fork && /^\d+$/.test(fork) ? { page: "list", fork } : { page: "list" };
  }
  return { page: "not-found", path: pathname };
}
