import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { ed25519PublicKeyOf, generateEd25519PrivateKey } from "../../../coordinator/src/compute/ed25519Keys.js";
import { jobResultMessage } from "../../../coordinator/src/compute/jobResultMessage.js";
import { signJobResult } from "../../../coordinator/src/compute/signJobResult.js";
import type { UnsignedTrainingJobResult } from "../../../coordinator/src/compute/types.js";
import { verifyJobResult } from "../../../coordinator/src/compute/verifyJobResult.js";

const KEY = `0x${"11".repeat(32)}` as const;
const PUB = ed25519PublicKeyOf(KEY);
const unsigned: UnsignedTrainingJobResult = {
  jobId: `0x${"01".repeat(32)}`,
  computeId: 3,
  workerPublicKey: PUB,
  adapterRoot: `0x${"02".repeat(32)}`,
  adapterHash: `0x${"03".repeat(32)}`,
  trainedTokens: 120,
};

describe("signJobResult / verifyJobResult", () => {
  const signed = signJobResult({ result: unsigned, ed25519PrivateKey: KEY });

  it("signs canonical JSON (sorted keys, no whitespace, with the domain) and verifies against the registered key", () => {
    expect(new TextDecoder().decode(jobResultMessage(unsigned))).toBe(
      `{"adapterHash":"${unsigned.adapterHash}","adapterRoot":"${unsigned.adapterRoot}","computeId":3,"domain":"ingotforge/training-job-result/v1",` +
        `"jobId":"${unsigned.jobId}","trainedTokens":120,"workerPublicKey":"${PUB}"}`,
    );
    expect(signed.signature).toMatch(/^0x[0-9a-f]{128}$/);
    expect(verifyJobResult({ result: signed, publicKey: PUB })).toEqual({ valid: true });
  });

  it("rejects a result with any signed field changed", () => {
    const tampered = [
      { ...signed, jobId: `0x${"09".repeat(32)}` },
      { ...signed, computeId: 4 },
      { ...signed, adapterRoot: `0x${"08".repeat(32)}` },
      { ...signed, adapterHash: `0x${"07".repeat(32)}` },
      { ...signed, trainedTokens: 121 },
    ] as const;
    for (const t of tampered) expect(verifyJobResult({ result: t, publicKey: PUB })).toMatchObject({ valid: false, reason: "bad-signature" });
  });

  it("rejects a signature by another key, even when the result names that key", () => {
    const other = generateEd25519PrivateKey();
    const forged = signJobResult({ result: { ...unsigned, workerPublicKey: ed25519PublicKeyOf(other) }, ed25519PrivateKey: other });
    expect(verifyJobResult({ result: forged, publicKey: PUB })).toMatchObject({ valid: false, reason: "public-key-mismatch" });
    // Swapping in the registered key name does not help: the signature is not by it.
    expect(verifyJobResult({ result: { ...forged, workerPublicKey: PUB }, publicKey: PUB })).toMatchObject({ valid: false, reason: "bad-signature" });
  });

  it("reports malformed results instead of throwing", () => {
    const bad = [{ ...signed, signature: "0x1234" }, { ...signed, trainedTokens: -1 }, { ...signed, adapterRoot: unsigned.adapterRoot.toUpperCase() }, { ...signed, extra: 1 }];
    for (const b of bad) expect(verifyJobResult({ result: b as never, publicKey: PUB })).toMatchObject({ valid: false, reason: "malformed" });
    const flipped = `${signed.signature.slice(0, -2)}${signed.signature.endsWith("00") ? "01" : "00"}` as Hex;
    expect(verifyJobResult({ result: { ...signed, signature: flipped }, publicKey: PUB })).toMatchObject({ valid: false, reason: "bad-signature" });
  });

  it("refuses to sign with a key that is not the result's workerPublicKey", () => {
    expect(() => signJobResult({ result: unsigned, ed25519PrivateKey: generateEd25519PrivateKey() })).toThrow(/not the result's workerPublicKey/);
    expect(() => signJobResult({ result: unsigned, ed25519PrivateKey: "0x1234" })).toThrow(/64 hex digits/);
  });

  it("signs bytes that jq reproduces from the result file (the documented recipe)", () => {
    let jq = "";
    try {
      jq = execFileSync("jq", ["-cjS", '{adapterHash,adapterRoot,computeId,jobId,trainedTokens,workerPublicKey} + {domain:"ingotforge/training-job-result/v1"}'], {
        input: JSON.stringify(signed),
        encoding: "utf8",
      });
    } catch {
      return; // jq is not installed here; the canonical form is pinned by the first test
    }
    expect(jq).toBe(new TextDecoder().decode(jobResultMessage(signed)));
  });
});
