import hre from "hardhat";
import { keccak256, size, toBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import { EnclaveInputError } from "../../../coordinator/src/enclave/errors.js";
import { readQuoteBlock } from "../../../coordinator/src/chain/readQuoteBlock.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";
import { tdxMeasurement } from "../../../coordinator/src/enclave/dcap/tdxMeasurement.js";
import { td10Output } from "./td10Output.js";

const reg = (byte: number): Hex => `0x${byte.toString(16).padStart(2, "0").repeat(48)}`;
const MR_TD = reg(0x11);
const RTMR = [reg(0x20), reg(0x21), reg(0x22), reg(0x23)] as const;
const HPKE_KEY: Hex = `0x${"cd".repeat(32)}`;
const SIGNER = privateKeyToAccount(keccak256(toBytes("tdx enclave signer"))).address;

type Connection = Awaited<ReturnType<typeof hre.network.connect>>;
let viem: Connection["viem"];
let automata: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
let dcap: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
let registry: Awaited<ReturnType<Connection["viem"]["deployContract"]>>;
let chainId: number;

describe("tdxMeasurement against DcapQuoteVerifier on the in-process chain", () => {
  beforeAll(async () => {
    ({ viem } = await hre.network.connect());
    const [wallet] = await viem.getWalletClients();
    const admin: Address = wallet.account.address;
    chainId = await (await viem.getPublicClient()).getChainId();
    automata = await viem.deployContract("MockAutomataDcapAttestation");
    dcap = await viem.deployContract("DcapQuoteVerifier", [admin, automata.address]);
    registry = await viem.deployContract("EnclaveRegistry", [admin, dcap.address, 86_400n]);
  });

  for (const layout of ["v1.0", "v1.1"] as const) {
    it(`equals the measurement the adapter reads from a ${layout} output`, async () => {
      const output = td10Output({ layout, tcbStatus: 0, debug: false, mrTd: MR_TD, rtmr: RTMR, reportData: `0x${"00".repeat(64)}` });
      const facts = await dcap.read.parseOutput([output]);
      expect(facts.measurement).toBe(tdxMeasurement({ mrTd: MR_TD, rtmr: RTMR }));
      expect(facts.debug).toBe(false);
      expect(facts.mrTd).toBe(MR_TD);
    });
  }

  it("registers a TDX enclave whose measurement the protocol allowed", async () => {
    const measurement = tdxMeasurement({ mrTd: MR_TD, rtmr: RTMR });
    await registry.write.setMeasurementAllowed([measurement, true]);
    const block = await readQuoteBlock(await viem.getPublicClient());
    const output = td10Output({
      layout: "v1.1",
      tcbStatus: 0,
      debug: false,
      mrTd: MR_TD,
      rtmr: RTMR,
      reportData: reportDataFor(SIGNER, HPKE_KEY, chainId, block.hash),
    });
    await automata.write.setResult([true, output]);
    await registry.write.registerEnclave(["0x04000200810000", SIGNER, HPKE_KEY, block.number]);
    const enclave = await registry.read.enclave([SIGNER]);
    expect(enclave.measurement).toBe(measurement);
    expect(enclave.simulated).toBe(false);
    expect(await registry.read.isValid([SIGNER])).toBe(true);
  });

  it("changes when RTMR3 (the dstack app) changes", () => {
    const other = tdxMeasurement({ mrTd: MR_TD, rtmr: [RTMR[0], RTMR[1], RTMR[2], reg(0x99)] });
    expect(other).not.toBe(tdxMeasurement({ mrTd: MR_TD, rtmr: RTMR }));
    expect(size(other)).toBe(32);
  });

  it("refuses a register that is not 48 bytes and names it", () => {
    expect(() => tdxMeasurement({ mrTd: MR_TD, rtmr: [RTMR[0], "0x12", RTMR[2], RTMR[3]] })).toThrow(EnclaveInputError);
    expect(() => tdxMeasurement({ mrTd: MR_TD, rtmr: [RTMR[0], "0x12", RTMR[2], RTMR[3]] })).toThrow(/rtmr\[1\]/);
  });
});
