import type { Address, Hex } from "viem";
import { validateDataFile } from "./validateDataFile.js";
import { sealDataContribution } from "./sealDataContribution.js";

/** What the data flow needs from the page: progress steps, the store, the contract call. */
export interface DataContributionDeps {
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** The Forge's enclave HPKE key to seal to (null: none registered yet). */
  enclaveKey(): Promise<{ hpkePublicKey: Hex; simulated: boolean } | null>;
  store(bytes: Uint8Array): Promise<{ root: Hex; size: number }>;
  contribute(args: { root: Hex; sizeBytes: bigint; exampleCount: number; metadataURI: string; bond: bigint }): Promise<Hex>;
}

/**
 * validate → seal → store → contribute: the file is checked with the project's schema, sealed
 * in the browser to the Forge's enclave bound to the sender (sealDataContribution), the envelope
 * stored under its 0G root (re-hashed in the browser) and contributed with its bond as value; the
 * example count is the plaintext's. Throws on a refused file (the page shows the
 * lines before this is called) and on every failed step.
 */
export async function runDataContribution(
  deps: DataContributionDeps,
  p: { file: Uint8Array; forge: Address; chainId: number; sender: Address; metadataURI: string; bond: bigint },
): Promise<{ root: Hex; hash: Hex; sealed: boolean }> {
  const checked = await deps.step("Validating the file", async () => validateDataFile(p.file));
  if (!checked.ok) throw new Error(`The file has ${checked.errors.length} refused line${checked.errors.length > 1 ? "s" : ""}; fix them first.`);
  const sealed = await deps.step("Sealing to the Forge's enclave", async () => sealDataContribution({ plaintext: p.file, forge: p.forge, chainId: p.chainId, sender: p.sender, enclaveKey: await deps.enclaveKey() }));
  const { root, size } = await deps.step("Storing the file", () => deps.store(sealed.bytes));
  const hash = await deps.contribute({ root, sizeBytes: BigInt(size), exampleCount: checked.exampleCount, metadataURI: p.metadataURI, bond: p.bond });
  return { root, hash, sealed: sealed.sealed };
}
