import type { ReactNode } from "react";
import { navigate } from "../router.js";

/** An in-app link: a real <a href> (so it opens in a new tab too) that navigates without reloading. */
export function Link({ href, children, ...rest }: { href: string; children: ReactNode; "aria-label"?: string; className?: string }) {
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
