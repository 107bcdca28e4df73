import hre from "hardhat";
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import { SimulatedQuoteChainError, EnclaveInputError } from "../../../coordinator/src/enclave/errors.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";
import {
  SIMULATED_PLATFORM_ADDRESS,
  SIMULATED_PLATFORM_PRIVATE_KEY,
  buildSimulatedQuote,
} from "../../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";

const TTL = 7n * 24n * 3600n;
const MEASUREMENT = keccak256(toBytes("ingotforge-eval-enclave v1"));
const HPKE_KEY: Hex = `0x${"ab".repeat(32)}`;
// An enclave's signing key: derived inside the TEE in production, fixed here.
const ENCLAVE_SIGNER = privateKeyToAccount(keccak256(toBytes("test enclave signer"))).address;

type Connection = Awaited<ReturnType<typeof hre.network.connect>>;
let viem: Connection["viem"];
let registry: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
let admin: Address;
let chainId: number;

describe("buildSimulatedQuote against the in-process chain", () => {
  beforeAll(async () => {
    ({ viem } = await hre.network.connect());
    const [wallet] = await viem.getWalletClients();
    admin = wallet.account.address;
    chainId = await (await viem.getPublicClient()).getChainId();
    const verifier = await viem.deployContract("SimulatedQuoteVerifier", [SIMULATED_PLATFORM_ADDRESS]);
    registry = await viem.deployContract("EnclaveRegistry", [admin, verifier.address, TTL]);
    await registry.write.setMeasurementAllowed([MEASUREMENT, true]);
  });

  it("computes the same report data as EnclaveRegistry.reportDataFor", async () => {
    const onChain = await registry.read.reportDataFor([ENCLAVE_SIGNER, HPKE_KEY]);
    expect(reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, chainId)).toBe(onChain);
    expect(reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, chainId).length).toBe(2 + 128);
  });

  it("registers an enclave from a simulated quote and reports its gas", async () => {
    const quote = await buildSimulatedQuote({
      chainId,
      measurement: MEASUREMENT,
      reportData: reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, chainId),
    });
    const publicClient = await viem.getPublicClient();
    const hash = await registry.write.registerEnclave([quote, ENCLAVE_SIGNER, HPKE_KEY]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    // Transaction gas (21k base and calldata included); the benchmark table quotes this figure.
    console.log(`registerEnclave (simulated verifier, first registration): ${receipt.gasUsed} gas`);
    expect(receipt.gasUsed).toBeLessThan(200_000n);

    expect(await registry.read.isValid([ENCLAVE_SIGNER])).toBe(true);
    const enclave = await registry.read.enclave([ENCLAVE_SIGNER]);
    expect(enclave.measurement).toBe(MEASUREMENT);
    expect(enclave.hpkePublicKey).toBe(HPKE_KEY);
    expect(enclave.simulated).toBe(true);
    expect(enclave.expiresAt - enclave.registeredAt).toBe(TTL);
  });

  it("builds a quote the registry refuses as debug when debug is claimed", async () => {
    const signer = privateKeyToAccount(keccak256(toBytes("debug enclave"))).address;
    const quote = await buildSimulatedQuote({
      chainId,
      measurement: MEASUREMENT,
      reportData: reportDataFor(signer, HPKE_KEY, chainId),
      debug: true,
    });
    await expect(registry.simulate.registerEnclave([quote, signer, HPKE_KEY])).rejects.toThrow(/EnclaveDebugRefused/);
  });

  it("builds a quote that cannot register a different signer", async () => {
    const other = privateKeyToAccount(keccak256(toBytes("other enclave"))).address;
    const quote = await buildSimulatedQuote({
      chainId,
      measurement: MEASUREMENT,
      reportData: reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, chainId),
    });
    await expect(registry.simulate.registerEnclave([quote, other, HPKE_KEY])).rejects.toThrow(/EnclaveReportDataMismatch/);
  });

  it("uses the documented public platform key", () => {
    expect(SIMULATED_PLATFORM_PRIVATE_KEY).toBe(keccak256(toBytes("ingotforge.simulated-platform.v1")));
    // Same address the Solidity tests pin.
    expect(SIMULATED_PLATFORM_ADDRESS).toBe("0xEee7481153a0489a74194Cad5992923f32633937");
  });
});

describe("buildSimulatedQuote input checks", () => {
  const reportData = reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, 31337);

  it("refuses a chain other than 31337 and says where simulated quotes work", async () => {
    const build = buildSimulatedQuote({ chainId: 1, measurement: MEASUREMENT, reportData });
    await expect(build).rejects.toBeInstanceOf(SimulatedQuoteChainError);
    await expect(build).rejects.toThrow(/only on chain 31337/);
  });

  it("refuses a measurement that is not 32 bytes", async () => {
    await expect(buildSimulatedQuote({ chainId: 31337, measurement: "0x1234", reportData })).rejects.toBeInstanceOf(
      EnclaveInputError,
    );
  });

  it("refuses an HPKE key that is not 32 bytes when computing report data", () => {
    expect(() => reportDataFor(ENCLAVE_SIGNER, "0xabcd", 31337)).toThrow(/hpkePublicKey is not 32 bytes/);
  });

  it("refuses a signer that is not an address", () => {
    expect(() => reportDataFor("0x1234" as Address, HPKE_KEY, 31337)).toThrow(EnclaveInputError);
  });

  it("binds the chain id into the report data", () => {
    expect(reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, 1)).not.toBe(reportData);
  });
});
