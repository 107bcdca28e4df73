import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../coordinator/src/config/parseConfig.js";
import { SimulatedEnclaveChainError } from "../../../coordinator/src/enclave/adapterErrors.js";
import { createEnclave } from "../../../coordinator/src/enclave/createEnclave.js";
import { startDstackStandIn } from "./dstackStandIn.js";

const logger = { warn: () => undefined, info: () => undefined, error: () => undefined };
const base = { rpcUrl: "http://127.0.0.1:8545", dataDir: "/d" };

describe("createEnclave", () => {
  it("builds the simulated enclave from the default config, honouring forceChain", async () => {
    const config = parseConfig({ raw: { ...base, chainId: 31337 } });
    expect((await createEnclave({ config: config.enclave, chainId: 31337, logger })).describe().simulated).toBe(true);
    const strict = parseConfig({ raw: { ...base, chainId: 5 } });
    await expect(createEnclave({ config: strict.enclave, chainId: 5, logger })).rejects.toBeInstanceOf(SimulatedEnclaveChainError);
    const forced = parseConfig({ raw: { ...base, chainId: 5, enclave: { kind: "simulated", forceChain: true } } });
    expect((await createEnclave({ config: forced.enclave, chainId: 5, logger })).kind).toBe("simulated");
  });

  it("builds the dstack enclave on the configured endpoint", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dstack-"));
    const standIn = await startDstackStandIn({ socketPath: join(dir, "dstack.sock") });
    try {
      const config = parseConfig({ raw: { ...base, chainId: 1, enclave: { kind: "dstack", endpoint: standIn.endpoint } } });
      const enclave = await createEnclave({ config: config.enclave, chainId: 1, logger });
      expect(enclave.describe()).toMatchObject({ kind: "dstack", simulated: false });
    } finally {
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
