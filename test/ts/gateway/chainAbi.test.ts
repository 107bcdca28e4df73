import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Abi, AbiParameter } from "viem";
import { gatewayDepositsAbi, ingotReadAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import { proofKeyRegistryAbi } from "../../../gateway/src/attestation/proofKeyRegistryAbi.js";
import { proofLogAbi } from "../../../gateway/src/witness/anchor/proofLogAbi.js";

/**
 * The gateway carries its own typed ABIs (so it runs without Hardhat's build output); each item
 * must be exactly what the compiled contracts expose: same name, parameter types, indexed
 * flags, outputs and mutability. Needs `npx hardhat build`.
 */

async function artifactAbi(source: string, name: string): Promise<Abi> {
  const file = path.resolve("artifacts", source, `${name}.json`);
  return (JSON.parse(await readFile(file, "utf8")) as { abi: Abi }).abi;
}

function typeOf(p: AbiParameter): string {
  if (p.type.startsWith("tuple")) {
    const components = (p as { components: readonly AbiParameter[] }).components.map(typeOf).join(",");
    return `(${components})${p.type.slice("tuple".length)}`;
  }
  return p.type;
}

/** What decoding depends on, without names of outputs or internal struct names. */
function canonical(item: Abi[number]): string {
  const inputs = "inputs" in item ? item.inputs.map((p) => `${typeOf(p)}${"indexed" in p && p.indexed ? " indexed" : ""} ${p.name ?? ""}`) : [];
  const outputs = "outputs" in item ? item.outputs.map(typeOf) : [];
  const mutability = "stateMutability" in item ? item.stateMutability : "";
  const name = "name" in item ? item.name : "";
  return `${item.type} ${name}(${inputs.join(", ")}) ${mutability} -> (${outputs.join(",")})`;
}

describe("the gateway's hand-written ABIs match the compiled contracts", () => {
  it("has every GatewayDeposits item the gateway uses exactly as compiled (splitter errors as the splitter compiled them)", async () => {
    const compiled = new Set([
      ...(await artifactAbi("contracts/GatewayDeposits.sol", "GatewayDeposits")).map(canonical),
      ...(await artifactAbi("contracts/RevenueSplitter.sol", "RevenueSplitter")).filter((i) => i.type === "error").map(canonical),
    ]);
    const missing = gatewayDepositsAbi.map(canonical).filter((c) => !compiled.has(c));
    expect(missing).toEqual([]);
  });

  it("covers every custom error GatewayDeposits can revert with, so reverts decode by name", async () => {
    const compiled = (await artifactAbi("contracts/GatewayDeposits.sol", "GatewayDeposits")).filter((i) => i.type === "error").map(canonical);
    const ours = new Set(gatewayDepositsAbi.map(canonical));
    expect(compiled.filter((c) => !ours.has(c))).toEqual([]);
  });

  it("has every ProofKeyRegistry item exactly as compiled, and every error it can revert with", async () => {
    const compiled = (await artifactAbi("contracts/ProofKeyRegistry.sol", "ProofKeyRegistry")).map(canonical);
    const ours = proofKeyRegistryAbi.map(canonical);
    expect(ours.filter((c) => !compiled.includes(c))).toEqual([]);
    const ownErrors = compiled.filter((c) => c.startsWith("error ProofKey"));
    expect(ownErrors.filter((c) => !ours.includes(c))).toEqual([]);
  });

  it("has every ProofLog item exactly as compiled, and every error it can revert with", async () => {
    const compiled = (await artifactAbi("contracts/ProofLog.sol", "ProofLog")).map(canonical);
    const ours = proofLogAbi.map(canonical);
    expect(ours.filter((c) => !compiled.includes(c))).toEqual([]);
    const ownErrors = compiled.filter((c) => c.startsWith("error ProofLog"));
    expect(ownErrors).toHaveLength(5);
    expect(ownErrors.filter((c) => !ours.includes(c))).toEqual([]);
  });

  it("reads the Ingot's count and model card as compiled", async () => {
    const compiled = new Set((await artifactAbi("contracts/Ingot.sol", "Ingot")).map(canonical));
    expect(ingotReadAbi.map(canonical).filter((c) => !compiled.has(c))).toEqual([]);
  });
});
