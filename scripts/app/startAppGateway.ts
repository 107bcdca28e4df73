import type { IncomingMessage, ServerResponse } from "node:http";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { getAddress, isAddress, keccak256, toBytes, verifyMessage, type Address, type Hex, type PublicClient } from "viem";
import { createGateway } from "../../gateway/src/createGateway.js";
import { parseGatewayConfig } from "../../gateway/src/config/parseGatewayConfig.js";
import { openLedger } from "../../gateway/src/ledger/openLedger.js";
import { ledgerToGatewayLedger } from "../../gateway/src/server/ledgerToGatewayLedger.js";
import { createStaticIngotCatalog } from "../../gateway/src/server/createStaticIngotCatalog.js";
import { startChainSync } from "../../gateway/src/startChainSync.js";
import { proofKeyRegistryAbi } from "../../gateway/src/attestation/proofKeyRegistryAbi.js";
import type { ContentStore } from "../../coordinator/src/storage/types.js";
import { playgroundKeyMessage } from "../../app/src/playground/playgroundKeyMessage.js";

export interface StartAppGatewayParameters {
  rpcUrl: string;
  publicClient: PublicClient;
  /** Administers `proofKeyRegistry` (PROTOCOL_ROLE): allow-lists the gateway's build. */
  admin: { writeContract: (r: never) => Promise<Hex> };
  deposits: Address;
  ingot: Address;
  proofKeyRegistry: Address;
  /** 0x + 64 hex of an account holding SETTLER_ROLE on `deposits`, funded for gas. */
  settlerKey: Hex;
  baseModelPath: string;
  baseModelRoot: Hex;
  store: ContentStore;
  workDir: string;
  logger: Logger;
}

export interface AppGateway {
  url: string;
  publicKeyHex: string;
  /**
   * Same-origin routes for the page's server: `/gateway/v1/*` proxied to the gateway (so the page
   * needs no CORS), and `POST /gateway/keys`, the local stack's key desk. Returns false for other paths.
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  close(): Promise<void>;
}

/** How long a signed key request stays good. */
const KEY_REQUEST_TTL_MS = 10 * 60_000;

/**
 * The inference gateway for the LIVE Ingots on the stack's base model: the real gateway
 * (llama.cpp, 1 thread, max 48 completion tokens, proof key derived in the SIMULATED enclave and
 * registered in ProofKeyRegistry), synced with GatewayDeposits and settling into the
 * RevenueSplitter every 2 s. Keys are issued by `POST /gateway/keys` to whoever signs
 * `playgroundKeyMessage(payer, issuedAt)` with the payer's account: what the operator does with
 * `npm run gateway-keys -- create` elsewhere. A key spends only its payer's deposit.
 */
export async function startAppGateway(p: StartAppGatewayParameters): Promise<AppGateway> {
  const dir = path.join(p.workDir, "gateway");
  await mkdir(dir, { recursive: true });
  const ledgerPath = path.join(dir, "ledger.sqlite");
  // The node is new on every run, so is the ledger that mirrors it.
  for (const f of ["ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm"]) await rm(path.join(dir, f), { force: true });
  const settlerKeyFile = path.join(dir, "settler.key");
  await writeFile(settlerKeyFile, `${p.settlerKey}\n`, { mode: 0o600 });
  const ledger = openLedger({ path: ledgerPath });
  const config = parseGatewayConfig({
    server: { host: "127.0.0.1", port: 0, seller: "gateway.ingotforge.local" },
    model: { path: p.baseModelPath, threads: 1, maxConcurrent: 1, maxQueue: 8, maxCompletionTokens: 48 },
    storage: { localDir: dir },
    ledger: { path: ledgerPath },
    proof: { enclave: { kind: "simulated", secretSeed: keccak256(toBytes("ingotforge app gateway enclave")) } },
    billing: { defaultPricePerTokenWei: "1000000000000" },
    chain: { rpcUrl: p.rpcUrl, deposits: p.deposits, ingot: p.ingot, settlerKeyFile, intervalMs: 2000, proofKeyRegistry: p.proofKeyRegistry },
    log: { level: "warn" },
  });
  const catalog = createStaticIngotCatalog([]);
  const gateway = await createGateway({ config, logger: p.logger, ledger: ledgerToGatewayLedger(ledger), store: p.store, catalog });
  const stopSync = new AbortController();
  let sync: Promise<void> | undefined;
  try {
    // The protocol allow-lists this build; the gateway then registers its key from the quote at start.
    const hash = await p.admin.writeContract({ address: p.proofKeyRegistry, abi: proofKeyRegistryAbi, functionName: "setMeasurementAllowed", args: [gateway.attestation.measurement!, true] } as never);
    await p.publicClient.waitForTransactionReceipt({ hash });
    sync = (await startChainSync({ chain: config.chain!, ledger, baseModelRoot: p.baseModelRoot, configured: [], replaceCatalog: catalog.replace, asset: config.billing.asset, attestation: gateway.attestation, signal: stopSync.signal, logger: p.logger })).done;
  } catch (error) {
    stopSync.abort();
    await gateway.close().catch(() => undefined);
    ledger.close();
    throw error;
  }
  const url = await gateway.listen();

  const handle = async (req: IncomingMessage, res: ServerResponse, u: URL): Promise<boolean> => {
    if (u.pathname === "/gateway/keys" && req.method === "POST") {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify(body));
      };
      try {
        const body = JSON.parse(Buffer.concat(await readAll(req)).toString("utf8")) as { payer?: string; issuedAt?: number; signature?: string };
        if (!body.payer || !isAddress(body.payer) || typeof body.issuedAt !== "number" || typeof body.signature !== "string") {
          return (answer(400, { error: "Send { payer, issuedAt, signature }: the payer's signature over the key message." }), true);
        }
        if (Math.abs(Date.now() - body.issuedAt) > KEY_REQUEST_TTL_MS) return (answer(400, { error: "The key request is older than 10 minutes (or dated in the future); sign a new one." }), true);
        const payer = getAddress(body.payer);
        const ok = await verifyMessage({ address: payer, message: playgroundKeyMessage(payer, body.issuedAt), signature: body.signature as Hex });
        if (!ok) return (answer(403, { error: `The signature is not ${payer}'s; sign the key message with the paying account.` }), true);
        const { apiKey, keyId } = ledger.createApiKey({ payer, label: "playground" });
        return (answer(200, { apiKey, keyId, payer }), true);
      } catch (error) {
        return (answer(400, { error: `Cannot issue a key: ${(error as Error).message}` }), true);
      }
    }
    if (!u.pathname.startsWith("/gateway/v1/")) return false;
    const headers: Record<string, string> = {};
    for (const h of ["authorization", "content-type", "accept"]) if (typeof req.headers[h] === "string") headers[h] = req.headers[h] as string;
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(await readAll(req));
    try {
      const upstream = await fetch(`${url}${u.pathname.slice("/gateway".length)}${u.search}`, { method: req.method ?? "GET", headers, ...(body ? { body } : {}) });
      const out: Record<string, string> = { "cache-control": "no-store" };
      upstream.headers.forEach((v, k) => {
        if (["content-type", "x-ingotforge-proof-id"].includes(k)) out[k] = v;
      });
      res.writeHead(upstream.status, out);
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `The gateway did not answer: ${(error as Error).message}` } }));
    }
    return true;
  };

  return {
    url,
    publicKeyHex: gateway.signer.publicKeyHex,
    handle,
    async close() {
      stopSync.abort();
      await sync?.catch(() => undefined);
      await gateway.close().catch(() => undefined);
      ledger.close();
    },
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks;
}
