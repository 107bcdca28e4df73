import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, toBytes, type Address } from "viem";
import { checkContribution } from "../../../coordinator/src/pipeline/checkContribution.js";
import { excludeWholeDuplicates } from "../../../coordinator/src/pipeline/excludeWholeDuplicates.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import type { ContributionBinding } from "../../../coordinator/src/sealing/types.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";

const addr = (label: string): Address => getAddress(keccak256(toBytes(label)).slice(0, 42));
const ALICE = addr("alice");
const MALLORY = addr("mallory");
const FORGE = addr("forge");
const FILE = new TextEncoder().encode(
  ['{"id":"a-0","prompt":"p0","response":"r0"}', '{"id":"a-1","prompt":"p1","response":"r1"}'].join("\n") + "\n",
);

/** The coordinator's per-contribution check (also replay's), on sealed envelopes in a real local store. */
describe("checkContribution: sealed, sender-bound contributions opened in the enclave", () => {
  let dir: string;
  let store: LocalContentStore;
  let enclave: Enclave;
  const onChain = (contributor: Address): ContributionBinding => ({ chainId: 31337, forge: FORGE, contributor });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-check-"));
    store = await createLocalContentStore({ dir });
    enclave = await createSimulatedEnclave({ chainId: 31337, logger: { warn: () => undefined, info: () => undefined } as never });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sealed = async (binding: ContributionBinding, plaintext = FILE) =>
    (await sealContribution({ plaintext, recipientPublicKey: toBytes(enclave.hpkePublicKey), binding })).bytes;
  const check = async (bytes: Uint8Array, sender: Address, declared: { sizeBytes?: number; exampleCount?: number } = {}) => {
    const { root } = await store.put(bytes);
    return checkContribution({
      store,
      dataId: 0,
      root,
      sizeBytes: declared.sizeBytes ?? bytes.length,
      exampleCount: declared.exampleCount ?? 2,
      binding: onChain(sender),
      openContribution: (envelope, expected) => enclave.openContribution(envelope, expected),
    });
  };

  it("includes an envelope sealed for its on-chain sender, chain and Forge, with the plaintext's examples", async () => {
    const result = await check(await sealed(onChain(ALICE)), ALICE);
    expect(result.ok && result.examples.map((e) => e.id)).toEqual(["a-0", "a-1"]);
  });

  it("excludes the same envelope sent by another address as unbound, naming both", async () => {
    expect(await check(await sealed(onChain(ALICE)), MALLORY)).toEqual({ ok: false, reason: `unbound: sealed for ${ALICE} but contributed by ${MALLORY}` });
  });

  it("excludes an envelope sealed for another chain or another Forge as unbound", async () => {
    expect(await check(await sealed({ ...onChain(ALICE), chainId: 1 }), ALICE)).toEqual({ ok: false, reason: "unbound: sealed for chain 1, not chain 31337" });
    const other = addr("other forge");
    expect(await check(await sealed({ ...onChain(ALICE), forge: other }), ALICE)).toEqual({ ok: false, reason: `unbound: sealed for Forge ${other}, not this Forge ${FORGE}` });
  });

  it("excludes a tampered envelope (a flipped ciphertext byte, stored under its new root) as not opening", async () => {
    const bytes = await sealed(onChain(ALICE));
    bytes[bytes.length - 5] ^= 0x01;
    const result = await check(bytes, ALICE);
    expect(result.ok ? "" : result.reason).toMatch(/^tampered or sealed to another key/);
  });

  it("excludes plaintext, a truncated envelope, and declarations that do not match", async () => {
    expect(((await check(FILE, ALICE)) as { reason: string }).reason).toMatch(/^not sealed to the Forge's enclave: /);
    expect(((await check((await sealed(onChain(ALICE))).slice(0, 70), ALICE)) as { reason: string }).reason).toMatch(/^malformed envelope: /);
    const bytes = await sealed(onChain(ALICE));
    expect(((await check(bytes, ALICE, { sizeBytes: FILE.length })) as { reason: string }).reason).toBe(`size mismatch: declared ${FILE.length} bytes on-chain, content has ${bytes.length}`);
    expect(((await check(bytes, ALICE, { exampleCount: 3 })) as { reason: string }).reason).toBe("example count mismatch: declared 3 on-chain, file has 2");
  });
});

describe("excludeWholeDuplicates", () => {
  it("excludes an included contribution whose every example came earlier, and keeps partial duplicates and excluded ones as they are", () => {
    const list = [
      { dataId: 0, status: "excluded" as const, reason: "unbound: …", exampleHashes: [] },
      { dataId: 1, status: "included" as const, exampleHashes: ["a", "b"] },
      { dataId: 2, status: "included" as const, exampleHashes: ["c"] },
      { dataId: 3, status: "included" as const, exampleHashes: ["b", "d"] },
      { dataId: 4, status: "included" as const, exampleHashes: ["c", "a", "a"] },
    ];
    expect(excludeWholeDuplicates(list)).toEqual([4]);
    expect(list.map((c) => c.status)).toEqual(["excluded", "included", "included", "included", "excluded"]);
    expect(list[4]).toMatchObject({ reason: "duplicate: all 3 examples were contributed earlier (data #1, #2)" });
    expect(list[0].reason).toBe("unbound: …");
  });
});
