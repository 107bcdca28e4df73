import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProof } from "../../../gateway/src/proof/buildProof.js";
import { computeChainHash } from "../../../gateway/src/proof/computeChainHash.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { hashRequest } from "../../../gateway/src/proof/hashRequest.js";
import { hashResponse } from "../../../gateway/src/proof/hashResponse.js";
import { proofDocBlock } from "./fixtures/proofDocBlock.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI = join(ROOT, "gateway/src/cli/verifyProof.ts");
/** tsx's loader by absolute URL: the CLI runs in a temp directory, where a bare `tsx` does not resolve. */
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

const HAVE_JQ = spawnSync("jq", ["--version"]).status === 0;
const HAVE_OPENSSL = spawnSync("openssl", ["version"]).status === 0 && spawnSync("xxd", ["-v"]).status === 0;
if (!HAVE_JQ) console.warn("\n*** jq not found: the jq + sha256sum one-liner of gateway/docs/proof.md is NOT TESTED here ***\n");
if (!HAVE_OPENSSL) console.warn("\n*** openssl or xxd not found: the openssl signature check of gateway/docs/proof.md is NOT TESTED here ***\n");

const signer = createProofSigner(new Uint8Array(32).fill(3));
const API_KEY = "ifk_test_cli_key";
const REQUEST = { model: "ingot-4", messages: [{ role: "user", content: "naïve café ☕ 😀" }] };
const RESPONSE = { id: "chatcmpl-9", model: "ingot-4", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] };
const proofInputs = {
  request: REQUEST,
  response: RESPONSE,
  apiKey: API_KEY,
  seller: "gw.ingotforge.test",
  timestamp: "2026-12-03T11:00:00Z",
  payment: { provider: "gateway_deposits", transaction_id: "chg_cli_1", amount: 7n, currency: "eth", status: "charged" },
  ingot: { id: 4n, model: "ingot-4", adapter_root: `0x${"44".repeat(32)}` as const },
  signer,
};
const proof = buildProof(proofInputs);


interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn the CLI (asynchronously: the test's own HTTP server must keep answering). */
function runCli(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

function bash(script: string, cwd: string): Run {
  const r = spawnSync("bash", ["-c", script], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let server: Server;
let gateway: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "proof-cli-"));
  writeFileSync(join(dir, "proof.json"), JSON.stringify(proof, null, 2));
  writeFileSync(join(dir, "tampered.json"), JSON.stringify({ ...proof, payment: { ...proof.payment, amount: "7000" } }));
  writeFileSync(join(dir, "req.json"), JSON.stringify(REQUEST));
  writeFileSync(join(dir, "resp.json"), JSON.stringify(RESPONSE));
  writeFileSync(join(dir, "other-req.json"), JSON.stringify({ ...REQUEST, model: "ingot-5" }));
  writeFileSync(join(dir, "key.txt"), `${API_KEY}\n`);
  writeFileSync(join(dir, "not-json.json"), "{ nope");
  server = createServer((req, res) => {
    if (req.url === `/v1/proofs/${proof.proof_id}`) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(proof));
    } else if (req.url === "/v1/proofs/prf_served_under_another_id") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(proof));
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "no such proof", code: "proof_not_found" } }));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("verifyProof CLI", () => {
  it("exits 0 and prints PASS for every check when the proof, pinned key, request, response and key all agree", async () => {
    const r = await runCli(["proof.json", "--public-key", signer.publicKeyHex, "--request", "req.json", "--response", "resp.json", "--api-key-file", "key.txt"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const check of ["format", "spec_version", "chain_hash", "signature", "public_key", "metadata_signature", "request_hash", "response_hash", "buyer_fingerprint", "ingot_model"]) {
      expect(r.stdout).toMatch(new RegExp(`PASS\\s+${check}\\s`));
    }
    expect(r.stdout).toContain(`proof ${proof.proof_id}  spec_version 2.1  canonical-json chain hash`);
    expect(r.stdout.trimEnd().endsWith("VALID")).toBe(true);
  });

  it("exits 1 and names the failing check for a tampered proof", async () => {
    const r = await runCli(["tampered.json", "--public-key", signer.publicKeyHex]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+metadata_signature\s/);
    expect(r.stdout).toMatch(/PASS\s+chain_hash\s/);
    expect(r.stdout).toContain("INVALID (1 check failed)");
  });

  it("exits 1 when the request given is not the one proven", async () => {
    const r = await runCli(["proof.json", "--request", "other-req.json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+request_hash\s/);
    expect(r.stdout).toMatch(/FAIL\s+ingot_model\s/);
  });

  it("exits 1 for a key other than the pinned one", async () => {
    const r = await runCli(["proof.json", "--public-key", createProofSigner(new Uint8Array(32).fill(4)).publicKeyHex]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+public_key\s/);
  });

  it("reads the proof from stdin with -, and prints the result object with --json", async () => {
    const r = await runCli(["-", "--json", "--public-key", signer.publicKeyHex], JSON.stringify(proof));
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ valid: true, intact: true, signer: "pinned" });
    expect(result.checks.chain_hash.status).toBe("pass");
    expect(result.checks.public_key.status).toBe("pass");
  });

  it("exits 3 without printing VALID when no key is pinned: the proof is intact but its signer unchecked", async () => {
    const r = await runCli(["proof.json", "--request", "req.json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/SKIP\s+public_key\s/);
    expect(r.stdout).not.toMatch(/^VALID$/m);
    expect(r.stdout).toMatch(/^SIGNER UNCHECKED: .*--public-key, --attestation or --registry/m);
    const json = await runCli(["proof.json", "--json"]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, intact: true, signer: "unchecked" });
  });

  it("fetches GET /v1/proofs/:id from --gateway and checks the id served is the one asked for", async () => {
    const ok = await runCli(["--gateway", gateway, "--id", proof.proof_id, "--public-key", signer.publicKeyHex]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/PASS\s+proof_id\s/);

    const swapped = await runCli(["--gateway", gateway, "--id", "prf_served_under_another_id"]);
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toMatch(/FAIL\s+proof_id\s/);
  });

  it("exits 2 with the status when the gateway has no such proof, or cannot be reached", async () => {
    const missing = await runCli(["--gateway", gateway, "--id", "prf_missing"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("HTTP 404");
    const unreachable = await runCli(["--gateway", "http://127.0.0.1:1", "--id", "prf_x"]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/Could not fetch/);
  });

  it.each<[string, string[], RegExp]>([
    ["no proof", [], /no proof given/],
    ["a file and --gateway", ["proof.json", "--gateway", "http://x", "--id", "prf_1"], /not both/],
    ["--gateway without --id", ["--gateway", "http://x"], /go together/],
    ["two files", ["proof.json", "tampered.json"], /one proof file/],
    ["a malformed --public-key", ["proof.json", "--public-key", "abc"], /64 hex digits/],
    ["an unknown option", ["proof.json", "--frobnicate"], /Unknown option/],
    ["a missing file", ["nope.json"], /cannot read the proof file nope\.json: ENOENT/],
    ["a file that is not JSON", ["not-json.json"], /not-json\.json is not JSON/],
    ["a missing request file", ["proof.json", "--request", "nope.json"], /cannot read the request file/],
  ])("exits 2 on %s, saying what is wrong", async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});

describe("gateway/docs/proof.md shell recipes", () => {
  it.skipIf(!HAVE_JQ)("the jq + sha256sum one-liner re-derives hashes.chain of a gateway proof", () => {
    const r = bash(proofDocBlock("chain-one-liner"), dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(proof.hashes.chain.slice("sha256:".length));
  });

  it.skipIf(!HAVE_JQ)("the compare line prints VERIFIED for the proof and TAMPERED once a chained field changes", () => {
    expect(bash(proofDocBlock("chain-compare"), dir).stdout.trim()).toBe("VERIFIED");
    const other = mkdtempSync(join(tmpdir(), "proof-cli-tampered-"));
    try {
      writeFileSync(join(other, "proof.json"), JSON.stringify({ ...proof, payment: { ...proof.payment, transaction_id: "chg_cli_2" } }));
      expect(bash(proofDocBlock("chain-compare"), other).stdout.trim()).toBe("TAMPERED");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.skipIf(!HAVE_JQ)("the one-liner handles non-ASCII fields and both optional chain fields like canonicalJson does", () => {
    const fields = {
      request_hash: hashRequest(REQUEST),
      response_hash: hashResponse(RESPONSE),
      transaction_id: "crd_é_1",
      timestamp: "2026-12-03T11:00:00Z",
      buyer_fingerprint: proof.parties.buyer_fingerprint,
      seller: "café.example 😀",
      upstream_timestamp: "Thu, 03 Dec 2026 11:00:01 GMT",
      receipt_content_hash: "af65b75f3901dfd0ed9590a009bf7283e318801e15733bf68403219967d4edb7",
    };
    const chain = computeChainHash(fields, "canonical-json");
    const specProof = {
      proof_id: "prf_x",
      spec_version: "2.1",
      timestamp: fields.timestamp,
      upstream_timestamp: fields.upstream_timestamp,
      provider_payment: { receipt_content_hash: `sha256:${fields.receipt_content_hash}` },
      hashes: { request: `sha256:${fields.request_hash}`, response: `sha256:${fields.response_hash}`, chain: `sha256:${chain}` },
      parties: { buyer_fingerprint: fields.buyer_fingerprint, seller: fields.seller },
      payment: { provider: "prepaid_credit", transaction_id: fields.transaction_id, amount: 0.1, currency: "eur", status: "succeeded" },
    };
    const other = mkdtempSync(join(tmpdir(), "proof-cli-unicode-"));
    try {
      writeFileSync(join(other, "proof.json"), JSON.stringify(specProof));
      expect(bash(proofDocBlock("chain-one-liner"), other).stdout.trim()).toBe(chain);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.skipIf(!HAVE_JQ)("the saved-stream recipe prints RECEIVED for the stream a proof covers, DIFFERENT once an event changes", () => {
    const events = [
      { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1764759600, model: "ingot-4", choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] },
      { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1764759600, model: "ingot-4", choices: [{ index: 0, delta: { content: "naïve ☕ 😀 \"q\"\n" }, logprobs: null, finish_reason: null }] },
      { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1764759600, model: "ingot-4", choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] },
      { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1764759600, model: "ingot-4", choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
    ];
    const streamProof = buildProof({ ...proofInputs, response: events });
    const sse = (list: unknown[]) => [...list, { choices: [], proof: streamProof }].map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + "data: [DONE]\n\n";
    const other = mkdtempSync(join(tmpdir(), "proof-cli-stream-"));
    try {
      writeFileSync(join(other, "proof.json"), JSON.stringify(streamProof));
      writeFileSync(join(other, "stream.txt"), sse(events));
      expect(bash(proofDocBlock("stream-response-hash"), other).stdout.trim()).toBe("RECEIVED");
      writeFileSync(join(other, "stream.txt"), sse(events.slice(0, 3)));
      expect(bash(proofDocBlock("stream-response-hash"), other).stdout.trim()).toBe("DIFFERENT");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.skipIf(!HAVE_JQ || !HAVE_OPENSSL)("the openssl recipe verifies signature.value over the chain hash, and refuses a flipped signature", () => {
    const ok = bash(proofDocBlock("openssl-verify"), dir);
    expect(ok.stdout).toContain("Signature Verified Successfully");
    expect(ok.code).toBe(0);
    const other = mkdtempSync(join(tmpdir(), "proof-cli-badsig-"));
    try {
      const v = proof.signature.value;
      writeFileSync(join(other, "proof.json"), JSON.stringify({ ...proof, signature: { ...proof.signature, value: `${v.slice(0, -2)}${v.endsWith("00") ? "01" : "00"}` } }));
      expect(bash(proofDocBlock("openssl-verify"), other).code).not.toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
