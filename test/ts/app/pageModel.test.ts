import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bytesToHex, ContractFunctionRevertedError, ContractFunctionExecutionError, encodeErrorResult, HttpRequestError, UserRejectedRequestError, type Abi } from "viem";
import { errorToWords } from "../../../app/src/format/errorToWords.js";
import { computeContentRootInBrowser } from "../../../app/src/chain/computeContentRootInBrowser.js";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { validateDataFile, describeLineError } from "../../../app/src/contribute/validateDataFile.js";
import { runDataContribution } from "../../../app/src/contribute/runDataContribution.js";
import { dataBondOf } from "../../../app/src/contribute/dataBondOf.js";
import { generateHpkeKeyPair } from "../../../coordinator/src/sealing/generateHpkeKeyPair.js";
import { openContribution } from "../../../coordinator/src/sealing/openContribution.js";
import { parseForgeMetadata, forgeMetadataUri } from "../../../app/src/model/parseForgeMetadata.js";
import { forgeSteps } from "../../../app/src/model/forgeSteps.js";
import { parseRoute } from "../../../app/src/model/parseRoute.js";
import { parseRuntimeConfig } from "../../../app/src/config/runtimeConfig.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const forgeAbi = async () => (JSON.parse(await readFile(path.join(ROOT, "artifacts/contracts/Forge.sol/Forge.json"), "utf8")) as { abi: Abi }).abi;

function reverted(abi: Abi, errorName: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi, errorName, args } as never);
  const cause = new ContractFunctionRevertedError({ abi, data, functionName: "contributeData" });
  return new ContractFunctionExecutionError(cause, { abi, functionName: "contributeData", args: [] });
}

