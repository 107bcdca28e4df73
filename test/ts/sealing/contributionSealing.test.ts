import { describe, expect, it } from "vitest";
import { getAddress, keccak256, toBytes, type Address } from "viem";
import { contributionInfo, CONTRIBUTION_FIXED_HEADER_LENGTH } from "../../../coordinator/src/sealing/contributionSuite.js";
import { decodeContributionEnvelope, looksSealedContribution } from "../../../coordinator/src/sealing/decodeContributionEnvelope.js";
import { encodeContributionEnvelope } from "../../../coordinator/src/sealing/encodeContributionEnvelope.js";
import { ContributionBindingError, ContributionEnvelopeFormatError, ContributionOpenError } from "../../../coordinator/src/sealing/errors.js";
import { generateHpkeKeyPair } from "../../../coordinator/src/sealing/generateHpkeKeyPair.js";
import { openContribution } from "../../../coordinator/src/sealing/openContribution.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { sealHoldout } from "../../../coordinator/src/sealing/sealHoldout.js";
import type { ContributionBinding } from "../../../coordinator/src/sealing/types.js";

const addr = (label: string): Address => getAddress(keccak256(toBytes(label)).slice(0, 42));
const ALICE = addr("alice");
const MALLORY = addr("mallory");
const FORGE = addr("forge");
const OTHER_FORGE = addr("other forge");
const BINDING: ContributionBinding = { chainId: 31337, forge: FORGE, contributor: ALICE };
const FILE = new TextEncoder().encode('{"id":"a-0","prompt":"Review this unsafe block.","response":"UNSOUND: check the bound."}\n');

describe("sealed data contributions (envelope IFDC v1)", () => {
  it("round-trips for the binding it was sealed for, and the header names that binding in the clear", async () => {
    const enclave = await generateHpkeKeyPair();
    const { bytes, envelope } = await sealContribution({ plaintext: FILE, recipientPublicKey: enclave.publicKey, binding: BINDING });
    expect(looksSealedContribution(bytes)).toBe(true);
    expect(bytes.length).toBe(CONTRIBUTION_FIXED_HEADER_LENGTH + 32 + FILE.length + 16);
    expect(decodeContributionEnvelope(bytes).envelope.binding).toEqual(BINDING);
    expect(envelope.binding).toEqual(BINDING);
    expect(await openContribution({ envelope: bytes, recipientPrivateKey: enclave.privateKey, expected: BINDING })).toEqual(FILE);
    // The plaintext is not in the envelope.
    expect(Buffer.from(bytes).includes(Buffer.from("UNSOUND"))).toBe(false);
  });

  it("refuses to open for another contributor, another Forge or another chain", async () => {
    const enclave = await generateHpkeKeyPair();
    const { bytes } = await sealContribution({ plaintext: FILE, recipientPublicKey: enclave.publicKey, binding: BINDING });
    for (const expected of [
      { ...BINDING, contributor: MALLORY },
      { ...BINDING, forge: OTHER_FORGE },
      { ...BINDING, chainId: 1 },
    ]) {
      await expect(openContribution({ envelope: bytes, recipientPrivateKey: enclave.privateKey, expected })).rejects.toBeInstanceOf(ContributionOpenError);
    }
  });

  it("cannot be moved to another sender by rewriting the clear binding in the header", async () => {
    const enclave = await generateHpkeKeyPair();
    const { envelope } = await sealContribution({ plaintext: FILE, recipientPublicKey: enclave.publicKey, binding: BINDING });
    const moved = encodeContributionEnvelope({ ...envelope, binding: { ...BINDING, contributor: MALLORY } });
    expect(decodeContributionEnvelope(moved).envelope.binding.contributor).toBe(MALLORY);
    const expected = { ...BINDING, contributor: MALLORY };
    await expect(openContribution({ envelope: moved, recipientPrivateKey: enclave.privateKey, expected })).rejects.toBeInstanceOf(ContributionOpenError);
  });

  it("refuses a flipped ciphertext byte, another enclave's key, a truncated envelope and a holdout envelope", async () => {
    const enclave = await generateHpkeKeyPair();
    const other = await generateHpkeKeyPair();
    const { bytes } = await sealContribution({ plaintext: FILE, recipientPublicKey: enclave.publicKey, binding: BINDING });
    const flipped = bytes.slice();
    flipped[flipped.length - 20] ^= 1;
    await expect(openContribution({ envelope: flipped, recipientPrivateKey: enclave.privateKey, expected: BINDING })).rejects.toBeInstanceOf(ContributionOpenError);
    await expect(openContribution({ envelope: bytes, recipientPrivateKey: other.privateKey, expected: BINDING })).rejects.toBeInstanceOf(ContributionOpenError);
    expect(() => decodeContributionEnvelope(bytes.slice(0, 100))).toThrow(ContributionEnvelopeFormatError);
    const holdout = (await sealHoldout({ plaintext: FILE, recipientPublicKey: enclave.publicKey })).bytes;
    expect(looksSealedContribution(holdout)).toBe(false);
    expect(() => decodeContributionEnvelope(holdout)).toThrow(ContributionEnvelopeFormatError);
    expect(() => decodeContributionEnvelope(FILE)).toThrow(/does not start with "IFDC"/);
  });

  it("binds exactly prefix ‖ chainId u64 ‖ forge ‖ contributor into the HPKE info, and refuses a bad binding", () => {
    const info = contributionInfo(BINDING);
    const prefix = new TextEncoder().encode("ingotforge/data-contribution/v1");
    expect(info.subarray(0, prefix.length)).toEqual(prefix);
    expect(Buffer.from(info.subarray(prefix.length)).toString("hex")).toBe(
      "0000000000007a69" + FORGE.slice(2).toLowerCase() + ALICE.slice(2).toLowerCase(),
    );
    expect(() => contributionInfo({ ...BINDING, chainId: 0 })).toThrow(ContributionBindingError);
    expect(() => contributionInfo({ ...BINDING, contributor: "0x1234" as Address })).toThrow(ContributionBindingError);
  });
});
