/**
 * The ledger's schema, applied in order by version and recorded in `migrations`.
 *
 * Amounts (wei, token base units) exceed 2^63, so every amount and block number is stored as a
 * TEXT decimal string and summed in bigint in TypeScript; SQLite never does arithmetic on them.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  payer TEXT NOT NULL,
  label TEXT,
  key_hash TEXT NOT NULL UNIQUE,
  rate_limit_per_minute INTEGER,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_payer ON api_keys(payer);
CREATE TABLE rate_hits (
  key_id TEXT NOT NULL REFERENCES api_keys(key_id),
  at_ms INTEGER NOT NULL
);
CREATE INDEX rate_hits_key ON rate_hits(key_id, at_ms);
CREATE TABLE sync_cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  block TEXT NOT NULL
);
CREATE TABLE deposits (
  deposit_id TEXT PRIMARY KEY,
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number TEXT NOT NULL
);
CREATE INDEX deposits_payer ON deposits(payer, asset);
CREATE TABLE withdrawal_requests (
  request_id TEXT PRIMARY KEY,
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number TEXT NOT NULL
);
CREATE INDEX withdrawal_requests_payer ON withdrawal_requests(payer, asset);
CREATE TABLE reservations (
  reservation_id TEXT PRIMARY KEY,
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  ingot_id TEXT NOT NULL,
  amount TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'committed', 'released')),
  created_at TEXT NOT NULL
);
CREATE INDEX reservations_open ON reservations(payer, asset, status);
CREATE TABLE batches (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL UNIQUE,
  asset TEXT NOT NULL,
  created_at TEXT NOT NULL,
  tx_hash TEXT,
  settled_at TEXT
);
CREATE TABLE charges (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  charge_id TEXT NOT NULL UNIQUE,
  reservation_id TEXT NOT NULL UNIQUE REFERENCES reservations(reservation_id),
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  ingot_id TEXT NOT NULL,
  amount TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  batch_id TEXT REFERENCES batches(batch_id)
);
CREATE INDEX charges_payer ON charges(payer, asset);
CREATE INDEX charges_unbatched ON charges(asset, batch_id, seq);
CREATE TABLE proofs (
  proof_id TEXT PRIMARY KEY,
  charge_id TEXT NOT NULL REFERENCES charges(charge_id),
  json TEXT NOT NULL
);
`,
  },
  {
    // Withdrawals as the chain has them: a request replaces the payer's earlier one, a cancel or
    // a withdrawal ends it (v1 summed every request ever made and never saw the other two).
    // The sync cursor is dropped so the next sync re-reads the chain from its start block:
    // deposits and events are keyed by log id, so what is already recorded is skipped, and the
    // cancels and withdrawals v1 never read are recorded. `credit` holds each payer's running
    // totals per asset, written in the same transaction as every change to them, so a
    // reservation reads one row instead of summing the payer's whole history; openLedger fills it
    // from the other tables when it applies this migration.
    version: 2,
    sql: `
CREATE TABLE withdrawal_events (
  event_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('requested', 'cancelled', 'withdrawn')),
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number TEXT NOT NULL,
  log_index INTEGER NOT NULL
);
CREATE INDEX withdrawal_events_payer ON withdrawal_events(payer, asset);
INSERT INTO withdrawal_events (event_id, kind, payer, asset, amount, block_number, log_index)
  SELECT request_id, 'requested', payer, asset, amount, block_number,
         CASE WHEN instr(request_id, ':') > 0 THEN CAST(substr(request_id, instr(request_id, ':') + 1) AS INTEGER) ELSE 0 END
  FROM withdrawal_requests;
DROP TABLE withdrawal_requests;
DELETE FROM sync_cursor;
CREATE TABLE credit (
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  deposited TEXT NOT NULL,
  withdrawn TEXT NOT NULL,
  pending_withdrawal TEXT NOT NULL,
  charged TEXT NOT NULL,
  reserved TEXT NOT NULL,
  last_withdrawal_block TEXT,
  last_withdrawal_log INTEGER,
  PRIMARY KEY (payer, asset)
);
`,
  },
  {
    // Settlements this ledger did not make: `Charged` events of batches it does not know (a lost
    // or older copy of this ledger, or another gateway on the same contract) are debits it must
    // count, or it would let payers spend what the chain has already taken. The sync cursor is
    // dropped again so the next sync reads them from the start block (everything else it reads
    // is keyed by log id and skipped).
    //
    // A batch the contract refuses because one payer's deposit no longer covers their debit
    // (they withdrew while their charges waited to be settled) is dissolved: its charges go back
    // to the queue, except the ones of that payer that the deposit cannot cover, which are
    // deferred until the payer deposits again. `batch_refusals` keeps each refusal for audit.
    //
    // `serving_lease` names the one gateway process serving from this file. Only the holder
    // may release open reservations at start (they are a dead process's), so a second process
    // started by mistake cannot free the holds of calls the first one is still serving.
    version: 3,
    sql: `
CREATE TABLE foreign_debits (
  event_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  payer TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number TEXT NOT NULL
);
CREATE INDEX foreign_debits_payer ON foreign_debits(payer, asset);
ALTER TABLE credit ADD COLUMN debited_elsewhere TEXT NOT NULL DEFAULT '0';
ALTER TABLE charges ADD COLUMN deferred_at TEXT;
CREATE TABLE batch_refusals (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  asset TEXT NOT NULL,
  payer TEXT NOT NULL,
  balance TEXT NOT NULL,
  debit TEXT NOT NULL,
  charge_ids TEXT NOT NULL,
  deferred_charge_ids TEXT NOT NULL,
  refused_at TEXT NOT NULL
);
CREATE TABLE serving_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  renewed_at_ms INTEGER NOT NULL
);
DELETE FROM sync_cursor;
`,
  },
  {
    // Each settlement transaction, recorded before it is broadcast, so that a restarted process
    // knows the nonce and fees of one that was never mined and can replace it.
    version: 4,
    sql: `
CREATE TABLE settlement_sends (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL REFERENCES batches(batch_id),
  kind TEXT NOT NULL CHECK (kind IN ('settle', 'cancel')),
  nonce INTEGER NOT NULL,
  max_fee_per_gas TEXT NOT NULL,
  max_priority_fee_per_gas TEXT NOT NULL,
  sent_at_ms INTEGER NOT NULL,
  tx_hash TEXT,
  UNIQUE (batch_id, kind, nonce, max_fee_per_gas, max_priority_fee_per_gas)
);
`,
  },
  {
    // The proofs waiting for their batch witness (gateway/src/witness), written in the charge's
    // own transaction, so a process that dies before the batch is time-stamped loses none: the
    // next start batches them. A row goes once its proof is in a stored batch.
    version: 5,
    sql: `
CREATE TABLE witness_queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  proof_id TEXT NOT NULL UNIQUE REFERENCES proofs(proof_id),
  chain_hash TEXT NOT NULL
);
`,
  },
];
