// The playground's proof verifier, run with the page's SHA-256 (noble) in place of the gateway's
// node:crypto one, exactly as app/vite.config.ts substitutes it in the build.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

vi.mock("../../../gateway/src/proof/sha256Hex.js", async () => await import("../../../app/src/proof/sha256HexInBrowser.js"));

import { sha256Hex as gatewaySha256Hex } from "../../../gateway/src/proof/sha256Hex.js";
import { sha256Hex as browserSha256Hex } from "../../../app/src/proof/sha256HexInBrowser.js";
import { buildProof } from "../../../gateway/src/proof/buildProof.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import { verifyAnswerProof } from "../../../app/src/proof/verifyAnswerProof.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
interface Vector {
  name: string;
  spec_version?: string;
  input: { request: unknown; response: unknown; payment_intent_id: string; timestamp: string; api_key: string; seller: string; upstream_timestamp?: string; receipt_content_hash?: string };
  expected: { request_hash: string; response_hash: string; buyer_fingerprint: string; chain_hash: string };
}
const vectors = (JSON.parse(readFileSync(join(ROOT, "test/vectors/arkforge-proof-spec/test-vectors.json"), "utf8")) as { vectors: Vector[] }).vectors;

const signer = createProofSigner(new Uint8Array(32).map((_, i) => i + 7));
const other = createProofSigner(new Uint8Array(32).fill(3));
const API_KEY = "ifk_playground_example";
const REQUEST = { model: "ingot-1", messages: [{ role: "user", content: "Is this sound? let x = unsafe { *p }; 😀" }], max_tokens: 16, temperature: 0 };
const RESPONSE = { id: "chatcmpl-1", object: "chat.completion", created: 1_765_000_000, model: "ingot-1", choices: [{ index: 0, message: { role: "assistant", content: "No: p may dangle." }, finish_reason: "stop" }], usage: { prompt_tokens: 20, completion_tokens: 6, total_tokens: 26 } };
const proof = buildProof({
  request: REQUEST,
  response: RESPONSE,
  apiKey: API_KEY,
  seller: "gateway.ingotforge.local",
  timestamp: "2026-12-07T22:30:00Z",
  payment: { provider: "gateway_deposits", transaction_id: "chg_1", amount: 26_000_000_000_000n, currency: "eth", status: "charged" },
  ingot: { id: 1n, model: "ingot-1", adapter_root: `0x${"5a".repeat(32)}` },
  signer,
});
const registry = { kind: "registry", registry: "0x00000000000000000000000000000000000000aa", valid: true, simulated: true } as const;

