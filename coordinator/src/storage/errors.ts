/** Errors of content storage. `retryable` says whether trying again later can help. */

export class StorageError extends Error {
  override name = "StorageError";
  readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/** 0G roots are defined for non-empty content only. */
export class EmptyContentError extends StorageError {
  override name = "EmptyContentError";
  constructor() {
    super("Content is empty, and empty content has no 0G Merkle root. Store at least one byte (an empty contribution is not a contribution).");
  }
}

/** A root that is not 0x followed by 64 hex digits. */
export class InvalidContentRootError extends StorageError {
  override name = "InvalidContentRootError";
  constructor(readonly root: string) {
    super(`"${root}" is not a content root. Pass the 0G Merkle root as 0x followed by 64 hex digits.`);
  }
}

/** The store does not hold this root. */
export class ContentNotFoundError extends StorageError {
  override name = "ContentNotFoundError";
  constructor(
    readonly root: string,
    readonly store: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(`Content ${root} is not in the ${store} store. Check the root, or upload the content first.`, options);
  }
}

/** Bytes came back whose root is not the one asked for: tampered on disk, or a lying node. */
export class ContentRootMismatchError extends StorageError {
  override name = "ContentRootMismatchError";
  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly where: string,
  ) {
    super(`Content from ${where} hashes to ${actual}, not the requested ${expected}; it was altered and is refused. Delete it and fetch it again from a trusted source.`);
  }
}

/** A store's on-disk layout cannot be used (not a directory, not writable...). */
export class StoreSetupError extends StorageError {
  override name = "StoreSetupError";
}

/** The 0G network refused or failed an upload or a download. */
export class ZeroGTransferError extends StorageError {
  override name = "ZeroGTransferError";
  constructor(
    readonly operation: "upload" | "download" | "locate",
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`0G ${operation} failed: ${detail}. Check the indexer and EVM RPC URLs and the signer's balance, then retry.`, { ...options, retryable: true });
  }
}

/** A 0G operation did not finish in time (the SDK itself never gives up waiting for finality). */
export class ZeroGTimeoutError extends StorageError {
  override name = "ZeroGTimeoutError";
  constructor(
    readonly operation: "upload" | "download" | "locate",
    readonly timeoutMs: number,
  ) {
    super(
      `0G ${operation} did not finish within ${timeoutMs} ms. The network may be congested or the storage nodes unsynced; ` +
        "retry later or raise the timeout (storage.zerog.*TimeoutMs).",
      { retryable: true },
    );
  }
}
