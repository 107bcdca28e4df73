import { createDecipheriv } from "node:crypto";
import { Aes128Gcm, CipherSuite } from "@hpke/core";
import { DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/dhkem-x25519";
import { x25519 } from "@noble/curves/ed25519";
import { expand, extract } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { concatBytes, hexToBytes, bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { describe, expect, it } from "vitest";
import { decodeHoldoutEnvelope } from "../../../coordinator/src/sealing/decodeHoldoutEnvelope.js";
import { HoldoutEnvelopeFormatError, HoldoutInfoMismatchError, HoldoutOpenError, HpkeKeyError, SealingError } from "../../../coordinator/src/sealing/errors.js";
import { generateHpkeKeyPair } from "../../../coordinator/src/sealing/generateHpkeKeyPair.js";
import { DEFAULT_HOLDOUT_INFO } from "../../../coordinator/src/sealing/holdoutSuite.js";
import { openHoldout } from "../../../coordinator/src/sealing/openHoldout.js";
import { sealHoldout } from "../../../coordinator/src/sealing/sealHoldout.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";

/** RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode. */
const A1 = {
  info: "4f6465206f6e2061204772656369616e2055726e",
  ikmE: "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
  pkEm: "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
  skEm: "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
  ikmR: "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
  pkRm: "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
  skRm: "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
  sharedSecret: "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
  key: "4531685d41d65f03dc48f6b8302c05b0",
  baseNonce: "56d890e5accaaf011cff4b7d",
  pt: "4265617574792069732074727574682c20747275746820626561757479",
  aad0: "436f756e742d30",
  ct0: "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
};

/**
 * A second, independent RFC 9180 base-mode receiver (noble X25519 + HKDF, Node's AES-GCM), so the
 * AES-256-GCM suite — which has no published X25519 vector — is checked against something other
 * than @hpke/core itself. It is first pinned to A.1's intermediate values.
 */
function referenceOpen(p: { aeadId: 1 | 2; skR: Uint8Array; enc: Uint8Array; info: Uint8Array; aad: Uint8Array; ct: Uint8Array }) {
  const i2osp = (n: number, len: number) => {
    const out = new Uint8Array(len);
    for (let i = len - 1, v = n; i >= 0; i--, v >>>= 8) out[i] = v & 0xff;
    return out;
  };
  const v1 = utf8ToBytes("HPKE-v1");
  const labeledExtract = (suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) =>
    extract(sha256, concatBytes(v1, suite, utf8ToBytes(label), ikm), salt);
  const labeledExpand = (suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, len: number) =>
    expand(sha256, prk, concatBytes(i2osp(len, 2), v1, suite, utf8ToBytes(label), info), len);
  const kemSuite = concatBytes(utf8ToBytes("KEM"), i2osp(0x20, 2));
  const hpkeSuite = concatBytes(utf8ToBytes("HPKE"), i2osp(0x20, 2), i2osp(1, 2), i2osp(p.aeadId, 2));
  const empty = new Uint8Array(0);

  const dh = x25519.getSharedSecret(p.skR, p.enc);
  const pkR = x25519.getPublicKey(p.skR);
  const eaePrk = labeledExtract(kemSuite, empty, "eae_prk", dh);
  const sharedSecret = labeledExpand(kemSuite, eaePrk, "shared_secret", concatBytes(p.enc, pkR), 32);
  const context = concatBytes(
    new Uint8Array([0]),
    labeledExtract(hpkeSuite, empty, "psk_id_hash", empty),
    labeledExtract(hpkeSuite, empty, "info_hash", p.info),
  );
  const secret = labeledExtract(hpkeSuite, sharedSecret, "secret", empty);
  const nk = p.aeadId === 1 ? 16 : 32;
  const key = labeledExpand(hpkeSuite, secret, "key", context, nk);
  const baseNonce = labeledExpand(hpkeSuite, secret, "base_nonce", context, 12);
  const decipher = createDecipheriv(p.aeadId === 1 ? "aes-128-gcm" : "aes-256-gcm", key, baseNonce);
  decipher.setAAD(p.aad);
  decipher.setAuthTag(p.ct.subarray(p.ct.length - 16));
  const pt = concatBytes(decipher.update(p.ct.subarray(0, p.ct.length - 16)), decipher.final());
  return { sharedSecret, key, baseNonce, pt };
}

const h = hexToBytes;
const text = (s: string) => new TextEncoder().encode(s);
const HOLDOUT = text('{"prompt":"unsafe { *p }","response":"p must be valid and aligned"}\n'.repeat(40));

describe("RFC 9180 A.1 test vector", () => {
  it("@hpke/core with @hpke/dhkem-x25519 reproduces A.1.1's keys, enc and first ciphertext", async () => {
    const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
    const recipient = await suite.kem.deriveKeyPair(h(A1.ikmR));
    expect(bytesToHex(new Uint8Array(await suite.kem.serializePublicKey(recipient.publicKey)))).toBe(A1.pkRm);
    expect(bytesToHex(new Uint8Array(await suite.kem.serializePrivateKey(recipient.privateKey)))).toBe(A1.skRm);
    const ekm = await suite.kem.deriveKeyPair(h(A1.ikmE));
    const sender = await suite.createSenderContext({ recipientPublicKey: recipient.publicKey, info: h(A1.info), ekm });
    expect(bytesToHex(new Uint8Array(sender.enc))).toBe(A1.pkEm);
    expect(bytesToHex(new Uint8Array(await sender.seal(h(A1.pt), h(A1.aad0))))).toBe(A1.ct0);
  });

  it("generateHpkeKeyPair derives A.1.1's recipient key pair from its ikm", async () => {
    const pair = await generateHpkeKeyPair({ ikm: h(A1.ikmR) });
    expect(bytesToHex(pair.publicKey)).toBe(A1.pkRm);
    expect(bytesToHex(pair.privateKey)).toBe(A1.skRm);
  });

  it("the independent reference receiver reproduces A.1.1's shared secret, key, nonce and plaintext", () => {
    const out = referenceOpen({ aeadId: 1, skR: h(A1.skRm), enc: h(A1.pkEm), info: h(A1.info), aad: h(A1.aad0), ct: h(A1.ct0) });
    expect(bytesToHex(out.sharedSecret)).toBe(A1.sharedSecret);
    expect(bytesToHex(out.key)).toBe(A1.key);
    expect(bytesToHex(out.baseNonce)).toBe(A1.baseNonce);
    expect(bytesToHex(out.pt)).toBe(A1.pt);
  });
});

describe("sealHoldout / openHoldout (X25519, HKDF-SHA256, AES-256-GCM)", () => {
  it("seals to A.1's recipient with A.1's ephemeral key, and the reference receiver opens it with AES-256-GCM", async () => {
    const { envelope, bytes } = await sealHoldout({
      plaintext: HOLDOUT,
      recipientPublicKey: h(A1.pkRm),
      info: "ingotforge/holdout/v1/forge-7",
      ephemeralIkm: h(A1.ikmE),
    });
    expect(bytesToHex(envelope.enc)).toBe(A1.pkEm);
    expect([envelope.version, envelope.kemId, envelope.kdfId, envelope.aeadId]).toEqual([1, 0x20, 1, 2]);
    const { header } = decodeHoldoutEnvelope(bytes);
    const out = referenceOpen({ aeadId: 2, skR: h(A1.skRm), enc: envelope.enc, info: text(envelope.info), aad: header, ct: envelope.ciphertext });
    expect(out.key).toHaveLength(32);
    expect(out.pt).toEqual(HOLDOUT);
  });

  it("round-trips a holdout through the stored bytes and through the decoded envelope", async () => {
    const keys = await generateHpkeKeyPair();
    const { envelope, bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey });
    expect(envelope.info).toBe(DEFAULT_HOLDOUT_INFO);
    expect(await openHoldout({ envelope: bytes, recipientPrivateKey: keys.privateKey })).toEqual(HOLDOUT);
    expect(await openHoldout({ envelope, recipientPrivateKey: keys.privateKey, expectedInfo: DEFAULT_HOLDOUT_INFO })).toEqual(HOLDOUT);
  });

  it("round-trips an empty holdout and a 512 KiB one", async () => {
    const keys = await generateHpkeKeyPair();
    const big = new Uint8Array(512 << 10).map((_, i) => (i * 31 + 7) & 0xff);
    for (const plaintext of [new Uint8Array(0), big]) {
      const { bytes } = await sealHoldout({ plaintext, recipientPublicKey: keys.publicKey });
      expect(await openHoldout({ envelope: bytes, recipientPrivateKey: keys.privateKey })).toEqual(plaintext);
    }
  });

  it("uses a fresh ephemeral key per seal, so sealing the same holdout twice gives different bytes", async () => {
    const keys = await generateHpkeKeyPair();
    const a = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey });
    const b = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey });
    expect(bytesToHex(a.envelope.enc)).not.toBe(bytesToHex(b.envelope.enc));
  });

  it("derives the same key pair from the same ikm, so a restarted enclave opens what it was sent before", async () => {
    const ikm = sha256(text("enclave secret"));
    const before = await generateHpkeKeyPair({ ikm });
    const { bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: before.publicKey });
    const after = await generateHpkeKeyPair({ ikm });
    expect(await openHoldout({ envelope: bytes, recipientPrivateKey: after.privateKey })).toEqual(HOLDOUT);
  });

  it("refuses to open with another enclave's key", async () => {
    const keys = await generateHpkeKeyPair();
    const other = await generateHpkeKeyPair();
    const { bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey });
    await expect(openHoldout({ envelope: bytes, recipientPrivateKey: other.privateKey })).rejects.toBeInstanceOf(HoldoutOpenError);
  });

  it("refuses an envelope whose info, enc or ciphertext was changed by one bit", async () => {
    const keys = await generateHpkeKeyPair();
    const { bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey, info: "ingotforge/holdout/v1" });
    const infoStart = 13;
    const encStart = 15 + "ingotforge/holdout/v1".length;
    const ctStart = encStart + 32;
    for (const at of [infoStart, encStart + 5, ctStart, ctStart + 100, bytes.length - 1]) {
      const tampered = bytes.slice();
      tampered[at] ^= 0x01;
      await expect(openHoldout({ envelope: tampered, recipientPrivateKey: keys.privateKey }), `byte ${at}`).rejects.toBeInstanceOf(HoldoutOpenError);
    }
  });

  it("reports a clear format error for a wrong magic, version, suite, or truncated bytes", async () => {
    const keys = await generateHpkeKeyPair();
    const { bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey });
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ["magic", patch(bytes, 0, 0x00), /does not start with "IFHE"/],
      ["version", patch(bytes, 4, 2), /version 2 is not supported/],
      ["aead id", patch(bytes, 10, 1), /aead 0x0001/],
      ["truncated", bytes.slice(0, 60), /ends before a complete ciphertext/],
      ["short", bytes.slice(0, 8), /only 8 bytes/],
    ];
    for (const [name, input, message] of cases) {
      const attempt = openHoldout({ envelope: input, recipientPrivateKey: keys.privateKey });
      await expect(attempt, name).rejects.toBeInstanceOf(HoldoutEnvelopeFormatError);
      await expect(attempt, name).rejects.toThrow(message);
    }
  });

  it("refuses an envelope sealed for another Forge's context before decrypting", async () => {
    const keys = await generateHpkeKeyPair();
    const { bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey, info: "ingotforge/holdout/v1/forge-1" });
    const attempt = openHoldout({ envelope: bytes, recipientPrivateKey: keys.privateKey, expectedInfo: "ingotforge/holdout/v1/forge-2" });
    await expect(attempt).rejects.toBeInstanceOf(HoldoutInfoMismatchError);
    await expect(attempt).rejects.toThrow(/sealed for context "ingotforge\/holdout\/v1\/forge-1"/);
  });

  it("rejects keys of the wrong length with a message naming the key", async () => {
    const keys = await generateHpkeKeyPair();
    await expect(sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey.subarray(0, 31) })).rejects.toThrow(HpkeKeyError);
    const { bytes } = await sealHoldout({ plaintext: HOLDOUT, recipientPublicKey: keys.publicKey });
    await expect(openHoldout({ envelope: bytes, recipientPrivateKey: new Uint8Array(33) })).rejects.toThrow(/privateKey is 33 bytes/);
    await expect(generateHpkeKeyPair({ ikm: new Uint8Array(16) })).rejects.toThrow(/ikm is 16 bytes/);
  });
});