describe("the proof verifier in the browser", () => {
  it("runs on the page's SHA-256: the gateway's module is the browser one here, as in the build", () => {
    expect(gatewaySha256Hex).toBe(browserSha256Hex);
    expect(browserSha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it.each(vectors.map((v) => [v.name, v] as const))("recomputes ArkForge vector %s: request, response, fingerprint and chain hash", (_name, v) => {
    const spec: Record<string, unknown> = {
      proof_id: `prf_vector_${v.name}`,
      timestamp: v.input.timestamp,
      hashes: { request: `sha256:${v.expected.request_hash}`, response: `sha256:${v.expected.response_hash}`, chain: `sha256:${v.expected.chain_hash}` },
      parties: { buyer_fingerprint: v.expected.buyer_fingerprint, seller: v.input.seller },
      payment: { provider: "stripe", transaction_id: v.input.payment_intent_id, amount: 0.5, currency: "eur", status: "succeeded" },
      ...(v.spec_version !== undefined ? { spec_version: v.spec_version } : {}),
      ...(v.input.upstream_timestamp !== undefined ? { upstream_timestamp: v.input.upstream_timestamp } : {}),
      ...(v.input.receipt_content_hash !== undefined ? { provider_payment: { type: "stripe", receipt_content_hash: `sha256:${v.input.receipt_content_hash}` } } : {}),
    };
    const ok = verifyProof(spec, { request: v.input.request, response: v.input.response, apiKey: v.input.api_key, requireSignature: false });
    expect(ok.errors).toEqual([]);
    expect(ok.checks.chain_hash.status).toBe("pass");
    const changed = verifyProof({ ...spec, timestamp: "2000-01-01T00:00:00Z" }, { requireSignature: false });
    expect(changed.checks.chain_hash.status).toBe("fail");
  });

  it("accepts a gateway answer's proof pinned to the key registered on chain, every check with its input passing", () => {
    const v = verifyAnswerProof({ proof, request: REQUEST, response: RESPONSE, apiKey: API_KEY, trustedKey: signer.publicKeyHex, keySource: registry });
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
    for (const check of ["chain_hash", "signature", "public_key", "metadata_signature", "request_hash", "response_hash", "buyer_fingerprint", "ingot_model"] as const) expect(v.checks[check].status).toBe("pass");
  });

  it("refuses an answer changed after signing (response hash)", () => {
    const changed = { ...RESPONSE, choices: [{ ...RESPONSE.choices[0], message: { role: "assistant", content: "Yes, it is sound." } }] };
    const v = verifyAnswerProof({ proof, request: REQUEST, response: changed, apiKey: API_KEY, trustedKey: signer.publicKeyHex, keySource: registry });
    expect(v.valid).toBe(false);
    expect(v.checks.response_hash.status).toBe("fail");
  });

  it("refuses a chained field changed after signing (chain hash and signature)", () => {
    const v = verifyAnswerProof({ proof: { ...proof, timestamp: "2026-12-07T22:31:00Z" }, request: REQUEST, response: RESPONSE, apiKey: API_KEY, trustedKey: signer.publicKeyHex, keySource: registry });
    expect(v.valid).toBe(false);
    expect(v.checks.chain_hash.status).toBe("fail");
  });

  it("refuses a proof signed by a key other than the registered one", () => {
    const v = verifyAnswerProof({ proof, request: REQUEST, response: RESPONSE, apiKey: API_KEY, trustedKey: other.publicKeyHex, keySource: registry });
    expect(v.valid).toBe(false);
    expect(v.checks.public_key.status).toBe("fail");
  });

  it("refuses when ProofKeyRegistry does not hold the signing key as valid", () => {
    const v = verifyAnswerProof({ proof, request: REQUEST, response: RESPONSE, apiKey: API_KEY, trustedKey: signer.publicKeyHex, keySource: { ...registry, valid: false } });
    expect(v.valid).toBe(false);
    expect(v.errors.some((e) => e.startsWith("registry:"))).toBe(true);
  });

  it("refuses another API key's call (buyer fingerprint)", () => {
    const v = verifyAnswerProof({ proof, request: REQUEST, response: RESPONSE, apiKey: "ifk_someone_else", trustedKey: signer.publicKeyHex, keySource: registry });
    expect(v.checks.buyer_fingerprint.status).toBe("fail");
  });

  it("the modules the page bundles for it import nothing from node: besides the substituted SHA-256", () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const gatewaySha = join(ROOT, "gateway/src/proof/sha256Hex.ts");
    const walk = (file: string) => {
      if (seen.has(file) || file === gatewaySha) return;
      seen.add(file);
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/^import\s+(?:type\s)?[^"']*?from\s+["']([^"']+)["']/gm)) {
        const spec = m[1];
        if (m[0].startsWith("import type")) continue;
        if (spec.startsWith("node:")) offenders.push(`${file}: ${spec}`);
        else if (spec.startsWith(".")) {
          const base = resolve(dirname(file), spec.replace(/\.js$/, ""));
          walk([`${base}.ts`, `${base}.tsx`].find((f) => existsSync(f)) ?? `${base}.ts`);
        }
      }
      if (/\bBuffer\./.test(src) && !file.endsWith("verifyProof.ts")) offenders.push(`${file}: Buffer`);
    };
    walk(join(ROOT, "app/src/proof/verifyAnswerProof.ts"));
    walk(join(ROOT, "app/src/components/ingot/Playground.tsx"));
    expect(offenders).toEqual([]);
    expect(seen.size).toBeGreaterThan(5);
  });
});
