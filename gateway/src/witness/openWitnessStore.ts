import { DatabaseSync } from "node:sqlite";
import { buildMerkleTree, type MerkleTree } from "./buildMerkleTree.js";
import type { ProofAnchor, ProofBatch, RekorEntry, TimestampedWitness } from "./types.js";

/** The closed, time-stamped batches and which proof is in which (SQLite, its own file or `:memory:`). */
export interface WitnessStore {
  /** Record a closed batch (its leaves and time-stamp token), in one transaction. Numbers must come in order. */
  saveBatch(batch: Omit<ProofBatch, "anchor">): void;
  /** The number the next batch takes (1 for an empty store). */
  nextBatchNumber(): number;
  /** The proof's completed witness, or undefined while its batch is open (or for a proof never batched). */
  witnessOf(proofId: string): TimestampedWitness | undefined;
  getBatch(batch: number): ProofBatch | undefined;
  /** Whether the proof is a leaf of a stored batch. */
  isBatched(proofId: string): boolean;
  /** Batches not yet anchored on chain, oldest first. */
  unanchored(limit: number): ProofBatch[];
  /** Record where batches' roots were anchored (each with its own sequence number). */
  setAnchors(anchors: readonly { batch: number; anchor: ProofAnchor }[]): void;
  /** Batches not yet in Rekor, oldest first (`witness.rekor`). */
  unlogged(limit: number): ProofBatch[];
  /** Record a batch root's Rekor entry (kept if one is already recorded). */
  setRekor(batch: number, entry: RekorEntry): void;
  close(): void;
}

/**
 * Open (creating if needed) the witness store at `path`. The inclusion paths are not stored:
 * they are rebuilt from a batch's leaves (`buildMerkleTree`), and the last batch read is cached.
 * WAL with `synchronous = NORMAL`: a batch's commit does not wait for the disk (node:sqlite is
 * synchronous, so an fsync per batch would stall the event loop, and every stream on it, for a
 * disk sync each second). A power loss can lose the last batches written; their proofs keep
 * their signatures and show `pending` (a crash of the process alone loses nothing committed).
 */
export function openWitnessStore({ path }: { path: string }): WitnessStore {
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS witness_batches (
      batch INTEGER PRIMARY KEY,
      root TEXT NOT NULL UNIQUE,
      tsa_url TEXT NOT NULL,
      token TEXT NOT NULL,
      gen_time TEXT NOT NULL,
      anchor TEXT
    );
    CREATE TABLE IF NOT EXISTS witness_leaves (
      proof_id TEXT PRIMARY KEY,
      batch INTEGER NOT NULL REFERENCES witness_batches(batch),
      leaf_index INTEGER NOT NULL,
      chain_hash TEXT NOT NULL,
      UNIQUE (batch, leaf_index)
    );
  `);
  // Stores made before the Rekor witness get its column.
  if (!(db.prepare("PRAGMA table_info(witness_batches)").all() as { name: string }[]).some((c) => c.name === "rekor")) db.exec("ALTER TABLE witness_batches ADD COLUMN rekor TEXT");
  const insertBatch = db.prepare("INSERT INTO witness_batches (batch, root, tsa_url, token, gen_time) VALUES (?, ?, ?, ?, ?)");
  const insertLeaf = db.prepare("INSERT INTO witness_leaves (proof_id, batch, leaf_index, chain_hash) VALUES (?, ?, ?, ?)");
  const selectMax = db.prepare("SELECT MAX(batch) AS n FROM witness_batches");
  const selectLeaf = db.prepare("SELECT batch, leaf_index FROM witness_leaves WHERE proof_id = ?");
  const selectBatch = db.prepare("SELECT batch, root, tsa_url, token, gen_time, anchor, rekor FROM witness_batches WHERE batch = ?");
  const selectLeaves = db.prepare("SELECT proof_id, chain_hash FROM witness_leaves WHERE batch = ? ORDER BY leaf_index");
  const selectUnanchored = db.prepare("SELECT batch FROM witness_batches WHERE anchor IS NULL ORDER BY batch LIMIT ?");
  const updateAnchor = db.prepare("UPDATE witness_batches SET anchor = ? WHERE batch = ? AND anchor IS NULL");
  const selectUnlogged = db.prepare("SELECT batch FROM witness_batches WHERE rekor IS NULL ORDER BY batch LIMIT ?");
  const updateRekor = db.prepare("UPDATE witness_batches SET rekor = ? WHERE batch = ? AND rekor IS NULL");
  let cached: { batch: number; tree: MerkleTree } | undefined;

  const getBatch = (batch: number): ProofBatch | undefined => {
    const row = selectBatch.get(batch) as { batch: number; root: string; tsa_url: string; token: string; gen_time: string; anchor: string | null; rekor: string | null } | undefined;
    if (!row) return undefined;
    const leaves = selectLeaves.all(batch) as { proof_id: string; chain_hash: string }[];
    return {
      batch: row.batch,
      root: row.root,
      tsaUrl: row.tsa_url,
      token: row.token,
      genTime: row.gen_time,
      chainHashes: leaves.map((l) => l.chain_hash),
      proofIds: leaves.map((l) => l.proof_id),
      ...(row.anchor ? { anchor: JSON.parse(row.anchor) as ProofAnchor } : {}),
      ...(row.rekor ? { rekor: JSON.parse(row.rekor) as RekorEntry } : {}),
    };
  };
  const transaction = (fn: () => void) => {
    db.exec("BEGIN IMMEDIATE");
    try {
      fn();
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };

  return {
    saveBatch(b) {
      transaction(() => {
        insertBatch.run(b.batch, b.root, b.tsaUrl, b.token, b.genTime);
        b.proofIds.forEach((id, i) => insertLeaf.run(id, b.batch, i, b.chainHashes[i]!));
      });
    },
    nextBatchNumber: () => Number((selectMax.get() as { n: number | null }).n ?? 0) + 1,
    witnessOf(proofId) {
      const leaf = selectLeaf.get(proofId) as { batch: number; leaf_index: number } | undefined;
      if (!leaf) return undefined;
      const b = getBatch(leaf.batch)!;
      if (cached?.batch !== b.batch) cached = { batch: b.batch, tree: buildMerkleTree(b.chainHashes) };
      return {
        status: "timestamped",
        batch: b.batch,
        leaf_index: leaf.leaf_index,
        leaf_count: b.chainHashes.length,
        path: cached.tree.paths[leaf.leaf_index]!,
        root: `sha256:${b.root}`,
        rfc3161: { tsa_url: b.tsaUrl, token: b.token, gen_time: b.genTime },
        ...(b.anchor ? { anchor: b.anchor } : {}),
        ...(b.rekor ? { rekor: b.rekor } : {}),
      };
    },
    getBatch,
    isBatched: (proofId) => selectLeaf.get(proofId) !== undefined,
    unanchored: (limit) => (selectUnanchored.all(limit) as { batch: number }[]).map((r) => getBatch(r.batch)!),
    setAnchors(anchors) {
      transaction(() => {
        for (const { batch, anchor } of anchors) updateAnchor.run(JSON.stringify(anchor), batch);
      });
    },
    unlogged: (limit) => (selectUnlogged.all(limit) as { batch: number }[]).map((r) => getBatch(r.batch)!),
    setRekor(batch, entry) {
      updateRekor.run(JSON.stringify(entry), batch);
    },
    close: () => db.close(),
  };
}
