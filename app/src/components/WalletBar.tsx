import { useState } from "react";
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { useAppConfig } from "../config/AppConfigContext.js";
import { useChainNow } from "../chain/useChainNow.js";
import { errorToWords } from "../format/errorToWords.js";
import { shortAddress } from "../format/shortAddress.js";
import { connectorLabel } from "../format/connectorLabel.js";
import { DEV_CONNECTOR_PREFIX } from "../wallet/createAppWagmiConfig.js";

/**
 * Connect / account / chain state, with a clear line for each thing that stops a person: no
 * wallet found, wrong chain (with a switch button), a refused connection, an RPC that is down.
 */
export function WalletBar() {
  const config = useAppConfig();
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const switchChain = useSwitchChain();
  const chainNow = useChainNow();
  const [open, setOpen] = useState(false);
  const hasWindowEthereum = typeof window !== "undefined" && "ethereum" in window;
  const wallets = connectors.filter((c) => !c.id.startsWith(DEV_CONNECTOR_PREFIX) && (c.id !== "injected" || hasWindowEthereum));
  const devAccounts = connectors.filter((c) => c.id.startsWith(DEV_CONNECTOR_PREFIX));
  const wrongChain = connection.status === "connected" && connection.chainId !== config.chainId;

  return (
    <div className="wallet-bar">
      {chainNow.error ? (
        <p role="alert" className="banner banner-error">
          The chain's RPC at {config.rpcUrl} does not answer; the page shows nothing live until it does. Check the node or the rpcUrl in config.json.
        </p>
      ) : null}
      {connection.status === "connected" ? (
        <div className="account">
          <span aria-label="Connected account">
            {shortAddress(connection.address)} <small>via {connectorLabel(connection.connector?.name, connection.address)}</small>
          </span>
          <button type="button" onClick={() => disconnect.mutate()}>Disconnect</button>
        </div>
      ) : (
        <div className="connect">
          <button type="button" aria-expanded={open} aria-controls="wallet-menu" onClick={() => setOpen(!open)}>
            Connect wallet
          </button>
          {open ? (
            <div id="wallet-menu" role="group" aria-label="Choose a wallet" className="wallet-menu">
              {wallets.length === 0 ? <p>No browser wallet found. Install one (any EIP-6963 wallet works){devAccounts.length ? ", or use a test account below" : ""}.</p> : null}
              {wallets.map((c) => (
                <button key={c.uid} type="button" onClick={() => connect.mutate({ connector: c }, { onSuccess: () => setOpen(false) })}>
                  {c.name}
                </button>
              ))}
              {devAccounts.length ? (
                <fieldset>
                  <legend>Local test accounts (chain 31337 only; public keys, never use them elsewhere)</legend>
                  {devAccounts.map((c) => (
                    <button key={c.uid} type="button" onClick={() => connect.mutate({ connector: c }, { onSuccess: () => setOpen(false) })}>
                      {c.name}
                    </button>
                  ))}
                </fieldset>
              ) : null}
            </div>
          ) : null}
          {connect.error ? <p role="alert" className="banner banner-error">{errorToWords(connect.error)}</p> : null}
        </div>
      )}
      {wrongChain ? (
        <p role="alert" className="banner banner-warn">
          Your wallet is on chain {connection.chainId}; this Forge lives on {config.chainName} ({config.chainId}).{" "}
          <button type="button" onClick={() => switchChain.mutate({ chainId: config.chainId })}>Switch to {config.chainName}</button>
          {switchChain.error ? <> {errorToWords(switchChain.error)}</> : null}
        </p>
      ) : null}
    </div>
  );
}
