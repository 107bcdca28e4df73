#!/usr/bin/env node
// Verify an IngotForge gateway proof (ArkForge proof-spec v2.1; legacy 1.1 / 2.0 too).
//
//   npx tsx gateway/src/cli/verifyProof.ts proof.json [--public-key HEX] [--request req.json] [--response resp.json|stream.txt|chunks.json]
//   curl -s $GW/v1/proofs/prf_… | npx tsx gateway/src/cli/verifyProof.ts - --public-key HEX
//   npx tsx gateway/src/cli/verifyProof.ts --gateway https://gw.example --id prf_… [--public-key HEX]
//   … --attestation https://gw.example/v1/attestation [--measurement 0x…]   (or a saved attestation file)
//   … --registry 0xProofKeyRegistry --rpc https://rpc.example   (the key registered, not revoked, its build allow-listed)
//   … --tsa-cert tsa.crt   (the batch witness: inclusion path, RFC 3161 token imprint and its signature by the pinned TSA)
//   … --proof-log 0xProofLog --rpc https://rpc.example   (the batch root anchored on chain, and when)
//   … --rekor-key rekor.pub   (the batch root's Rekor entry, checked with @sigstore/verify against that log key)
//
// --response takes what the client kept: the JSON body (its proof field is left out), a stream's
// raw `data:` events, or the stream's chunks as a JSON array (see proof/responseForProof.ts).
// Prints one line per check (PASS / FAIL / SKIP and what was compared), then, with --attestation,
// whether an enclave quote commits to the key that signed the proof. Exit 0: valid; 1: invalid;
// 2: usage error, or the proof / request / response could not be read; 3: every check passed but
// no key was pinned (--public-key, --attestation or --registry), so who signed is unchecked.
import { readFile } from "node:fs/promises";
import { isMainModule } from "./isMainModule.js";
import { parseArgs } from "node:util";
import { createPublicClient, http, isAddress, type Address } from "viem";
import { readProofKeyRegistration, type ProofKeyRegistration } from "../attestation/readProofKeyRegistration.js";
import { verifyAttestation, type VerifyAttestationReturnType } from "../attestation/verifyAttestation.js";
import { fetchProof } from "../proof/fetchProof.js";
import { ProofFetchError } from "../proof/errors.js";
import type { ProofCheckName } from "../proof/types.js";
import { responseForProof } from "../proof/responseForProof.js";
import { verifyProof, type VerifyProofOptions, type VerifyProofReturnType } from "../proof/verifyProof.js";
import { checkAnchor, type AnchorCheck } from "../witness/anchor/checkAnchor.js";
import { verifyWitness, type VerifyWitnessReturnType } from "../witness/verifyWitness.js";

const USAGE =
  "usage: verifyProof <proof.json | -> [--public-key HEX] [--request req.json] [--response resp.json] [--api-key-file FILE] [--attestation FILE|URL [--measurement 0xHEX]] [--registry 0xADDR --rpc URL] [--tsa-cert PEM] [--proof-log 0xADDR --rpc URL] [--rekor-key PEM] [--json]\n" +
  "       verifyProof --gateway URL --id prf_… [same options]\n" +
  "exit: 0 valid, 1 invalid, 2 usage error or unreadable input, 3 intact but the signer unchecked (no --public-key, --attestation or --registry)";

/** What the CLI reads and writes; the real process by default, a fake in tests. */
export interface VerifyProofCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  fetch?: typeof globalThis.fetch;
}

class UsageError extends Error {}

