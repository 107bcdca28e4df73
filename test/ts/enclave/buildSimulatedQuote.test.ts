import hre from "hardhat";
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import { SimulatedQuoteChainError, EnclaveInputError } from "../../../coordinator/src/enclave/errors.js";
import { readQuoteBlock } from "../../../coordinator/src/chain/readQuoteBlock.js";
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
let networkHelpers: Connection["networkHelpers"];
let registry: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
let admin: Address;
let chainId: number;

describe("buildSimulatedQuote against the in-process chain", () => {
  beforeAll(async () => {
    ({ viem, networkHelpers } = await hre.network.connect());
    const [wallet] = await viem.getWalletClients();
    admin = wallet.account.address;
    chainId = await (await viem.getPublicClient()).getChainId();
    const verifier = await viem.deployContract("SimulatedQuoteVerifier", [SIMULATED_PLATFORM_ADDRESS]);
    registry = await viem.deployContract("EnclaveRegistry", [admin, verifier.address, TTL]);
    await registry.write.setMeasurementAllowed([MEASUREMENT, true]);
  });

  /** A fresh quote over the latest block, as ensureEnclaveRegistered makes one. */
  const freshQuote = async (signer: Address, hpke: Hex, debug = false) => {
    const block = await readQuoteBlock(await viem.getPublicClient());
    const quote = await buildSimulatedQuote({ chainId, measurement: MEASUREMENT, reportData: reportDataFor(signer, hpke, chainId, block.hash), debug });
    return { quote, quoteBlock: block.number };
  };

  it("computes the same report data as EnclaveRegistry.reportDataFor", async () => {
    const block = await readQuoteBlock(await viem.getPublicClient());
    const onChain = await registry.read.reportDataFor([ENCLAVE_SIGNER, HPKE_KEY, block.number]);
    expect(reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, chainId, block.hash)).toBe(onChain);
    expect(reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, chainId, block.hash).length).toBe(2 + 128);
    expect(onChain.slice(66)).toBe(block.hash.slice(2));
  });

  it("registers an enclave from a simulated quote and reports its gas", async () => {
    const { quote, quoteBlock } = await freshQuote(ENCLAVE_SIGNER, HPKE_KEY);
    const publicClient = await viem.getPublicClient();
    const hash = await registry.write.registerEnclave([quote, ENCLAVE_SIGNER, HPKE_KEY, quoteBlock]);
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
    const { quote, quoteBlock } = await freshQuote(signer, HPKE_KEY, true);
    await expect(registry.simulate.registerEnclave([quote, signer, HPKE_KEY, quoteBlock])).rejects.toThrow(/EnclaveDebugRefused/);
  });

  it("builds a quote that cannot register a different signer", async () => {
    const other = privateKeyToAccount(keccak256(toBytes("other enclave"))).address;
    const { quote, quoteBlock } = await freshQuote(ENCLAVE_SIGNER, HPKE_KEY);
    await expect(registry.simulate.registerEnclave([quote, other, HPKE_KEY, quoteBlock])).rejects.toThrow(/EnclaveReportDataMismatch/);
  });

  it("refuses to renew an expired key from its old quote, and renews it from a fresh one", async () => {
    const signer = privateKeyToAccount(keccak256(toBytes("renewed enclave"))).address;
    const old = await freshQuote(signer, HPKE_KEY);
    await registry.write.registerEnclave([old.quote, signer, HPKE_KEY, old.quoteBlock]);
    // 400 days and 300 blocks later, the key has expired and the old quote's block is out of reach.
    await networkHelpers.time.increase(400 * 24 * 3600);
    await networkHelpers.mine(300);
    expect(await registry.read.isValid([signer])).toBe(false);
    await expect(registry.simulate.registerEnclave([old.quote, signer, HPKE_KEY, old.quoteBlock])).rejects.toThrow(/EnclaveQuoteNotFresh/);
    const latest = await readQuoteBlock(await viem.getPublicClient());
    await expect(registry.simulate.registerEnclave([old.quote, signer, HPKE_KEY, latest.number])).rejects.toThrow(/EnclaveReportDataMismatch/);

    const fresh = await freshQuote(signer, HPKE_KEY);
    await registry.write.registerEnclave([fresh.quote, signer, HPKE_KEY, fresh.quoteBlock]);
    expect(await registry.read.isValid([signer])).toBe(true);
  });

  it("uses the documented public platform key", () => {
    expect(SIMULATED_PLATFORM_PRIVATE_KEY).toBe(keccak256(toBytes("ingotforge.simulated-platform.v1")));
    // Same address the Solidity tests pin.
    expect(SIMULATED_PLATFORM_ADDRESS).toBe("0xEee7481153a0489a74194Cad5992923f32633937");
  });
});

describe("buildSimulatedQuote input checks", () => {
  const BLOCK_HASH: Hex = keccak256(toBytes("a recent block"));
  const reportData = reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, 31337, BLOCK_HASH);

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
    expect(() => reportDataFor(ENCLAVE_SIGNER, "0xabcd", 31337, BLOCK_HASH)).toThrow(/hpkePublicKey is not 32 bytes/);
  });

  it("refuses a signer that is not an address", () => {
    expect(() => reportDataFor("0x1234" as Address, HPKE_KEY, 31337, BLOCK_HASH)).toThrow(EnclaveInputError);
  });

  it("binds the chain id into the report data", () => {
    expect(reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, 1, BLOCK_HASH)).not.toBe(reportData);
  });

  it("ends the report data with the quote block's hash, and refuses a missing or zero hash", () => {
    expect(reportData.slice(66)).toBe(BLOCK_HASH.slice(2));
    expect(() => reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, 31337, `0x${"00".repeat(32)}`)).toThrow(/quoteBlockHash is not the 32-byte hash/);
    expect(() => reportDataFor(ENCLAVE_SIGNER, HPKE_KEY, 31337, "0x1234")).toThrow(EnclaveInputError);
  });
});
