import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in 0G indexer + storage node on 127.0.0.1, speaking the JSON-RPC methods that
 * @0glabs/0g-ts-sdk 0.3.3 calls. Download: indexer_getFileLocations, zgs_getFileInfo,
 * zgs_getShardConfig, zgs_downloadSegmentByTxSeq (256-byte chunks, 1024 chunks per segment,
 * base64 segments, the last chunk zero-padded as a node stores it). Upload: indexer_getShardedNodes,
 * zgs_getStatus (naming the Flow contract), zgs_getFileInfoByTxSeq (the submission's length read
 * from the chain through `lengthOfSubmission`), zgs_uploadSegmentsByTxSeq (reassembling the file).
 *
 * `tamper` makes the node serve altered bytes, as a lying or corrupted node would;
 * `finalize = false` makes it never report an upload finalized, the SDK's endless wait.
 */
export interface ZeroGStandIn {
  url: string;
  /** Make `root` downloadable with these bytes (the caller passes the true root). */
  hold(root: string, bytes: Uint8Array): void;
  tamper: boolean;
  finalize: boolean;
  calls: string[];
  close(): Promise<void>;
}

const CHUNK = 256;
const SEGMENT_CHUNKS = 1024;

export interface ZeroGStandInOptions {
  /** The Flow contract the node reports (uploads submit to it). */
  flowAddress?: string;
  /** Byte length of Flow submission `seq`, read from the chain. */
  lengthOfSubmission?: (seq: number) => Promise<number>;
}

export async function startZeroGStandIn(options: ZeroGStandInOptions = {}): Promise<ZeroGStandIn> {
  const files = new Map<string, { seq: number; bytes: Uint8Array }>();
  const bySeq = new Map<number, Uint8Array>();
  // Uploads in progress, by Flow submission index.
  const pending = new Map<number, { size: number; data: Uint8Array; received: Set<number>; root?: string }>();
  const calls: string[] = [];
  let url = "";
  const state = { tamper: false, finalize: true };
  const segmentBytes = CHUNK * SEGMENT_CHUNKS;

  const infoOf = (seq: number, size: number, root: string | undefined, finalized: boolean) => ({
    tx: { streamIds: [], data: "0x", dataMerkleRoot: root ?? `0x${"00".repeat(32)}`, merkleNodes: [], startEntryIndex: 0, size, seq },
    finalized,
    isCached: false,
    uploadedSegNum: 0,
  });

  const methods: Record<string, (params: unknown[]) => unknown> = {
    indexer_getShardedNodes: () => ({ trusted: [{ url, config: { numShard: 1, shardId: 0 }, latency: 1, since: 0 }], discovered: [] }),
    zgs_getStatus: () => ({
      connectedPeers: 1,
      logSyncHeight: 1,
      logSyncBlock: `0x${"00".repeat(32)}`,
      nextTxSeq: pending.size + files.size,
      networkIdentity: { chainId: 31337, flowAddress: options.flowAddress ?? `0x${"00".repeat(20)}`, p2pProtocolVersion: { major: 0, minor: 4, build: 0 } },
    }),
    zgs_getFileInfoByTxSeq: async ([seq]) => {
      const n = Number(seq);
      const done = bySeq.get(n);
      if (done) return infoOf(n, done.length, undefined, state.finalize);
      let upload = pending.get(n);
      if (!upload) {
        if (!options.lengthOfSubmission) return null;
        const size = await options.lengthOfSubmission(n);
        upload = { size, data: new Uint8Array(Math.ceil(size / CHUNK) * CHUNK), received: new Set() };
        pending.set(n, upload);
      }
      return infoOf(n, upload.size, upload.root, false);
    },
    zgs_uploadSegmentsByTxSeq: ([segments, seq]) => {
      const upload = pending.get(Number(seq));
      if (!upload) throw new Error(`no submission ${String(seq)}`);
      for (const segment of segments as Array<{ root: string; data: string; index: number }>) {
        upload.data.set(Buffer.from(segment.data, "base64"), segment.index * segmentBytes);
        upload.received.add(segment.index);
        upload.root = segment.root.toLowerCase();
      }
      if (upload.root && upload.received.size === Math.ceil(upload.size / segmentBytes)) {
        const bytes = upload.data.slice(0, upload.size);
        files.set(upload.root, { seq: Number(seq), bytes });
        bySeq.set(Number(seq), bytes);
        pending.delete(Number(seq));
      }
      return 0;
    },
    indexer_getFileLocations: ([root]) => (files.has(String(root).toLowerCase()) ? [{ url, config: { numShard: 1, shardId: 0 } }] : null),
    zgs_getFileInfo: ([root]) => {
      const file = files.get(String(root).toLowerCase());
      return file ? infoOf(file.seq, file.bytes.length, String(root), state.finalize) : null;
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
    req.on("end", async () => {
      const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: unknown; method: string; params?: unknown[] };
      calls.push(request.method);
      const method = methods[request.method];
      let body: unknown;
      try {
        body = method
          ? { jsonrpc: "2.0", id: request.id, result: await method(request.params ?? []) }
          : { jsonrpc: "2.0", id: request.id, error: { code: -32601, message: `method ${request.method} not found` } };
      } catch (error) {
        body = { jsonrpc: "2.0", id: request.id, error: { code: -32000, message: (error as Error).message } };
      }
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
    get finalize() {
      return state.finalize;
    },
    set finalize(value: boolean) {
      state.finalize = value;
    },
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
