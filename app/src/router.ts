import { useEffect, useState } from "react";
import { parseRoute, type Route } from "./model/parseRoute.js";

export { parseRoute, type Route };

/** Go to `href` inside the app without reloading. */
export function navigate(href: string) {
  window.history.pushState(null, "", href);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** The current route, following back/forward and `navigate`. */
export function useRoute(): Route {
  const read = () => parseRoute(window.location.pathname, window.location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return route;
}
