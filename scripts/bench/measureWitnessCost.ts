import { createHash } from "node:crypto";
import { join } from "node:path";
import pino from "pino";
import { zeroAddress, type Address } from "viem";
import { openLedger } from "../../gateway/src/ledger/openLedger.js";
import { batchSizeAt, type BatchPolicy } from "../../gateway/src/witness/batchSizeAt.js";
import { buildMerkleTree } from "../../gateway/src/witness/buildMerkleTree.js";
import { buildTimeStampRequest } from "../../gateway/src/witness/buildTimeStampRequest.js";
import { createProofBatcher } from "../../gateway/src/witness/createProofBatcher.js";
import { createTsaAgent } from "../../gateway/src/witness/createTsaAgent.js";
import { openWitnessStore } from "../../gateway/src/witness/openWitnessStore.js";
import { parseTimeStampResponse } from "../../gateway/src/witness/parseTimeStampResponse.js";
import { postTimeStampQuery } from "../../gateway/src/witness/postTimeStampQuery.js";
import { randomNonce } from "../../gateway/src/witness/randomNonce.js";
import { requestTimeStamp } from "../../gateway/src/witness/requestTimeStamp.js";
import { rootImprint } from "../../gateway/src/witness/rootImprint.js";

export interface WitnessCostAtLoad {
  callsPerSecond: number;
  /** Proofs per batch and this process's CPU per call (ms) under each policy. */
  policies: { name: string; batchSize: number; msPerCall: number }[];
}

export interface WitnessCost {
  /** This process's CPU per batch (ms), by batch size, measured. */
  msPerBatch: Map<number, number>;
  /** Where one batch's CPU goes (ms per batch, mean), at `breakdownSize` proofs. */
  breakdown: { tree: number; request: number; http: number; response: number; store: number };
  breakdownSize: number;
  loads: WitnessCostAtLoad[];
  addMicrosPerCall: number;
  /** The durable queue's share: this process's CPU per call for its row in the charge's transaction (commits of 500 calls, with the row minus without; medians of 9 alternated runs of 2,000), and the two medians. */
  queueInsertMicrosPerCall: number;
  commitMicrosPerCall: { withRow: number; withoutRow: number };
}

