import { createContext, useContext } from "react";
import type { RuntimeConfig } from "./runtimeConfig.js";
import type { ContentStoreClient } from "../chain/contentStoreClient.js";

export type AppContextValue = RuntimeConfig & { store: ContentStoreClient };

/** The runtime config and the content store, handed down from the root (no global store). */
export const AppConfigContext = createContext<AppContextValue | null>(null);

export function useAppConfig(): AppContextValue {
  const value = useContext(AppConfigContext);
  if (!value) throw new Error("useAppConfig outside <AppConfigContext.Provider>");
  return value;
}
