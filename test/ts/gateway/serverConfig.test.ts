import { describe, expect, it } from "vitest";
import { zeroAddress } from "viem";
import { createPriceBook } from "../../../gateway/src/config/createPriceBook.js";
import { GatewayConfigError, parseGatewayConfig } from "../../../gateway/src/config/parseGatewayConfig.js";
import { createStaticIngotCatalog } from "../../../gateway/src/server/createStaticIngotCatalog.js";

const minimal = {
  server: { seller: "gw.test" },
  model: { path: "base.gguf" },
  storage: { localDir: "store" },
  ledger: { path: "ledger.sqlite" },
  proof: { privateKeyHex: "11".repeat(32) },
  billing: { defaultPricePerTokenWei: "20000000000000000000000" },
};
const ingot = { ingotId: "3", baseModelName: "b", baseModelRoot: `0x${"AA".repeat(32)}`, adapterRoot: `0x${"Bb".repeat(32)}` };

describe("parseGatewayConfig", () => {
  it("parse_fillsDefaults_andTurnsWeiIntoExactBigints", () => {
    const c = parseGatewayConfig({ ...minimal, ingots: [ingot], billing: { ...minimal.billing, ingotPricesWei: { "3": 7 } } });
    expect(c.server).toMatchObject({ host: "127.0.0.1", port: 8080, streamFlushMs: 16 });
    expect(c.model).toMatchObject({ gpu: false, maxConcurrent: 4, maxQueue: 16, maxContexts: 8 });
    expect(c.billing.asset).toBe(zeroAddress);
    expect(c.billing.defaultPricePerTokenWei).toBe(20_000_000_000_000_000_000_000n);
    expect(c.ingots[0]).toMatchObject({ ingotId: 3n, adapterRoot: `0x${"bb".repeat(32)}`, metadataURI: "" });
  });

  it("parse_whenKeysAreBad_listsEveryProblemByPath", () => {
    const error = (() => {
      try {
        parseGatewayConfig({ ...minimal, model: { path: "" , maxQueue: -1 }, billing: { defaultPricePerTokenWei: "1.5" }, extra: 1 });
      } catch (e) {
        return e;
      }
    })() as GatewayConfigError;
    expect(error).toBeInstanceOf(GatewayConfigError);
    expect(error.issues.map((i) => i.split(":")[0]).sort()).toEqual(["(root)", "billing.defaultPricePerTokenWei", "model.maxQueue", "model.path"]);
  });

  it("parse_chain_fillsTheSettlementDefaults_parsesTheFeeCap_andRefusesAReplaceAfterUnderASecond", () => {
    const chain = { rpcUrl: "http://127.0.0.1:8545", deposits: `0x${"11".repeat(20)}`, ingot: `0x${"22".repeat(20)}`, settlerKeyFile: "settler.key" };
    expect(parseGatewayConfig({ ...minimal, chain }).chain).toMatchObject({ intervalMs: 15_000, maxChargesPerBatch: 100, replaceAfterMs: 180_000, fromBlock: 0 });
    expect(parseGatewayConfig({ ...minimal, chain }).chain?.maxFeePerGasWei).toBeUndefined();
    expect(parseGatewayConfig({ ...minimal, chain: { ...chain, maxFeePerGasWei: "50000000000" } }).chain?.maxFeePerGasWei).toBe(50_000_000_000n);
    expect(() => parseGatewayConfig({ ...minimal, chain: { ...chain, replaceAfterMs: 999 } })).toThrow(/chain\.replaceAfterMs/);
  });

  it("parse_witness_fillsTheBatchDefaults_andRefusesAnAnchorWithoutAChain", () => {
    expect(parseGatewayConfig(minimal).witness).toBeUndefined();
    expect(parseGatewayConfig({ ...minimal, witness: { tsaUrl: "http://127.0.0.1:3161/" } }).witness).toEqual({ tsaUrl: "http://127.0.0.1:3161/", intervalMs: 1000, maxProofs: 1024, minProofs: 32, maxDelayMs: 10_000, tsaTimeoutMs: 10_000 });
    expect(() => parseGatewayConfig({ ...minimal, witness: { tsaUrl: "http://127.0.0.1:3161/", intervalMs: 5000, maxDelayMs: 1000 } })).toThrow(/witness\.maxDelayMs.*at least witness\.intervalMs/);
    expect(() => parseGatewayConfig({ ...minimal, witness: { tsaUrl: "not a url" } })).toThrow(/witness\.tsaUrl/);
    const anchor = { proofLog: `0x${"Ab".repeat(20)}`, appenderKeyFile: "secrets/appender.hex" };
    expect(() => parseGatewayConfig({ ...minimal, witness: { tsaUrl: "http://127.0.0.1:3161/", anchor } })).toThrow(/witness\.anchor.*needs `chain`/);
    const chain = { rpcUrl: "http://127.0.0.1:8545", deposits: `0x${"11".repeat(20)}`, ingot: `0x${"22".repeat(20)}`, settlerKeyFile: "k" };
    expect(parseGatewayConfig({ ...minimal, chain, witness: { tsaUrl: "http://127.0.0.1:3161/", anchor } }).witness?.anchor).toEqual({ proofLog: `0x${"ab".repeat(20)}`, appenderKeyFile: "secrets/appender.hex", everyBatches: 10, maxDelayMs: 60_000 });
  });

  it("parse_chain_holdsNoChargesBackByDefault_andParsesTheMinimumBatchInWei", () => {
    const chain = { rpcUrl: "http://127.0.0.1:8545", deposits: `0x${"11".repeat(20)}`, ingot: `0x${"22".repeat(20)}`, settlerKeyFile: "settler.key" };
    expect(parseGatewayConfig({ ...minimal, chain }).chain).toMatchObject({ maxBatchDelayMs: 3_600_000 });
    expect(parseGatewayConfig({ ...minimal, chain }).chain?.minBatchAmountWei).toBeUndefined();
    expect(parseGatewayConfig({ ...minimal, chain: { ...chain, minBatchAmountWei: "1000000000000000" } }).chain?.minBatchAmountWei).toBe(10n ** 15n);
    expect(() => parseGatewayConfig({ ...minimal, chain: { ...chain, minBatchAmountWei: "0.5" } })).toThrow(/chain\.minBatchAmountWei/);
  });

  it("parse_proof_takesAnEnclaveKeySource_dstackOrSimulated_andRefusesAnUnknownKind", () => {
    expect(parseGatewayConfig({ ...minimal, proof: { enclave: { kind: "dstack" } } }).proof).toEqual({ enclave: { kind: "dstack" } });
    expect(parseGatewayConfig({ ...minimal, proof: { enclave: { kind: "dstack", endpoint: "/var/run/dstack.sock" } } }).proof).toEqual({ enclave: { kind: "dstack", endpoint: "/var/run/dstack.sock" } });
    expect(parseGatewayConfig({ ...minimal, proof: { enclave: { kind: "simulated", secretSeed: `0x${"ab".repeat(32)}` } } }).proof).toEqual({ enclave: { kind: "simulated", secretSeed: `0x${"ab".repeat(32)}` } });
    expect(() => parseGatewayConfig({ ...minimal, proof: { enclave: { kind: "sgx" } } })).toThrow(/proof/);
    expect(() => parseGatewayConfig({ ...minimal, proof: { enclave: { kind: "simulated", secretSeed: "0x12" } } })).toThrow(/proof/);
  });

  it("parse_whenAnIngotIsListedTwice_refuses", () => {
    expect(() => parseGatewayConfig({ ...minimal, ingots: [ingot, ingot] })).toThrow(/listed twice/);
  });
});

describe("createPriceBook / createStaticIngotCatalog", () => {
  it("priceOf_usesTheIngotOverride_elseTheDefault", () => {
    const c = parseGatewayConfig({ ...minimal, billing: { defaultPricePerTokenWei: "10", ingotPricesWei: { "2": "3" } } });
    const book = createPriceBook(c.billing);
    const i = (id: bigint) => ({ ingotId: id, model: `ingot-${id}`, baseModelName: "", baseModelRoot: "0x" as const, adapterRoot: "0x" as const, metadataURI: "" });
    expect(book.priceOf(i(2n))).toEqual({ asset: zeroAddress, pricePerToken: 3n });
    expect(book.priceOf(i(5n))).toEqual({ asset: zeroAddress, pricePerToken: 10n });
    const catalog = createStaticIngotCatalog([i(5n), i(2n)]);
    expect((catalog.list() as readonly { model: string }[]).map((x) => x.model)).toEqual(["ingot-2", "ingot-5"]);
    expect(catalog.find("ingot-5")).toBeDefined();
    expect(catalog.find("ingot-7")).toBeUndefined();
    expect(() => createStaticIngotCatalog([{ ...i(5n), model: "five" }])).toThrow(/ingot-5/);
  });
});