export interface MeasureWitnessCostParameters {
  tsaUrl: string;
  dir: string;
  /** Steady call rates to report. */
  loads: number[];
  /** The policies compared (name → policy); the per-call cost at a load is the measured cost of a batch of `batchSizeAt(load, policy)` proofs over that size. */
  policies: { name: string; policy: BatchPolicy }[];
  /** Batches measured per size (at least 5; fewer for large sizes). */
  batchesPerSize?: number;
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/**
 * The proofs' witness cost, measured on the real path (the batcher, pkijs' TimeStampReq, one
 * keep-alive HTTP connection to the TSA, the response check, the SQLite witness store, taking the
 * batch off the ledger's durable queue), as this
 * process's CPU (user + system: the TSA runs elsewhere). For each batch size some policy gives
 * at the loads asked, closes batches of that size and divides; then splits one batch's CPU into
 * its stages. A batch costs about the same at any size, so the cost per call is set by how many
 * calls a batch holds, which the policy decides (`batchSizeAt`).
 */
export async function measureWitnessCost({ tsaUrl, dir, loads, policies, batchesPerSize = 60 }: MeasureWitnessCostParameters): Promise<WitnessCost> {
  const agent = createTsaAgent(tsaUrl);
  const store = openWitnessStore({ path: join(dir, "witness-cost.sqlite") });
  // The ledger whose witness queue each stored batch is taken off, as in production: its proofs
  // are committed (with their queue rows) before each measurement, outside it.
  const ledger = openLedger({ path: join(dir, "witness-cost-ledger.sqlite") });
  const payer = "0x00000000000000000000000000000000000000ee" as Address;
  ledger.recordChainEvents({ deposits: [{ depositId: `0x${"ee".repeat(32)}:0`, payer, asset: zeroAddress, amount: 10n ** 30n, blockNumber: 1n }], withdrawals: [], toBlock: 1n });
  const commit = (proofs: { id: string; chain: string }[], queued: boolean) => {
    for (let i = 0; i < proofs.length; i += 500) {
      ledger.commitCharges(
        proofs.slice(i, i + 500).map((p) => ({
          reservationId: ledger.reserve({ payer, asset: zeroAddress, ingotId: 1n, amount: 10n }),
          amount: 1n,
          promptTokens: 1,
          completionTokens: 1,
          proof: { proofId: p.id, json: "{}", ...(queued ? { chainHash: p.chain } : {}) },
        })),
      );
    }
  };
  const queue = { pending: () => [], remove: (ids: readonly string[]) => ledger.removePendingWitnesses(ids) };
  const silent = pino({ level: "silent" });
  let seq = 0;
  const chain = () => createHash("sha256").update(`proof ${seq++}`).digest("hex");
  try {
    // The queue row on the call path: commits with it against commits without (reservations made outside).
    const commitCpu = (queued: boolean) => {
      const proofs = Array.from({ length: 2000 }, () => ({ id: `prf_q_${seq}`, chain: chain() }));
      const reservations = proofs.map(() => ledger.reserve({ payer, asset: zeroAddress, ingotId: 1n, amount: 10n }));
      const before = cpuMs();
      for (let i = 0; i < proofs.length; i += 500) {
        ledger.commitCharges(proofs.slice(i, i + 500).map((p, j) => ({ reservationId: reservations[i + j]!, amount: 1n, promptTokens: 1, completionTokens: 1, proof: { proofId: p.id, json: "{}", ...(queued ? { chainHash: p.chain } : {}) } })));
      }
      return (cpuMs() - before) / proofs.length;
    };
    commitCpu(true);
    commitCpu(false);
    // Alternated, the median of each: the machine's speed drifts between runs.
    const withRows: number[] = [];
    const withoutRows: number[] = [];
    for (let i = 0; i < 9; i++) {
      withRows.push(commitCpu(true));
      withoutRows.push(commitCpu(false));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const withRow = median(withRows);
    const withoutRow = median(withoutRows);
    ledger.removePendingWitnesses(ledger.pendingWitnesses().map((p) => p.proofId));
    const sizes = [...new Set(loads.flatMap((rate) => policies.map((p) => batchSizeAt(rate, p.policy))))].sort((a, b) => a - b);
    const msPerBatch = new Map<number, number>();
    let addMs = 0;
    let added = 0;
    for (const size of sizes) {
      const batcher = createProofBatcher({ store, tsaUrl, timeStamp: (digest) => requestTimeStamp({ tsaUrl, digest, agent }), intervalMs: 3_600_000, maxProofs: 65_536, logger: silent, queue });
      const batches = Math.max(5, Math.min(batchesPerSize, Math.ceil(20_000 / size)));
      const proofs = Array.from({ length: (batches + 3) * size }, () => ({ id: `prf_${seq}`, chain: chain() }));
      commit(proofs, true);
      let next = 0;
      const one = async () => {
        const t = performance.now();
        for (let i = 0; i < size; i++, next++) batcher.add(proofs[next]!.id, proofs[next]!.chain);
        addMs += performance.now() - t;
        added += size;
        await batcher.flush();
      };
      for (let i = 0; i < 3; i++) await one(); // warm: JIT, the connection
      const before = cpuMs();
      for (let i = 0; i < batches; i++) await one();
      msPerBatch.set(size, (cpuMs() - before) / batches);
      if (batcher.stats.failures > 0) throw new Error(`the TSA failed ${batcher.stats.failures} time(s) while measuring batches of ${size}`);
      await batcher.close();
    }
    // One batch's stages, at the size the default policy closes at moderate load.
    const breakdownSize = 32;
    const breakdown = { tree: 0, request: 0, http: 0, response: 0, store: 0 };
    const N = 40;
    for (let i = 0; i < N + 5; i++) {
      const hashes = Array.from({ length: breakdownSize }, chain);
      const c0 = cpuMs();
      const tree = buildMerkleTree(hashes);
      const imprint = rootImprint(tree.root);
      const c1 = cpuMs();
      const nonce = randomNonce();
      const request = buildTimeStampRequest(imprint, nonce);
      const c2 = cpuMs();
      const reply = await postTimeStampQuery(tsaUrl, request, 10_000, agent);
      const c3 = cpuMs();
      const granted = parseTimeStampResponse(reply, imprint, nonce);
      const c4 = cpuMs();
      store.saveBatch({ batch: store.nextBatchNumber(), root: tree.root, chainHashes: hashes, proofIds: hashes.map((h) => `prf_b_${h}`), tsaUrl, token: Buffer.from(granted.token).toString("base64"), genTime: granted.genTime.toISOString() });
      const c5 = cpuMs();
      if (i < 5) continue;
      breakdown.tree += (c1 - c0) / N;
      breakdown.request += (c2 - c1) / N;
      breakdown.http += (c3 - c2) / N;
      breakdown.response += (c4 - c3) / N;
      breakdown.store += (c5 - c4) / N;
    }
    return {
      msPerBatch,
      breakdown,
      breakdownSize,
      addMicrosPerCall: (1000 * addMs) / added,
      queueInsertMicrosPerCall: 1000 * (withRow - withoutRow),
      commitMicrosPerCall: { withRow: 1000 * withRow, withoutRow: 1000 * withoutRow },
      loads: loads.map((callsPerSecond) => ({
        callsPerSecond,
        policies: policies.map(({ name, policy }) => {
          const batchSize = batchSizeAt(callsPerSecond, policy);
          return { name, batchSize, msPerCall: msPerBatch.get(batchSize)! / batchSize };
        }),
      })),
    };
  } finally {
    store.close();
    ledger.close();
    agent.destroy();
  }
}
