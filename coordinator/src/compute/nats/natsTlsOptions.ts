import { isIP } from "node:net";
import type { TlsOptions } from "@nats-io/nats-core";

/**
 * The `tls` connection option that verifies a NATS server against the pool's CA (PEM file) and
 * the host of `url`. nats.js checks a DNS name itself, but for a URL with an IP address it passes
 * no name, and Node then checks the certificate for "localhost"; so when every server in `url` has
 * the same IP, that IP is passed as the TLS `host` and must be one of the certificate's IP SANs.
 */
export function natsTlsOptions(params: { url: string; caFile: string }): TlsOptions {
  const hosts = new Set(
    params.url.split(",").map((u) => {
      const s = u.trim();
      const parsed = new URL(s.includes("://") ? s : `nats://${s}`);
      return parsed.hostname.replace(/^\[|\]$/g, "");
    }),
  );
  const [host] = hosts;
  if (hosts.size === 1 && host !== undefined && isIP(host)) return { caFile: params.caFile, host } as TlsOptions;
  return { caFile: params.caFile };
}
