import { useState } from "react";
import { shortAddress } from "../format/shortAddress.js";
import { useAppConfig } from "../config/AppConfigContext.js";

/** A short address with a copy button and, when the chain has an explorer, a link to it. */
export function AddressText({ value, label }: { value: string; label: string }) {
  const { explorerUrl } = useAppConfig();
  const [copied, setCopied] = useState(false);
  return (
    <span className="address">
      <code title={value}>{shortAddress(value)}</code>
      <button
        type="button"
        className="icon-button"
        aria-label={`Copy ${label} ${value}`}
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
        }}
      >
        {copied ? "copied" : "copy"}
      </button>
      {explorerUrl ? (
        <a href={`${explorerUrl.replace(/\/$/, "")}/address/${value}`} target="_blank" rel="noreferrer" aria-label={`${label} on the explorer`}>
          explorer ↗
        </a>
      ) : null}
    </span>
  );
}
