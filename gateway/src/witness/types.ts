/**
 * The independent witnesses of a proof (gateway/docs/proof.md, "Witnesses"): the proof's chain
 * hash is a leaf of a batch's Merkle tree, whose root is time-stamped by an RFC 3161 authority
 * and may be appended to the on-chain ProofLog. Field names are snake_case: they are proof JSON.
 */

/** One step of an inclusion path, from the leaf up: the sibling's hash and which side it is on. */
export interface MerklePathStep {
  side: "left" | "right";
  /** 64 lowercase hex digits. */
  hash: string;
}

/** The batch root in the ProofLog contract (appended by the gateway's anchorer). */
export interface ProofAnchor {
  chain_id: number;
  /** ProofLog's address, lowercase. */
  contract: string;
  /** The root's sequence number in that log. */
  sequence: number;
  transaction: string;
  block_number: number;
  /** The block's timestamp, ISO 8601 UTC. */
  anchored_at: string;
}

/** `witness` of a proof whose batch is closed and time-stamped. */
export interface TimestampedWitness {
  status: "timestamped";
  batch: number;
  /** The leaf's index in its batch, from 0, and the number of leaves. */
  leaf_index: number;
  leaf_count: number;
  /** Sibling hashes from the leaf (`merkleLeafHash(chain hash)`) up to `root`. */
  path: MerklePathStep[];
  /** The batch's Merkle root, `sha256:` + 64 hex: what was time-stamped and anchored. */
  root: string;
  rfc3161: {
    tsa_url: string;
    /** The TimeStampToken (CMS ContentInfo, DER) in base64: `openssl ts -verify -in … -token_in`. */
    token: string;
    /** The TSA's genTime, ISO 8601 UTC. */
    gen_time: string;
  };
  anchor?: ProofAnchor;
  /** The batch root's entry in Sigstore's Rekor (`witness.rekor`), once it is logged there. */
  rekor?: RekorEntry;
}

/**
 * A batch root's `hashedrekord` entry in a Rekor log (the optional second public log): the
 * digest is SHA-256(root), signed with the gateway's Rekor key; `bundle` is the Sigstore bundle
 * (JSON, v0.3) with the signature, the key hint and the log entry with its signed entry timestamp.
 */
export interface RekorEntry {
  rekor_url: string;
  log_index: number;
  /** Hex SHA-256 of the log's public key. */
  log_id: string;
  /** When Rekor says it integrated the entry, ISO 8601 UTC (covered by the signed entry timestamp). */
  integrated_time: string;
  bundle: Record<string, unknown>;
}

/** `witness` of a proof delivered before its batch was time-stamped: where to fetch the completed one. */
export interface PendingWitness {
  status: "pending";
  /** Path of `GET /v1/proofs/:id` on this gateway, serving the proof with its completed witness. */
  url: string;
}

export type ProofWitness = TimestampedWitness | PendingWitness;

/** A closed batch as the witness store keeps it. */
export interface ProofBatch {
  batch: number;
  /** Merkle root, 64 hex. */
  root: string;
  /** The proofs' chain hashes (64 hex), in leaf order. */
  chainHashes: string[];
  proofIds: string[];
  tsaUrl: string;
  /** base64 DER TimeStampToken. */
  token: string;
  genTime: string;
  anchor?: ProofAnchor;
  rekor?: RekorEntry;
}

/**
 * The durable side of the batcher's queue: proofs committed for a witness and not yet in a stored
 * batch (the ledger's `witness_queue`, written in each charge's transaction). The batcher reads it
 * at start, so proofs a dead process answered but never batched are batched, and takes each
 * stored batch's proofs off it. (A TypeScript interface, not proof JSON.)
 */
export interface ProofQueue {
  /** Waiting proofs, oldest first: id and chain hash (64 hex). */
  pending(): { proofId: string; chainHash: string }[];
  /** These proofs are in a stored batch. */
  remove(proofIds: readonly string[]): void;
}
