import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, recoverTypedDataAddress, toBytes, type Hex } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DstackUnavailableError, TdxQuoteFormatError } from "../../../coordinator/src/enclave/adapterErrors.js";
import { tdxMeasurement } from "../../../coordinator/src/enclave/dcap/tdxMeasurement.js";
import { createDstackEnclave } from "../../../coordinator/src/enclave/dstack/createDstackEnclave.js";
import { parseTdxQuote } from "../../../coordinator/src/enclave/dstack/parseTdxQuote.js";
import { reportDataFor } from "../../../coordinator/src/enclave/reportDataFor.js";
import { sealHoldout } from "../../../coordinator/src/sealing/sealHoldout.js";
import { startDstackStandIn, type DstackStandIn } from "./dstackStandIn.js";

/** The hash of the block a registration quote commits to (any 32 bytes here: no chain involved). */
const A_BLOCK_HASH: Hex = keccak256(toBytes("a recent block"));

function recordingLogger() {
  const lines: Array<{ level: string; obj: unknown; msg?: string }> = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, logger: { warn: at("warn"), info: at("info"), error: at("error") } as never };
}

describe("createDstackEnclave over a unix socket", () => {
  let dir: string;
  let standIn: DstackStandIn;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dstack-"));
    standIn = await startDstackStandIn({ socketPath: join(dir, "dstack.sock") });
  });
  afterAll(async () => {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("asks GetKey for the fixed signer and HPKE paths, then Info", async () => {
    standIn.requests.length = 0;
    await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
    expect(standIn.requests.map((r) => r.path)).toEqual(["/GetKey", "/GetKey", "/Info"]);
    expect(standIn.requests[0].body).toMatchObject({ path: "ingotforge/signer/v1", algorithm: "secp256k1" });
    expect(standIn.requests[1].body).toMatchObject({ path: "ingotforge/hpke/v1" });
  });

  it("reports the measurement of /Info's registers, not simulated, with the app's identity", async () => {
    const enclave = await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
    expect(enclave.kind).toBe("dstack");
    expect(enclave.describe()).toMatchObject({
      kind: "dstack",
      simulated: false,
      measurement: tdxMeasurement({ mrTd: standIn.mrTd, rtmr: standIn.rtmr }),
      mrTd: standIn.mrTd,
      appId: "ea1f0b7bca05a4b04f6e1bd40c6b6d1d2b3c4d5e",
    });
  });

  it("gets the same keys after a restart of the same app", async () => {
    const a = await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
    const b = await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
    expect([b.signerAddress, b.hpkePublicKey]).toEqual([a.signerAddress, a.hpkePublicKey]);
    // The in-run result key too (from the HPKE key's GetKey secret), so answers sealed before the restart still open.
    const forge = "0x00000000000000000000000000000000000000a1" as const;
    expect((await b.inRunResultKey({ forge, computeId: 2 })).privateKey).toEqual((await a.inRunResultKey({ forge, computeId: 2 })).privateKey);
  });

  it("returns a TDX quote that carries the requested report data and the reported measurement", async () => {
    const enclave = await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
    const reportData = reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, 31337, A_BLOCK_HASH);
    const quote = await enclave.getQuote(reportData);
    expect(standIn.requests.at(-1)).toEqual({ path: "/GetQuote", body: { report_data: reportData.slice(2) } });
    const facts = parseTdxQuote(quote);
    expect(facts).toMatchObject({ version: 4, reportData, debug: false, measurement: enclave.describe().measurement });
  });

  it("signs EIP-712 data with its GetKey-derived signer and opens holdouts sealed to its GetKey-derived HPKE key", async () => {
    const enclave = await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
    const typedData = {
      domain: { name: "IngotForge", version: "1", chainId: 1 },
      types: { Ping: [{ name: "n", type: "uint256" }] },
      primaryType: "Ping",
      message: { n: 7n },
    } as const;
    expect(await recoverTypedDataAddress({ ...typedData, signature: await enclave.signTypedData(typedData) })).toBe(enclave.signerAddress);
    const holdout = toBytes("holdout line\n");
    const { bytes } = await sealHoldout({ plaintext: holdout, recipientPublicKey: toBytes(enclave.hpkePublicKey) });
    expect(await enclave.openSealed(bytes)).toEqual(holdout);
  });
});

