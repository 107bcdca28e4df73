import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDstackEnclave } from "../../../coordinator/src/enclave/dstack/createDstackEnclave.js";
import { readQuoteBlock } from "../../../coordinator/src/chain/readQuoteBlock.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";
import { automataOutputForQuote } from "./automataOutputForQuote.js";
import { startDstackStandIn, type DstackStandIn } from "./dstackStandIn.js";

const logger = { warn: () => undefined, info: () => undefined, error: () => undefined };

/**
 * A dstack enclave's quote on the chain: DcapQuoteVerifier over MockAutomataDcapAttestation
 * (primed with the output Automata would give for that exact quote) and EnclaveRegistry.
 */
describe("dstack enclave registration on the in-process chain", () => {
  type Connection = Awaited<ReturnType<typeof hre.network.connect>>;
  let viem: Connection["viem"];
  let registry: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
  let automata: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
  let chainId: number;
  let dir: string;
  let standIn: DstackStandIn;

  beforeAll(async () => {
    ({ viem } = await hre.network.connect());
    const [wallet] = await viem.getWalletClients();
    chainId = await (await viem.getPublicClient()).getChainId();
    automata = await viem.deployContract("MockAutomataDcapAttestation", []);
    const verifier = await viem.deployContract("DcapQuoteVerifier", [wallet.account.address, automata.address]);
    registry = await viem.deployContract("EnclaveRegistry", [wallet.account.address, verifier.address, 7n * 24n * 3600n]);
    dir = await mkdtemp(join(tmpdir(), "dstack-reg-"));
    standIn = await startDstackStandIn({ socketPath: join(dir, "dstack.sock") });
  });
  afterAll(async () => {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("registers the enclave's signer and HPKE key under the measurement it reports, not simulated", async () => {
    standIn.setMode("honest");
    const enclave = await createDstackEnclave({ endpoint: standIn.endpoint, logger });
    const { measurement } = enclave.describe();
    await registry.write.setMeasurementAllowed([measurement!, true]);
    const block = await readQuoteBlock(await viem.getPublicClient());
    const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, chainId, block.hash));
    await automata.write.setResult([true, automataOutputForQuote(quote)]);
    await registry.write.registerEnclave([quote, enclave.signerAddress, enclave.hpkePublicKey, block.number]);
    expect(await registry.read.isValid([enclave.signerAddress])).toBe(true);
    expect(await registry.read.enclave([enclave.signerAddress])).toMatchObject({
      measurement,
      hpkePublicKey: enclave.hpkePublicKey,
      simulated: false,
    });
    expect(await automata.read.lastQuote()).toBe(quote);
  });

  it("is refused when the stand-in quotes other report data than the enclave's keys", async () => {
    const other = await startDstackStandIn({ socketPath: join(dir, "other.sock"), appSecret: "other app", mode: "wrong-report-data" });
    try {
      const enclave = await createDstackEnclave({ endpoint: other.endpoint, logger });
      await registry.write.setMeasurementAllowed([enclave.describe().measurement!, true]);
      const block = await readQuoteBlock(await viem.getPublicClient());
      const quote = await enclave.getQuote(reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, chainId, block.hash));
      await automata.write.setResult([true, automataOutputForQuote(quote)]);
      await expect(registry.simulate.registerEnclave([quote, enclave.signerAddress, enclave.hpkePublicKey, block.number])).rejects.toThrow(
        /EnclaveReportDataMismatch/,
      );
      expect(await registry.read.isValid([enclave.signerAddress])).toBe(false);
    } finally {
      await other.close();
    }
  });
});
