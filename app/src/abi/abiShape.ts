type AbiParam = { name?: string; type: string; components?: readonly AbiParam[] };
type AbiItem = { type: string; name?: string; inputs?: readonly AbiParam[] };

const fn = (abi: readonly unknown[], name: string) => (abi as readonly AbiItem[]).find((i) => i.type === "function" && i.name === name);

/**
 * What the contracts take, read from their ABI, so the page follows the integrity changes
 * (issue 23) without edits: whether `registerCompute` takes the two proof-of-possession
 * signatures (signer, key, capacity, signerSignature, ed25519Signature).
 */
export function registerComputeTakesProofs(forgeAbi: readonly unknown[]): boolean {
  return (fn(forgeAbi, "registerCompute")?.inputs?.length ?? 3) >= 5;
}

/** Field names of `ForgeConfig` as the factory's `createForge` takes it (bonds: `dataBond`, `computeBond`, `minCapital`). */
export function forgeConfigFields(forgeFactoryAbi: readonly unknown[]): string[] {
  return (fn(forgeFactoryAbi, "createForge")?.inputs?.[0]?.components ?? []).map((c) => c.name ?? "");
}