describe("openHoldout on corrupted envelopes (seeded fuzz)", () => {
  it("never returns anything but the original plaintext: every mutation or truncation fails with a SealingError", async () => {
    const keys = await generateHpkeKeyPair({ ikm: sha256(text("fuzz recipient")) });
    const plaintext = text("line one\nline two\n");
    const { bytes } = await sealHoldout({ plaintext, recipientPublicKey: keys.publicKey });
    const prng = createPrng("holdout-envelope-fuzz");
    const kinds = { flip: 0, truncate: 0, extend: 0 };
    for (let i = 0; i < 300; i++) {
      let input: Uint8Array = bytes.slice();
      const kind = (["flip", "truncate", "extend"] as const)[prng.nextInt(3)];
      kinds[kind]++;
      if (kind === "flip") {
        const flips = 1 + prng.nextInt(3);
        for (let f = 0; f < flips; f++) input[prng.nextInt(input.length)] ^= 1 + prng.nextInt(255);
      } else if (kind === "truncate") {
        input = input.slice(0, prng.nextInt(input.length));
      } else {
        input = concatBytes(input, new Uint8Array(1 + prng.nextInt(8)).map(() => prng.nextInt(256)));
      }
      // Two flips of the same byte can cancel out; an unchanged envelope must still open.
      const unchanged = input.length === bytes.length && input.every((b, j) => b === bytes[j]);
      const attempt = openHoldout({ envelope: input, recipientPrivateKey: keys.privateKey });
      if (unchanged) expect(await attempt).toEqual(plaintext);
      else await expect(attempt, `mutation ${i} (${kind})`).rejects.toBeInstanceOf(SealingError);
    }
    expect(Math.min(kinds.flip, kinds.truncate, kinds.extend)).toBeGreaterThan(50);
  });
});

function patch(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  out[at] = value;
  return out;
}
