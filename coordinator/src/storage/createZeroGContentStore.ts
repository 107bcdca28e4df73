import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Indexer, MemData } from "@0glabs/0g-ts-sdk";
import type { Signer } from "ethers";
import type { Hex } from "viem";
import { computeContentRoot } from "./computeContentRoot.js";
import { ContentNotFoundError, ContentRootMismatchError, StorageError, ZeroGTimeoutError, ZeroGTransferError } from "./errors.js";
import { normalizeContentRoot } from "./normalizeContentRoot.js";
import type { ContentStore } from "./types.js";
import { withTimeout } from "./withTimeout.js";

/** The part of the 0G SDK's `Indexer` this store uses; the SDK class fits, and tests pass a fake. */
export interface ZeroGIndexer {
  upload(file: MemData, evmRpc: string, signer: Signer): Promise<[{ txHash: string; rootHash: string }, Error | null]>;
  download(rootHash: string, filePath: string, proof: boolean): Promise<Error | null>;
  getFileLocations(rootHash: string): Promise<ReadonlyArray<unknown> | null>;
}

export interface CreateZeroGContentStoreParameters {
  /** The 0G storage indexer's JSON-RPC URL. */
  indexerRpc: string;
  /** The EVM RPC of the chain the 0G Flow contract lives on (the upload's `submit` goes there). */
  evmRpc: string;
  /** Pays for uploads (an ethers v6 `Wallet` connected to `evmRpc`). */
  signer: Signer;
  /** Default `new Indexer(indexerRpc)`. */
  indexer?: ZeroGIndexer;
  /** Upload, including the SDK's wait for finality, which has no limit of its own. Default 10 min. */
  uploadTimeoutMs?: number;
  /** Default 5 min. */
  downloadTimeoutMs?: number;
  /** Where downloads land before they are re-hashed; default the OS temp dir. */
  tmpDir?: string;
}

export type ZeroGContentStore = ContentStore & { readonly kind: "zerog" };

/**
 * Production store on the 0G network through the SDK's Indexer. Roots are computed locally before
 * upload and checked against what the SDK reports; every download is re-hashed, because the SDK's
 * `proof` flag verifies nothing.
 *
 * It has no `delete`: 0G storage is append-only, so what is uploaded stays (in-run features
 * envelopes included: discardInRunFeatures keeps them and logs it).
 *
 * A timed-out SDK call is abandoned, not cancelled: its polling loop keeps running until the
 * process exits, so a CLI should exit after reporting a `ZeroGTimeoutError`.
 */
export function createZeroGContentStore(params: CreateZeroGContentStoreParameters): ZeroGContentStore {
  const { evmRpc, signer } = params;
  // The SDK's typings point at its CommonJS build (and so at ethers' CommonJS Signer type), while
  // this ESM code loads its ESM build, which uses the same ESM ethers as the caller: the cast only
  // bridges the two declaration files.
  const indexer: ZeroGIndexer = params.indexer ?? (new Indexer(params.indexerRpc) as unknown as ZeroGIndexer);
  const uploadTimeoutMs = params.uploadTimeoutMs ?? 10 * 60_000;
  const downloadTimeoutMs = params.downloadTimeoutMs ?? 5 * 60_000;
  const tmpBase = params.tmpDir ?? tmpdir();

  const locate = async (root: Hex) => {
    const locations = await withTimeout({
      promise: indexer.getFileLocations(root),
      timeoutMs: downloadTimeoutMs,
      onTimeout: () => new ZeroGTimeoutError("locate", downloadTimeoutMs),
    }).catch((cause: unknown) => {
      if (cause instanceof StorageError) throw cause;
      throw new ZeroGTransferError("locate", `indexer_getFileLocations(${root}) failed`, { cause });
    });
    return locations ?? [];
  };

  return {
    kind: "zerog",

    async put(bytes) {
      const root = await computeContentRoot(bytes);
      const [result, err] = await withTimeout({
        promise: indexer.upload(new MemData(bytes), evmRpc, signer),
        timeoutMs: uploadTimeoutMs,
        onTimeout: () => new ZeroGTimeoutError("upload", uploadTimeoutMs),
      }).catch((cause: unknown) => {
        if (cause instanceof StorageError) throw cause;
        throw new ZeroGTransferError("upload", `the SDK threw while uploading ${root}`, { cause });
      });
      if (err !== null) throw new ZeroGTransferError("upload", err.message, { cause: err });
      if (normalizeReportedRoot(result.rootHash) !== root) {
        throw new ContentRootMismatchError(root, result.rootHash, "the 0G SDK's upload result");
      }
      return { root, size: bytes.length };
    },

    async get(root) {
      const wanted = normalizeContentRoot(root);
      // Asked first because the SDK's download throws a TypeError, not an error value, when the
      // indexer knows no location (it answers null).
      if ((await locate(wanted)).length === 0) throw new ContentNotFoundError(wanted, "0G", { retryable: true });
      // The SDK refuses to overwrite a file, so each download gets a fresh directory.
      const dir = await mkdtemp(join(tmpBase, "ingotforge-0g-"));
      const path = join(dir, "content");
      try {
        const err = await withTimeout({
          promise: indexer.download(wanted, path, true),
          timeoutMs: downloadTimeoutMs,
          onTimeout: () => new ZeroGTimeoutError("download", downloadTimeoutMs),
        }).catch((cause: unknown) => {
          if (cause instanceof StorageError) throw cause;
          throw new ZeroGTransferError("download", `the SDK threw while downloading ${wanted}`, { cause });
        });
        if (err !== null) {
          if (/failed to get file locations|not found/i.test(err.message)) {
            throw new ContentNotFoundError(wanted, "0G", { cause: err, retryable: true });
          }
          throw new ZeroGTransferError("download", err.message, { cause: err });
        }
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await readFile(path));
        } catch (cause) {
          throw new ZeroGTransferError("download", "the SDK reported success but wrote no file", { cause });
        }
        if (bytes.length === 0) throw new ContentRootMismatchError(wanted, "(empty download)", "0G");
        const actual = await computeContentRoot(bytes);
        if (actual !== wanted) throw new ContentRootMismatchError(wanted, actual, "0G");
        return bytes;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    async has(root) {
      return (await locate(normalizeContentRoot(root))).length > 0;
    },
  };
}

function normalizeReportedRoot(root: string): string {
  return typeof root === "string" ? root.toLowerCase() : "";
}
