import { createHash, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { p256 } from "@noble/curves/nist";
import { json as sigstoreJson } from "@sigstore/core";

export interface LocalRekor {
  /** `http://127.0.0.1:<port>`: the base URL (`witness.rekor.url`). */
  url: string;
  /** This endpoint's log key (PEM SPKI): what a verifier pins as "Rekor's" key (`--rekor-key`). */
  publicKeyPem: string;
  /** Hex SHA-256 of the log key's DER: the `logID` of its entries. */
  logId: string;
  /** Entries appended so far. */
  readonly entries: number;
  close(): Promise<void>;
}

type HashedRekord = {
  apiVersion: "0.0.1";
  kind: "hashedrekord";
  spec: { data: { hash: { algorithm: "sha256"; value: string } }; signature: { content: string; publicKey: { content: string } } };
};

/**
 * A LOCAL stand-in that speaks the part of Rekor's v1 REST API that @sigstore/sign's
 * `RekorWitness` uses (POST /api/v1/log/entries with a `hashedrekord` v0.0.1 entry; on 409,
 * GET /api/v1/log/entries/{uuid}), for tests and the demo on a machine with no route to
 * rekor.sigstore.dev. It is NOT Rekor and not a transparency log anyone else can audit: entries
 * live in this process's memory under a key made at start. It does what Rekor does with such an
 * entry, so a client bug shows: it checks the entry's shape, refuses a signature that does not
 * verify over the digest with the entry's key (400), refuses a repeat with 409 and the existing
 * entry's Location, and answers 201 with the entry (canonicalized body, integratedTime, logID,
 * logIndex) with a signed entry timestamp (ECDSA P-256 over the canonical JSON of body,
 * integratedTime, logID and logIndex, as Rekor signs it) and an inclusion proof (RFC 6962 audit
 * path in its own Merkle tree, with a checkpoint signed as a C2SP note). What real Rekor does
 * beyond that (sharding, persistence, consistency proofs, its own key) is not imitated; see
 * gateway/docs/proof.md on what was and was not tested offline.
 */
export async function startLocalRekor({ host = "127.0.0.1", port = 0 }: { host?: string; port?: number } = {}): Promise<LocalRekor> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const publicKeyDer = publicKey.export({ format: "der", type: "spki" });
  const publicKeyPem = publicKey.export({ format: "pem", type: "spki" }).toString();
  const logId = createHash("sha256").update(publicKeyDer).digest("hex");
  const byUuid = new Map<string, Record<string, unknown>>();
  let index = 0;
  // The log's Merkle tree (RFC 6962 over the canonicalized bodies), for inclusion proofs and checkpoints.
  const leaves: Buffer[] = [];
  let name = "";
  const node = (l: Buffer, r: Buffer) => createHash("sha256").update(Buffer.from([1])).update(l).update(r).digest();
  const split = (n: number) => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  const treeHash = (from: number, to: number): Buffer => (to - from === 1 ? leaves[from]! : node(treeHash(from, from + split(to - from)), treeHash(from + split(to - from), to)));
  const auditPath = (m: number, from: number, to: number): Buffer[] => {
    if (to - from <= 1) return [];
    const k = split(to - from);
    return m < k ? [...auditPath(m, from, from + k), treeHash(from + k, to)] : [...auditPath(m - k, from + k, to), treeHash(from, from + k)];
  };
  /** A signed note (C2SP checkpoint) of the tree as it is now, signed with the log key as Rekor signs its checkpoints. */
  const checkpoint = (size: number, root: Buffer) => {
    const note = `${name} - 0\n${size}\n${root.toString("base64")}\n`;
    const signature = Buffer.concat([Buffer.from(logId, "hex").subarray(0, 4), sign("sha256", Buffer.from(note, "utf8"), privateKey)]);
    return `${note}\n\u2014 ${name} ${signature.toString("base64")}\n`;
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    void res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  const refuse = (res: ServerResponse, status: number, message: string) => answer(res, status, { code: status, message });

  const create = (res: ServerResponse, text: string) => {
    let entry: HashedRekord;
    try {
      entry = JSON.parse(text) as HashedRekord;
    } catch {
      return refuse(res, 400, "the body is not JSON");
    }
    if (entry?.kind !== "hashedrekord" || entry.apiVersion !== "0.0.1") return refuse(res, 400, "this local endpoint takes hashedrekord v0.0.1 entries only");
    const hash = entry.spec?.data?.hash;
    const signature = entry.spec?.signature;
    if (hash?.algorithm !== "sha256" || !/^[0-9a-f]{64}$/.test(hash.value ?? "")) return refuse(res, 400, "spec.data.hash must be sha256 with 64 lowercase hex digits");
    if (typeof signature?.content !== "string" || typeof signature.publicKey?.content !== "string") return refuse(res, 400, "spec.signature needs content and publicKey.content");
    let verified = false;
    try {
      const key = createPublicKey(Buffer.from(signature.publicKey.content, "base64").toString("utf8"));
      const jwk = key.export({ format: "jwk" });
      if (jwk.crv !== "P-256") return refuse(res, 400, "this local endpoint verifies ECDSA P-256 keys only");
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
      verified = p256.verify(Buffer.from(signature.content, "base64"), Buffer.from(hash.value, "hex"), point, { prehash: false, lowS: false, format: "der" });
    } catch {
      verified = false;
    }
    if (!verified) return refuse(res, 400, "the signature does not verify over the digest with the entry's public key");
    const canonical = sigstoreJson.canonicalize({ apiVersion: entry.apiVersion, kind: entry.kind, spec: { data: { hash: { algorithm: hash.algorithm, value: hash.value } }, signature: { content: signature.content, publicKey: { content: signature.publicKey.content } } } });
    const uuid = createHash("sha256").update(Buffer.concat([Buffer.from([0]), Buffer.from(canonical, "utf8")])).digest("hex");
    if (byUuid.has(uuid)) return answer(res, 409, { code: 409, message: "an equivalent entry already exists in the log" }, { location: `/api/v1/log/entries/${uuid}` });
    const body = Buffer.from(canonical, "utf8").toString("base64");
    const integratedTime = Math.floor(Date.now() / 1000);
    const logIndex = index++;
    const set = sign("sha256", Buffer.from(sigstoreJson.canonicalize({ body, integratedTime, logID: logId, logIndex }), "utf8"), privateKey).toString("base64");
    leaves.push(createHash("sha256").update(Buffer.from([0])).update(Buffer.from(canonical, "utf8")).digest());
    const root = treeHash(0, leaves.length);
    const inclusionProof = { logIndex, treeSize: leaves.length, rootHash: root.toString("hex"), hashes: auditPath(logIndex, 0, leaves.length).map((h) => h.toString("hex")), checkpoint: checkpoint(leaves.length, root) };
    const stored = { body, integratedTime, logID: logId, logIndex, verification: { signedEntryTimestamp: set, inclusionProof } };
    byUuid.set(uuid, stored);
    answer(res, 201, { [uuid]: stored }, { location: `/api/v1/log/entries/${uuid}` });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://local");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST" && url.pathname === "/api/v1/log/entries") {
        const text = Buffer.concat(chunks).toString("utf8");
        return create(res, text);
      }
      const match = /^\/api\/v1\/log\/entries\/([0-9a-f]{64})$/.exec(url.pathname);
      if (req.method === "GET" && match) {
        const stored = byUuid.get(match[1]!);
        return stored ? answer(res, 200, { [match[1]!]: stored }) : refuse(res, 404, "no such entry");
      }
      refuse(res, 404, "this local endpoint serves POST /api/v1/log/entries and GET /api/v1/log/entries/{uuid} only");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  name = `${host}:${address.port}`;
  return {
    url: `http://${host}:${address.port}`,
    publicKeyPem,
    logId,
    get entries() {
      return byUuid.size;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
