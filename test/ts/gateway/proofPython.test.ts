// Cross-implementation check: a Python verifier written from ArkForge spec v2.1 §2, §5 and §6
// (json.dumps canonical JSON, hashlib, the `cryptography` package's Ed25519) accepts the gateway's
// proofs and re-derives their request and response hashes from the bodies.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildProof } from "../../../gateway/src/proof/buildProof.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";

const HAVE_PYTHON_CRYPTO = spawnSync("python3", ["-c", "import cryptography.hazmat.primitives.asymmetric.ed25519"]).status === 0;
if (!HAVE_PYTHON_CRYPTO) console.warn("\n*** python3 with the cryptography package not found: the Python cross-check of gateway proofs is SKIPPED ***\n");

const VERIFIER = `
import hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def canonical(d):
    return json.dumps(d, sort_keys=True, separators=(",", ":"))

def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()

out = []
for line in sys.stdin.read().splitlines():
    case = json.loads(line)
    p = case["proof"]
    bare = lambda h: h[len("sha256:"):] if h.startswith("sha256:") else h
    data = {
        "buyer_fingerprint": p["parties"]["buyer_fingerprint"],
        "request_hash": bare(p["hashes"]["request"]),
        "response_hash": bare(p["hashes"]["response"]),
        "seller": p["parties"]["seller"],
        "timestamp": p["timestamp"],
        "transaction_id": p["payment"]["transaction_id"],
    }
    chain = sha(canonical(data))
    sig_ok = True
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(p["signature"]["public_key"])).verify(bytes.fromhex(p["signature"]["value"]), bare(p["hashes"]["chain"]).encode("utf-8"))
    except Exception:
        sig_ok = False
    out.append({
        "chain_ok": chain == bare(p["hashes"]["chain"]),
        "signature_ok": sig_ok,
        "request_ok": sha(canonical(case["request"])) == bare(p["hashes"]["request"]),
        "response_ok": sha(canonical(case["response"])) == bare(p["hashes"]["response"]),
        "buyer_ok": sha(case["api_key"]) == p["parties"]["buyer_fingerprint"],
    })
print(json.dumps(out))
`;

const signer = createProofSigner(new Uint8Array(32).fill(11));

function casesFor(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const request = { model: `ingot-${i}`, messages: [{ role: "user", content: `Q${i}: ${"é😀\u0001\"\\".repeat(i % 4)} 日本` }], temperature: i / 10 + 0.05, stream: false, user: undefined };
    const response = { id: `chatcmpl-${i}`, choices: [{ index: 0, message: { role: "assistant", content: `A${i} \u{1F680}` }, logprobs: null }], usage: { prompt_tokens: i, completion_tokens: 2 * i } };
    const apiKey = `ifk_${i}_clé`;
    const proof = buildProof({
      request,
      response,
      apiKey,
      seller: i % 2 === 0 ? "gw.example" : "gw-ü.example",
      timestamp: new Date(Date.UTC(2026, 11, 3, 10, 0, i)),
      payment: { provider: "gateway_deposits", transaction_id: `chg_${i}`, amount: BigInt(i) * 10n ** 15n, currency: "eth", status: "charged" },
      ingot: { id: BigInt(i), model: `ingot-${i}`, adapter_root: `0x${i.toString(16).padStart(2, "0").repeat(32)}` },
      signer,
    });
    return { proof, request: JSON.parse(JSON.stringify(request)), response, api_key: apiKey };
  });
}

interface PythonVerdict {
  chain_ok: boolean;
  signature_ok: boolean;
  request_ok: boolean;
  response_ok: boolean;
  buyer_ok: boolean;
}

function runPython(cases: unknown[]): PythonVerdict[] {
  const r = spawnSync("python3", ["-c", VERIFIER], { input: cases.map((c) => JSON.stringify(c)).join("\n"), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`the Python verifier failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe.skipIf(!HAVE_PYTHON_CRYPTO)("gateway proofs under an independent Python verifier", () => {
  it("accepts the chain hash and signature of 40 proofs, and re-derives their request, response and buyer hashes", () => {
    const results = runPython(casesFor(40));
    expect(results).toHaveLength(40);
    const bad = results.map((r, i) => ({ i, ...r })).filter((r) => !(r.chain_ok && r.signature_ok && r.request_ok && r.response_ok && r.buyer_ok));
    expect(bad).toEqual([]);
  });

  it("rejects a proof whose seller or signature was changed (the Python side can fail)", () => {
    const [one, two] = casesFor(2);
    one.proof = { ...one.proof, parties: { ...one.proof.parties, seller: "evil.example" } };
    two.proof = { ...two.proof, signature: { ...two.proof.signature, value: `00${two.proof.signature.value.slice(2)}` } };
    const [r1, r2] = runPython([one, two]);
    expect(r1.chain_ok).toBe(false);
    expect(r2.signature_ok).toBe(false);
    expect(r2.chain_ok).toBe(true);
  });
});
