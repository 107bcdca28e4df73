import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { WagmiProvider } from "wagmi";
import { loadRuntimeConfig } from "./config/loadRuntimeConfig.js";
import type { RuntimeConfig } from "./config/runtimeConfig.js";
import { AppConfigContext, type AppContextValue } from "./config/AppConfigContext.js";
import { createAppWagmiConfig } from "./wallet/createAppWagmiConfig.js";
import { createContentStoreClient } from "./chain/contentStoreClient.js";
import { App } from "./App.js";
import "./styles.css";

function Root() {
  const [loaded, setLoaded] = useState<{ app: AppContextValue; wagmi: ReturnType<typeof createAppWagmiConfig>; query: QueryClient } | { error: string } | null>(null);
  useEffect(() => {
    loadRuntimeConfig().then(
      (config: RuntimeConfig) => setLoaded({ app: { ...config, store: createContentStoreClient(config.storeUrl) }, wagmi: createAppWagmiConfig(config), query: new QueryClient() }),
      (error: Error) => setLoaded({ error: error.message }),
    );
  }, []);
  if (!loaded) return <p role="status">Loading the configuration…</p>;
  if ("error" in loaded) return <p role="alert" className="banner banner-error">{loaded.error}</p>;
  return (
    <AppConfigContext.Provider value={loaded.app}>
      <WagmiProvider config={loaded.wagmi}>
        <QueryClientProvider client={loaded.query}>
          <App />
        </QueryClientProvider>
      </WagmiProvider>
    </AppConfigContext.Provider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