/** Run the verifyProof CLI on `argv` (without node and script); resolves to the exit code. */
export async function runVerifyProofCli(argv: string[], io: VerifyProofCliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${error instanceof UsageError ? `${USAGE}\n` : ""}`);
    return 2;
  }
}

async function run(argv: string[], io: VerifyProofCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "public-key": { type: "string" },
        request: { type: "string" },
        response: { type: "string" },
        "api-key-file": { type: "string" },
        gateway: { type: "string" },
        id: { type: "string" },
        attestation: { type: "string" },
        measurement: { type: "string" },
        registry: { type: "string" },
        rpc: { type: "string" },
        "tsa-cert": { type: "string" },
        "rekor-key": { type: "string" },
        "proof-log": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected one proof file, got ${positionals.length}`);
  const fromGateway = values.gateway !== undefined || values.id !== undefined;
  if (fromGateway && positionals.length > 0) throw new UsageError("give a proof file or --gateway with --id, not both");
  if (fromGateway && (values.gateway === undefined || values.id === undefined)) throw new UsageError("--gateway and --id go together");
  if (!fromGateway && positionals.length === 0) throw new UsageError("no proof given");
  const publicKey = values["public-key"];
  if (publicKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(publicKey)) throw new UsageError(`--public-key must be 64 hex digits (the gateway's Ed25519 key), got ${JSON.stringify(publicKey)}`);

  const measurement = values.measurement;
  if (measurement !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(measurement)) throw new UsageError(`--measurement must be 32 bytes of 0x-hex (the enclave measurement you trust), got ${JSON.stringify(measurement)}`);
  if (measurement !== undefined && values.attestation === undefined) throw new UsageError("--measurement goes with --attestation");
  if (values.rpc !== undefined && values.registry === undefined && values["proof-log"] === undefined) throw new UsageError("--rpc goes with --registry or --proof-log");
  if ((values.registry !== undefined || values["proof-log"] !== undefined) && values.rpc === undefined) throw new UsageError("--registry and --proof-log need --rpc");
  if (values["proof-log"] !== undefined && !isAddress(values["proof-log"])) throw new UsageError(`--proof-log must be a contract address, got ${JSON.stringify(values["proof-log"])}`);
  if (values.registry !== undefined && !isAddress(values.registry)) throw new UsageError(`--registry must be a contract address, got ${JSON.stringify(values.registry)}`);

  const proof = fromGateway
    ? await fetchProof({ gatewayUrl: values.gateway!, proofId: values.id!, fetch: io.fetch })
    : parseJson(positionals[0] === "-" ? await io.readStdin() : await readText(positionals[0], "proof"), positionals[0] === "-" ? "the proof on stdin" : positionals[0]);
  const options: VerifyProofOptions = { publicKey, proofId: values.id };
  if (values.request !== undefined) options.request = parseJson(await readText(values.request, "request"), values.request);
  if (values.response !== undefined) {
    const text = await readText(values.response, "response");
    try {
      options.response = responseForProof(text);
    } catch (error) {
      throw new Error(`${values.response}: ${(error as Error).message}`);
    }
  }
  if (values["api-key-file"] !== undefined) options.apiKey = (await readText(values["api-key-file"], "API key")).replace(/\r?\n$/, "");

  const result = verifyProof(proof, options);
  const signedWith = (proof as { signature?: { public_key?: unknown } } | null)?.signature?.public_key;
  let attestation: VerifyAttestationReturnType | undefined;
  if (values.attestation !== undefined) {
    const source = values.attestation;
    const document = /^https?:\/\//.test(source) ? await fetchJson(source, io.fetch ?? globalThis.fetch) : parseJson(await readText(source, "attestation"), source);
    attestation = await verifyAttestation(document, { publicKey: typeof signedWith === "string" ? signedWith : "", ...(measurement ? { measurement: measurement as `0x${string}` } : {}) });
  }
  let registration: ProofKeyRegistration | undefined;
  if (values.registry !== undefined && typeof signedWith === "string") {
    const publicClient = createPublicClient({ transport: http(values.rpc!, { fetchFn: io.fetch }) });
    registration = await readProofKeyRegistration({ publicClient, registry: values.registry as Address, publicKey: signedWith });
  }
  // The batch witness: its checks run whenever the proof carries one; --tsa-cert or --proof-log require it complete.
  const requireTimestamp = values["tsa-cert"] !== undefined || values["proof-log"] !== undefined || values["rekor-key"] !== undefined;
  const witness = await verifyWitness(proof, {
    requireTimestamp,
    ...(values["tsa-cert"] !== undefined ? { tsaCertificatePem: await readText(values["tsa-cert"], "TSA certificate") } : {}),
    ...(values["rekor-key"] !== undefined ? { rekorPublicKeyPem: await readText(values["rekor-key"], "Rekor public key") } : {}),
  });
  let anchor: AnchorCheck | undefined;
  if (values["proof-log"] !== undefined) {
    const publicClient = createPublicClient({ transport: http(values.rpc!, { fetchFn: io.fetch }) });
    anchor = await checkAnchor(publicClient, values["proof-log"] as Address, witness.root);
  }
  // Intact: every check that ran passed. Valid: intact, and a source the verifier trusts vouches
  // for the key that signed (a pinned key, an attestation of it, or the registry).
  const intact = result.valid && witness.valid && (anchor?.status ?? "pass") === "pass" && (attestation?.valid ?? true) && (values.registry === undefined || registration?.valid === true);
  const signer: Signer =
    result.checks.public_key.status === "pass" ? "pinned"
    : attestation?.valid && attestation.checks.attested_key?.status === "pass" ? "attested"
    : registration?.valid ? "registered"
    : "unchecked";
  const valid = intact && signer !== "unchecked";
  if (values.json) io.stdout(`${JSON.stringify({ ...result, valid, intact, signer, ...(attestation ? { attestation } : {}), ...(values.registry !== undefined ? { registration: registration ?? null } : {}), witness, ...(anchor ? { anchor } : {}) }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  else io.stdout(summary(proof, result, intact && signer === "unchecked") + witnessSummary(witness, anchor) + (attestation ? attestationSummary(attestation) : "") + (values.registry !== undefined ? registrationSummary(values.registry, registration) : ""));
  return valid ? 0 : intact ? 3 : 1;
}

/** Who vouches for the key that signed: a pinned key, an attestation that names it, the registry, or no one. */
type Signer = "pinned" | "attested" | "registered" | "unchecked";

function witnessSummary(w: VerifyWitnessReturnType, anchor: AnchorCheck | undefined): string {
  if (w.status === "absent" && w.valid && !anchor) return "";
  const checks: [string, { status: string; detail: string }][] = [...Object.entries(w.checks), ...(anchor ? [["anchor", anchor] as [string, AnchorCheck]] : [])];
  const width = Math.max(...checks.map(([name]) => name.length));
  const lines = [`batch witness  ${w.status}`, ...checks.map(([name, c]) => `  ${c.status.toUpperCase().padEnd(4)}  ${name.padEnd(width)}  ${c.detail}`)];
  return `${lines.join("\n")}\n`;
}

async function fetchJson(url: string, fetch: typeof globalThis.fetch): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ProofFetchError(url, undefined, (error as Error).message, "Check the URL and that the gateway is running", error);
  }
  const text = await response.text();
  if (response.status !== 200) throw new ProofFetchError(url, response.status, `HTTP ${response.status} ${text.slice(0, 200)}`, "Point --attestation at <gateway>/v1/attestation");
  return parseJson(text, url);
}

function registrationSummary(registry: string, r: ProofKeyRegistration | undefined): string {
  if (!r) return `registry ${registry}\n  FAIL  the proof names no key to look up\nNOT REGISTERED\n`;
  if (r.registeredAt === 0n) return `registry ${registry}\n  FAIL  the key that signed the proof is not registered\nNOT REGISTERED\n`;
  const when = new Date(Number(r.registeredAt) * 1000).toISOString();
  const state = r.revoked ? "revoked" : r.valid ? "valid" : "its build is no longer allow-listed";
  const line = `  ${r.valid ? "PASS" : "FAIL"}  registered ${when} for measurement ${r.measurement}${r.simulated ? " (through the SIMULATED verifier)" : ""}: ${state}`;
  return `registry ${registry}\n${line}\n${r.valid ? (r.simulated ? "REGISTERED (simulated verifier: development only)" : "REGISTERED") : "NOT VALID IN THE REGISTRY"}\n`;
}

function attestationSummary(a: VerifyAttestationReturnType): string {
  const lines = [`attestation of the proof key${a.kind ? `  kind ${a.kind}` : ""}`];
  const width = Math.max(...Object.keys(a.checks).map((name) => name.length));
  for (const [name, check] of Object.entries(a.checks)) lines.push(`  ${check.status.toUpperCase().padEnd(4)}  ${name.padEnd(width)}  ${check.detail}`);
  if (!a.valid) lines.push(`ATTESTATION INVALID (${a.errors.length} check${a.errors.length === 1 ? "" : "s"} failed)`);
  else if (!a.attested) lines.push("NOT ATTESTED: the gateway signs with a key from its config");
  else if (a.simulated) lines.push("ATTESTED BY A SIMULATED ENCLAVE: development only, it vouches for nothing");
  else lines.push(`ATTESTED: a TDX quote (measurement ${a.measurement}) commits to the key; check the quote itself with a DCAP verifier`);
  return `${lines.join("\n")}\n`;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
}

function summary(proof: unknown, result: VerifyProofReturnType, unchecked: boolean): string {
  const p = (proof ?? {}) as { proof_id?: unknown; spec_version?: unknown };
  const lines = [`proof ${typeof p.proof_id === "string" ? p.proof_id : "(no id)"}  spec_version ${typeof p.spec_version === "string" ? p.spec_version : "(absent)"}${result.formula ? `  ${result.formula} chain hash` : ""}`];
  const width = Math.max(...Object.keys(result.checks).map((name) => name.length));
  for (const [name, check] of Object.entries(result.checks) as [ProofCheckName, { status: string; detail: string }][]) {
    lines.push(`  ${check.status.toUpperCase().padEnd(4)}  ${name.padEnd(width)}  ${check.detail}`);
  }
  const failed = result.errors.length;
  if (!result.valid) lines.push(`INVALID (${failed} check${failed === 1 ? "" : "s"} failed)`);
  else if (unchecked) {
    lines.push(
      "SIGNER UNCHECKED: the proof is intact and signed by the key it names, but nothing here vouches for that key (anyone can sign with a key of their own). Pin the gateway's key: --public-key, --attestation or --registry.",
    );
  } else lines.push("VALID");
  return `${lines.join("\n")}\n`;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

if (isMainModule(import.meta.url)) {
  const code = await runVerifyProofCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: readAllStdin,
  });
  process.exitCode = code;
}
