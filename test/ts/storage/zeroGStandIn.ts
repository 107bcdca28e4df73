import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in 0G indexer + storage node on 127.0.0.1, speaking the JSON-RPC methods that
 * @0glabs/0g-ts-sdk 0.3.3's download path calls: indexer_getFileLocations, zgs_getFileInfo,
 * zgs_getShardConfig and zgs_downloadSegmentByTxSeq (256-byte chunks, 1024 chunks per segment,
 * base64 segments, the last chunk zero-padded as a node stores it). Upload is not covered: it
 * needs the 0G Flow contract on an EVM chain.
 *
 * `tamper` makes the node serve altered bytes, as a lying or corrupted node would.
 */
export interface ZeroGStandIn {
  url: string;
  /** Make `root` downloadable with these bytes (the caller passes the true root). */
  hold(root: string, bytes: Uint8Array): void;
  tamper: boolean;
  calls: string[];
  close(): Promise<void>;
}

const CHUNK = 256;
const SEGMENT_CHUNKS = 1024;

export async function startZeroGStandIn(): Promise<ZeroGStandIn> {
  const files = new Map<string, { seq: number; bytes: Uint8Array }>();
  const bySeq = new Map<number, Uint8Array>();
  const calls: string[] = [];
  let url = "";
  const state = { tamper: false };

  const methods: Record<string, (params: unknown[]) => unknown> = {
    indexer_getFileLocations: ([root]) => (files.has(String(root).toLowerCase()) ? [{ url, config: { numShard: 1, shardId: 0 } }] : null),
    zgs_getFileInfo: ([root]) => {
      const file = files.get(String(root).toLowerCase());
      if (!file) return null;
      return {
        tx: { streamIds: [], data: "0x", dataMerkleRoot: root, merkleNodes: [], startEntryIndex: 0, size: file.bytes.length, seq: file.seq },
        finalized: true,
        isCached: false,
        uploadedSegNum: Math.ceil(file.bytes.length / (CHUNK * SEGMENT_CHUNKS)),
      };
    },
    zgs_getShardConfig: () => ({ numShard: 1, shardId: 0 }),
    zgs_downloadSegmentByTxSeq: ([seq, start, end]) => {
      const bytes = bySeq.get(Number(seq));
      if (!bytes) return null;
      const out = new Uint8Array((Number(end) - Number(start)) * CHUNK);
      out.set(bytes.subarray(Number(start) * CHUNK, Math.min(bytes.length, Number(end) * CHUNK)));
      if (state.tamper) out[0] ^= 0x01;
      return Buffer.from(out).toString("base64");
    },
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: unknown; method: string; params?: unknown[] };
      calls.push(request.method);
      const method = methods[request.method];
      const body = method
        ? { jsonrpc: "2.0", id: request.id, result: method(request.params ?? []) }
        : { jsonrpc: "2.0", id: request.id, error: { code: -32601, message: `method ${request.method} not found` } };
      const text = JSON.stringify(body);
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    hold(root, bytes) {
      const seq = files.size + 1;
      files.set(root.toLowerCase(), { seq, bytes });
      bySeq.set(seq, bytes);
    },
    get tamper() {
      return state.tamper;
    },
    set tamper(value: boolean) {
      state.tamper = value;
    },
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
