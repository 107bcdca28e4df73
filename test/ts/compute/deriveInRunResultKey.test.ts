import { bytesToHex, keccak256, toBytes } from "viem";
import { describe, expect, it } from "vitest";
import { deriveInRunResultKey } from "../../../coordinator/src/compute/inRun/deriveInRunResultKey.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { generateHpkeKeyPair } from "../../../coordinator/src/sealing/generateHpkeKeyPair.js";
import { openHoldout } from "../../../coordinator/src/sealing/openHoldout.js";
import { sealHoldout } from "../../../coordinator/src/sealing/sealHoldout.js";

const FORGE = "0x00000000000000000000000000000000000000a1" as const;
const OTHER_FORGE = "0x00000000000000000000000000000000000000a2" as const;
const secret = (s: string) => toBytes(keccak256(toBytes(s)));
const quiet = { warn: () => undefined, info: () => undefined };

describe("deriveInRunResultKey", () => {
  it("gives the same key pair for the same secret, Forge and computeId (a restart), and the Forge's address in any case", async () => {
    const a = await deriveInRunResultKey({ secret: secret("s"), forge: FORGE, computeId: 3 });
    const b = await deriveInRunResultKey({ secret: secret("s"), forge: FORGE.toUpperCase().replace("0X", "0x") as typeof FORGE, computeId: 3 });
    expect(bytesToHex(b.privateKey)).toBe(bytesToHex(a.privateKey));
    expect(bytesToHex(b.publicKey)).toBe(bytesToHex(a.publicKey));
    // The pair is an X25519 pair: what is sealed to the public key opens with the private key.
    const { bytes: envelope } = await sealHoldout({ plaintext: toBytes("features"), recipientPublicKey: a.publicKey, info: "t" });
    expect(new TextDecoder().decode(await openHoldout({ envelope, recipientPrivateKey: b.privateKey, expectedInfo: "t" }))).toBe("features");
  });

  it("gives another key for another secret, Forge or computeId", async () => {
    const keys = await Promise.all([
      deriveInRunResultKey({ secret: secret("s"), forge: FORGE, computeId: 3 }),
      deriveInRunResultKey({ secret: secret("t"), forge: FORGE, computeId: 3 }),
      deriveInRunResultKey({ secret: secret("s"), forge: OTHER_FORGE, computeId: 3 }),
      deriveInRunResultKey({ secret: secret("s"), forge: FORGE, computeId: 4 }),
    ]);
    expect(new Set(keys.map((k) => bytesToHex(k.publicKey))).size).toBe(4);
  });

  it("is not the enclave's HPKE key, nor the pair DeriveKeyPair makes from the secret itself", async () => {
    const s = secret("s");
    const derived = await deriveInRunResultKey({ secret: s, forge: FORGE, computeId: 0 });
    expect(bytesToHex(derived.publicKey)).not.toBe(bytesToHex((await generateHpkeKeyPair({ ikm: s })).publicKey));
  });

  it("refuses a secret shorter than 32 bytes and a negative computeId", async () => {
    await expect(deriveInRunResultKey({ secret: new Uint8Array(31), forge: FORGE, computeId: 0 })).rejects.toThrow(/secret is 31 bytes/);
    await expect(deriveInRunResultKey({ secret: secret("s"), forge: FORGE, computeId: -1 })).rejects.toThrow(/computeId/);
  });

  it("is the simulated enclave's inRunResultKey: the same after re-creating the enclave from its seed, another for another seed", async () => {
    const seed = keccak256(toBytes("enclave"));
    const [a, b, c] = await Promise.all([
      createSimulatedEnclave({ chainId: 31337, secretSeed: seed, logger: quiet }),
      createSimulatedEnclave({ chainId: 31337, secretSeed: seed, logger: quiet }),
      createSimulatedEnclave({ chainId: 31337, secretSeed: keccak256(toBytes("another enclave")), logger: quiet }),
    ]);
    const key = async (e: typeof a) => bytesToHex((await e.inRunResultKey({ forge: FORGE, computeId: 1 })).privateKey);
    expect(await key(b)).toBe(await key(a));
    expect(await key(c)).not.toBe(await key(a));
    expect(bytesToHex((await a.inRunResultKey({ forge: FORGE, computeId: 1 })).publicKey)).not.toBe(a.hpkePublicKey);
  });
});
