import hre from "hardhat";
import { keccak256, recoverTypedDataAddress, toBytes, type Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { SimulatedEnclaveChainError } from "../../../coordinator/src/enclave/adapterErrors.js";
import { SimulatedQuoteChainError } from "../../../coordinator/src/enclave/errors.js";
import { readQuoteBlock } from "../../../coordinator/src/chain/readQuoteBlock.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";
import { SIMULATED_PLATFORM_ADDRESS } from "../../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { HoldoutOpenError } from "../../../coordinator/src/sealing/errors.js";
import { sealHoldout } from "../../../coordinator/src/sealing/sealHoldout.js";

function recordingLogger() {
  const lines: Array<{ level: string; obj: unknown; msg?: string }> = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, logger: { warn: at("warn"), info: at("info"), error: at("error") } as never };
}

const SEED: Hex = keccak256(toBytes("test seed"));
const typedData = {
  domain: { name: "IngotForge", version: "1", chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000f0" },
  types: { EvalResult: [{ name: "forge", type: "address" }, { name: "scoresHash", type: "bytes32" }] },
  primaryType: "EvalResult",
  message: { forge: "0x00000000000000000000000000000000000000f0", scoresHash: keccak256(toBytes("scores")) },
} as const;

describe("createSimulatedEnclave", () => {
  it("exports the measurement keccak256('ingotforge.simulated-measurement.v1')", () => {
    expect(SIMULATED_MEASUREMENT).toBe(keccak256(toBytes("ingotforge.simulated-measurement.v1")));
  });

  it("refuses any chain but 31337 unless forced, and a forced one still gets no accepted quote", async () => {
    const { logger } = recordingLogger();
    await expect(createSimulatedEnclave({ chainId: 1, logger })).rejects.toBeInstanceOf(SimulatedEnclaveChainError);
    await expect(createSimulatedEnclave({ chainId: 1, logger })).rejects.toThrow(/forceChain/);
    const forced = await createSimulatedEnclave({ chainId: 16601, forceChain: true, logger });
    expect(forced.describe()).toMatchObject({ kind: "simulated", simulated: true, chainId: 16601 });
    await expect(forced.getQuote(`0x${"00".repeat(64)}`)).rejects.toBeInstanceOf(SimulatedQuoteChainError);
  });

  it("warns loudly that it is simulated, and describe() says so", async () => {
    const { logger, lines } = recordingLogger();
    const enclave = await createSimulatedEnclave({ chainId: 31337, logger });
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe("warn");
    expect(lines[0].msg).toMatch(/^SIMULATED ENCLAVE/);
    expect(enclave.kind).toBe("simulated");
    expect(enclave.describe()).toEqual({
      kind: "simulated",
      simulated: true,
      signerAddress: enclave.signerAddress,
      hpkePublicKey: enclave.hpkePublicKey,
      measurement: SIMULATED_MEASUREMENT,
      chainId: 31337,
    });
  });

  it("derives the same keys from the same seed after a restart, and other keys from another seed", async () => {
    const { logger } = recordingLogger();
    const a = await createSimulatedEnclave({ chainId: 31337, secretSeed: SEED, logger });
    const b = await createSimulatedEnclave({ chainId: 31337, secretSeed: SEED, logger });
    const c = await createSimulatedEnclave({ chainId: 31337, secretSeed: keccak256(toBytes("other")), logger });
    expect([b.signerAddress, b.hpkePublicKey]).toEqual([a.signerAddress, a.hpkePublicKey]);
    expect(c.signerAddress).not.toBe(a.signerAddress);
    expect(c.hpkePublicKey).not.toBe(a.hpkePublicKey);
    expect(a.hpkePublicKey).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("signs EIP-712 data with the key whose address it reports", async () => {
    const { logger } = recordingLogger();
    const enclave = await createSimulatedEnclave({ chainId: 31337, secretSeed: SEED, logger });
    const signature = await enclave.signTypedData(typedData);
    expect(await recoverTypedDataAddress({ ...typedData, signature })).toBe(enclave.signerAddress);
  });

  it("opens a holdout sealed to its HPKE key, also after a restart, and not one sealed to another enclave", async () => {
    const { logger } = recordingLogger();
    const enclave = await createSimulatedEnclave({ chainId: 31337, secretSeed: SEED, logger });
    const holdout = new TextEncoder().encode('{"prompt":"p","response":"r"}\n');
    const { bytes } = await sealHoldout({ plaintext: holdout, recipientPublicKey: toBytes(enclave.hpkePublicKey) });
    const restarted = await createSimulatedEnclave({ chainId: 31337, secretSeed: SEED, logger });
    expect(await restarted.openSealed(bytes)).toEqual(holdout);
    const other = await createSimulatedEnclave({ chainId: 31337, logger });
    await expect(other.openSealed(bytes)).rejects.toBeInstanceOf(HoldoutOpenError);
  });

  it("refuses report data that is not 64 bytes", async () => {
    const { logger } = recordingLogger();
    const enclave = await createSimulatedEnclave({ chainId: 31337, logger });
    await expect(enclave.getQuote(`0x${"00".repeat(32)}`)).rejects.toThrow(/reportData is not 64 bytes/);
  });
});

describe("createSimulatedEnclave against EnclaveRegistry on the in-process chain", () => {
  type Connection = Awaited<ReturnType<typeof hre.network.connect>>;
  let viem: Connection["viem"];
  let registry: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
  let chainId: number;

  beforeAll(async () => {
    ({ viem } = await hre.network.connect());
    const [wallet] = await viem.getWalletClients();
    chainId = await (await viem.getPublicClient()).getChainId();
    const verifier = await viem.deployContract("SimulatedQuoteVerifier", [SIMULATED_PLATFORM_ADDRESS]);
    registry = await viem.deployContract("EnclaveRegistry", [wallet.account.address, verifier.address, 7n * 24n * 3600n]);
    await registry.write.setMeasurementAllowed([SIMULATED_MEASUREMENT, true]);
  });

  it("registers its signer and HPKE key from its own quote, marked simulated", async () => {
    const { logger } = recordingLogger();
    const enclave = await createSimulatedEnclave({ chainId, secretSeed: SEED, logger });
    const block = await readQuoteBlock(await viem.getPublicClient());
    const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, chainId, block.hash));
    const hash = await registry.write.registerEnclave([quote, enclave.signerAddress, enclave.hpkePublicKey, block.number]);
    expect((await (await viem.getPublicClient()).waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await registry.read.isValid([enclave.signerAddress])).toBe(true);
    const onChain = await registry.read.enclave([enclave.signerAddress]);
    expect(onChain).toMatchObject({ measurement: SIMULATED_MEASUREMENT, hpkePublicKey: enclave.hpkePublicKey, simulated: true });
  });

  it("makes debug quotes when asked, and the registry refuses them", async () => {
    const { logger } = recordingLogger();
    const enclave = await createSimulatedEnclave({ chainId, secretSeed: keccak256(toBytes("debug")), debug: true, logger });
    const block = await readQuoteBlock(await viem.getPublicClient());
    const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, chainId, block.hash));
    await expect(registry.simulate.registerEnclave([quote, enclave.signerAddress, enclave.hpkePublicKey, block.number])).rejects.toThrow(/EnclaveDebugRefused/);
  });
});
