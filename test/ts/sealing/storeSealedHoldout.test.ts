import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toBytes } from "viem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { storeSealedHoldout } from "../../../coordinator/src/sealing/storeSealedHoldout.js";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";

const logger = { warn: () => undefined, info: () => undefined };
const MARKER = "UNSAFE-HOLDOUT-MARKER-7f3a";
const holdout = new TextEncoder().encode(
  Array.from({ length: 30 }, (_, i) => JSON.stringify({ prompt: `${MARKER} unsafe { ptr.add(${i}) }`, response: `${MARKER} bounds ${i}` })).join("\n"),
);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe("storeSealedHoldout", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ingotforge-sealed-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores only ciphertext, under a root the enclave can fetch and open", async () => {
    const enclave = await createSimulatedEnclave({ chainId: 31337, secretSeed: keccak256(toBytes("sealed test")), logger });
    const store = await createLocalContentStore({ dir });
    const { root, size, info } = await storeSealedHoldout({ plaintext: holdout, recipientPublicKey: toBytes(enclave.hpkePublicKey), store, info: "ingotforge/holdout/v1/rust-unsafe" });
    expect(info).toBe("ingotforge/holdout/v1/rust-unsafe");
    expect(size).toBeGreaterThan(holdout.length);

    const written = await filesUnder(dir);
    expect(written).toHaveLength(1);
    for (const file of written) {
      const bytes = await readFile(file);
      expect(bytes.includes(Buffer.from(MARKER)), file).toBe(false);
      expect(bytes.includes(Buffer.from(holdout.subarray(0, 24))), file).toBe(false);
    }

    const opened = await enclave.openSealed(await store.get(root), { expectedInfo: "ingotforge/holdout/v1/rust-unsafe" });
    expect(opened).toEqual(holdout);
    expect(await filesUnder(dir)).toEqual(written);
  });
});