describe("createDstackEnclave over DSTACK_SIMULATOR_ENDPOINT", () => {
  let standIn: DstackStandIn;
  const saved = process.env.DSTACK_SIMULATOR_ENDPOINT;
  beforeAll(async () => {
    standIn = await startDstackStandIn({ appSecret: "another app" });
  });
  afterEach(() => {
    standIn.setMode("honest");
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.DSTACK_SIMULATOR_ENDPOINT;
    else process.env.DSTACK_SIMULATOR_ENDPOINT = saved;
    await standIn.close();
  });

  it("finds the stand-in through the environment variable when no endpoint is given", async () => {
    process.env.DSTACK_SIMULATOR_ENDPOINT = standIn.endpoint;
    expect(standIn.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const enclave = await createDstackEnclave({ logger: recordingLogger().logger });
    const reportData = reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, 31337, A_BLOCK_HASH);
    expect(parseTdxQuote(await enclave.getQuote(reportData)).reportData).toBe(reportData);
  });

  it("derives other keys for another app secret", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dstack-"));
    const first = await startDstackStandIn({ socketPath: join(dir, "s.sock") });
    try {
      const a = await createDstackEnclave({ endpoint: first.endpoint, logger: recordingLogger().logger });
      const b = await createDstackEnclave({ endpoint: standIn.endpoint, logger: recordingLogger().logger });
      expect(a.signerAddress).not.toBe(b.signerAddress);
      expect(a.hpkePublicKey).not.toBe(b.hpkePublicKey);
    } finally {
      await first.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("in wrong-report-data mode returns a quote for other report data, and logs that registration will be refused", async () => {
    const { logger, lines } = recordingLogger();
    const enclave = await createDstackEnclave({ endpoint: standIn.endpoint, logger });
    standIn.setMode("wrong-report-data");
    const reportData = reportDataFor(enclave.signerAddress, enclave.hpkePublicKey, 31337, A_BLOCK_HASH);
    const quote = await enclave.getQuote(reportData);
    expect(parseTdxQuote(quote).reportData).not.toBe(reportData);
    expect(lines.some((l) => l.level === "error" && /registration will be refused/.test(l.msg ?? ""))).toBe(true);
  });
});

describe("createDstackEnclave when dstack is unreachable", () => {
  it("names a missing socket as DstackUnavailableError", async () => {
    const attempt = createDstackEnclave({ endpoint: "/nonexistent/dstack.sock", logger: recordingLogger().logger });
    await expect(attempt).rejects.toBeInstanceOf(DstackUnavailableError);
    await expect(attempt).rejects.toThrow(/DSTACK_SIMULATOR_ENDPOINT/);
  });

  it("names a refused connection as DstackUnavailableError", async () => {
    const standIn = await startDstackStandIn();
    const endpoint = standIn.endpoint;
    await standIn.close();
    await expect(createDstackEnclave({ endpoint, logger: recordingLogger().logger })).rejects.toBeInstanceOf(DstackUnavailableError);
  });
});

describe("parseTdxQuote", () => {
  const header = (version: number, tee: number) => {
    const h = new Uint8Array(48);
    const v = new DataView(h.buffer);
    v.setUint16(0, version, true);
    v.setUint32(4, tee, true);
    return h;
  };
  const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}` as Hex;

  it("reads a v5 quote with a TD10 body at its offset", () => {
    const body = new Uint8Array(584);
    body.set(toBytes(keccak256(toBytes("rd"))), 520);
    body[120] = 1;
    const descriptor = new Uint8Array([2, 0, 0x48, 0x02, 0, 0]);
    const facts = parseTdxQuote(hex(new Uint8Array([...header(5, 0x81), ...descriptor, ...body])));
    expect(facts.version).toBe(5);
    expect(facts.debug).toBe(true);
    expect(facts.reportData.slice(0, 66)).toBe(keccak256(toBytes("rd")));
  });

  it("refuses a non-TDX or truncated quote", () => {
    expect(() => parseTdxQuote(hex(new Uint8Array([...header(4, 0x00), ...new Uint8Array(584)])))).toThrow(TdxQuoteFormatError);
    expect(() => parseTdxQuote(hex(new Uint8Array([...header(4, 0x81), ...new Uint8Array(100)])))).toThrow(/cannot hold a TD report body/);
    expect(() => parseTdxQuote(hex(header(3, 0x81)))).toThrow(/version 3/);
  });
});