describe("errorToWords", () => {
  it("decodes the Forge's custom errors from its ABI into words", async () => {
    const abi = await forgeAbi();
    expect(errorToWords(reverted(abi, "ForgeWrongPhase", ["0x5FbDB2315678afecb367f032d93F642f64180aa3", 2, 1]))).toBe("This Forge is CLOSED; this action needs it OPEN.");
    expect(errorToWords(reverted(abi, "ForgeDuplicateDataRoot", ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", `0x${"ab".repeat(32)}`, 4n]))).toBe("0x7099…79C8 already contributed this exact sealed file to this Forge (data #4); contribute new examples instead.");
    expect(errorToWords(reverted(abi, "ForgeDuplicateComputeSigner", ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 0n]))).toBe("Signer 0x7099…79C8 is already registered as worker #0.");
  });
  it("says a refused signature and a down RPC in words", () => {
    expect(errorToWords(new UserRejectedRequestError(new Error("User rejected")))).toMatch(/refused the request/);
    expect(errorToWords(new HttpRequestError({ url: "http://127.0.0.1:1" }))).toMatch(/RPC endpoint does not answer/);
  });
});

describe("the data contribution flow", () => {
  const good = new TextEncoder().encode('{"id":"a1","prompt":"Review this unsafe block.","response":"UNSOUND: check the bound."}\n{"id":"a2","prompt":"Review this too.","response":"SOUND."}\n');
  const bad = new TextEncoder().encode('{"id":"a1","prompt":"p","response":"r"}\nnot json\n{"id":"a1","prompt":"q","response":"s"}\n{"id":"b","prompt":"p2"}\n');

  it("lists every refused line with its number", () => {
    const checked = validateDataFile(bad);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(describeLineError(checked.errors[0])).toMatch(/^Line 2: not valid JSON/);
  });

  it("computes the same 0G root in the browser as the coordinator", async () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
    for (const bytes of [good, big]) expect(await computeContentRootInBrowser(bytes)).toBe(await computeContentRoot(bytes));
  });

  it("validates, seals to the enclave bound to the sender, stores and contributes in that order with the bond as value", async () => {
    const calls: string[] = [];
    const keys = await generateHpkeKeyPair();
    let stored: Uint8Array = new Uint8Array();
    const out = await runDataContribution(
      {
        step: async (label, work) => { calls.push(label); return work(); },
        enclaveKey: async () => ({ hpkePublicKey: bytesToHex(keys.publicKey), simulated: true }),
        store: async (bytes) => { calls.push("store"); stored = bytes; return { root: await computeContentRoot(bytes), size: bytes.length }; },
        contribute: async (a) => { calls.push(`contribute ${a.exampleCount} ${a.sizeBytes} bond ${a.bond}`); return "0xabc"; },
      },
      { file: good, forge: "0x5FbDB2315678afecb367f032d93F642f64180aa3", chainId: 31337, sender: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", metadataURI: "license: CC-BY-4.0", bond: 7n },
    );
    expect(calls).toEqual(["Validating the file", "Sealing to the Forge's enclave", "Storing the file", "store", `contribute 2 ${stored.length} bond 7`]);
    expect(out).toMatchObject({ sealed: true, root: await computeContentRoot(stored) });
    expect(Buffer.from(stored).includes(Buffer.from("UNSOUND: check the bound."))).toBe(false);
    const binding = { chainId: 31337, forge: "0x5FbDB2315678afecb367f032d93F642f64180aa3", contributor: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" } as const;
    expect(await openContribution({ envelope: stored, recipientPrivateKey: keys.privateKey, expected: binding })).toEqual(good);
    await expect(openContribution({ envelope: stored, recipientPrivateKey: keys.privateKey, expected: { ...binding, contributor: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" } })).rejects.toThrow();
  });

  it("seals nothing, and stores nothing, when no enclave has registered for the Forge", async () => {
    let stored = false;
    await expect(runDataContribution({ step: (_l, w) => w(), enclaveKey: async () => null, store: async () => { stored = true; return { root: "0x", size: 0 }; }, contribute: async () => "0x" }, { file: good, forge: "0x5FbDB2315678afecb367f032d93F642f64180aa3", chainId: 31337, sender: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", metadataURI: "m", bond: 0n })).rejects.toThrow(/No enclave allowed by this Forge/);
    expect(stored).toBe(false);
  });

  it("stores and sends nothing for a refused file", async () => {
    let stored = false;
    await expect(runDataContribution({ step: (_l, w) => w(), enclaveKey: async () => null, store: async () => { stored = true; return { root: "0x", size: 0 }; }, contribute: async () => "0x" }, { file: bad, forge: "0x5FbDB2315678afecb367f032d93F642f64180aa3", chainId: 1, sender: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", metadataURI: "m", bond: 0n })).rejects.toThrow(/3 refused lines/);
    expect(stored).toBe(false);
  });

  it("reads the data bond from a config that has one, and 0 from one that does not", () => {
    expect(dataBondOf({ dataBond: 5n })).toBe(5n);
    expect(dataBondOf({ windowEnd: 1n })).toBe(0n);
  });
});

describe("page model", () => {
  it("reads the metadata the Create form writes, and survives any other URI", () => {
    const uri = forgeMetadataUri({ title: "Rust Unsafe-Code Auditor", description: "Reviews unsafe blocks", needs: ["unsafe → soundness pairs", "GPU hours"] });
    expect(parseForgeMetadata(uri, "x")).toEqual({ title: "Rust Unsafe-Code Auditor", description: "Reviews unsafe blocks", needs: ["unsafe → soundness pairs", "GPU hours"] });
    expect(parseForgeMetadata("ipfs://abc", "Forge 0x12")).toEqual({ title: "Forge 0x12", description: "ipfs://abc", needs: [] });
    expect(parseForgeMetadata("data:application/json,{broken", "F").title).toBe("F");
  });
  it("marks the four next steps from the phase", () => {
    expect(forgeSteps("OPEN").map((s) => s.state)).toEqual(["current", "upcoming", "upcoming", "upcoming"]);
    expect(forgeSteps("CLOSED").map((s) => s.state)).toEqual(["done", "current", "upcoming", "upcoming"]);
    expect(forgeSteps("LIVE").map((s) => s.state)).toEqual(["done", "done", "current", "upcoming"]);
    expect(forgeSteps("FAILED").every((s) => s.state === "skipped")).toBe(true);
  });
  it("routes by URL", () => {
    expect(parseRoute("/forge/0x5FbDB2315678afecb367f032d93F642f64180aa3")).toEqual({ page: "forge", address: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
    expect(parseRoute("/ingot/12")).toEqual({ page: "ingot", id: 12n });
    expect(parseRoute("/", "?fork=3")).toEqual({ page: "list", fork: "3" });
    expect(parseRoute("/forge/0x12")).toEqual({ page: "not-found", path: "/forge/0x12" });
  });
  it("refuses a runtime config with a bad field, naming it", () => {
    expect(() => parseRuntimeConfig({ chainId: 31337, chainName: "local", rpcUrl: "not a url", addresses: {}, storeUrl: "http://x" })).toThrow(/rpcUrl/);
    const ok = parseRuntimeConfig({ chainId: 16602, chainName: "0G testnet", rpcUrl: "https://rpc.example", addresses: { factory: `0x${"1".repeat(40)}`, ingot: `0x${"2".repeat(40)}`, splitter: `0x${"3".repeat(40)}`, enclaveRegistry: `0x${"4".repeat(40)}` }, storeUrl: "https://store.example" });
    expect(ok).toMatchObject({ devAccounts: false, gatewayUrl: null, fromBlock: 0n });
  });
});

import { forgeConfigFields, registerComputeTakesProofs } from "../../../app/src/abi/abiShape.js";

describe("the contracts' shape, read from their ABI", () => {
  it("sees today's registerCompute without proofs and ForgeConfig without bonds", async () => {
    const factory = (JSON.parse(await readFile(path.join(ROOT, "artifacts/contracts/ForgeFactory.sol/ForgeFactory.json"), "utf8")) as { abi: Abi }).abi;
    expect(registerComputeTakesProofs(await forgeAbi())).toBe(false);
    expect(forgeConfigFields(factory)).toContain("holdoutRoot");
    expect(forgeConfigFields(factory)).not.toContain("dataBond");
  });
  it("sees the proof-of-possession registerCompute and the bond fields when the contracts have them", () => {
    const abi = [
      { type: "function", name: "registerCompute", inputs: [{ type: "address" }, { type: "bytes32" }, { type: "uint32" }, { type: "bytes" }, { type: "bytes" }] },
      { type: "function", name: "createForge", inputs: [{ type: "tuple", components: [{ name: "windowStart", type: "uint64" }, { name: "dataBond", type: "uint128" }] }] },
    ];
    expect(registerComputeTakesProofs(abi)).toBe(true);
    expect(forgeConfigFields(abi)).toEqual(["windowStart", "dataBond"]);
  });
});
