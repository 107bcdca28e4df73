import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseGlobalOptions } from "../../../coordinator/src/cli/globalOptions.js";
import { CliUsageError } from "../../../coordinator/src/cli/errors.js";

describe("the CLI's global options", () => {
  it("talks to INGOTFORGE_RPC_URL when --rpc is not given (the node --network localhost and the coordinator use), --rpc winning", () => {
    expect(parseGlobalOptions({}, {}).rpcUrl).toBe("http://127.0.0.1:8545");
    expect(parseGlobalOptions({}, { INGOTFORGE_RPC_URL: "http://127.0.0.1:18545" }).rpcUrl).toBe("http://127.0.0.1:18545");
    expect(parseGlobalOptions({ rpc: "http://10.0.0.2:8545" }, { INGOTFORGE_RPC_URL: "http://127.0.0.1:18545" }).rpcUrl).toBe("http://10.0.0.2:8545");
    expect(() => parseGlobalOptions({}, { INGOTFORGE_RPC_URL: "ws://127.0.0.1:8546" })).toThrow(CliUsageError);
    expect(() => parseGlobalOptions({}, { INGOTFORGE_RPC_URL: "ws://127.0.0.1:8546" })).toThrow(/^INGOTFORGE_RPC_URL must be an http\(s\) URL/);
  });

  it("stores content where the coordinator and the worker do: INGOTFORGE_STORAGE_DIR, else <INGOTFORGE_DATA_DIR or .ingotforge>/store", () => {
    expect(parseGlobalOptions({}, {}).storeDir).toBe(path.resolve(".ingotforge/store"));
    expect(parseGlobalOptions({}, { INGOTFORGE_DATA_DIR: "/srv/forge" }).storeDir).toBe("/srv/forge/store");
    expect(parseGlobalOptions({}, { INGOTFORGE_DATA_DIR: "/srv/forge", INGOTFORGE_STORAGE_DIR: "/srv/content" }).storeDir).toBe("/srv/content");
    expect(parseGlobalOptions({ store: "/tmp/s" }, { INGOTFORGE_STORAGE_DIR: "/srv/content" }).storeDir).toBe("/tmp/s");
  });
});
