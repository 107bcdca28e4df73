/**
 * No proof loses its witness to a crash: a gateway SIGKILLed after answering, before the batch of
 * its proofs was time-stamped, re-batches them when it starts again (the queue is in the ledger,
 * written with each charge), and GET /v1/proofs/:id then serves each with its completed witness.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { zeroAddress, type Address } from "viem";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";
import { createProofBatcher } from "../../../gateway/src/witness/createProofBatcher.js";
import { openWitnessStore } from "../../../gateway/src/witness/openWitnessStore.js";
import { requestTimeStamp } from "../../../gateway/src/witness/requestTimeStamp.js";
import type { ProofQueue } from "../../../gateway/src/witness/types.js";
import { startLocalTsa, type LocalTsa } from "../../../gateway/src/witness/tsa/startLocalTsa.js";
import { verifyWitness } from "../../../gateway/src/witness/verifyWitness.js";

const CHILD = fileURLToPath(new URL("./fixtures/witnessCrashChild.ts", import.meta.url));

/** Run the child; resolve with its stdout once `until` appears (then SIGKILL its process group) or it exits. */
function runChild(mode: string, config: object, env: Record<string, string> = {}, until?: string): Promise<{ stdout: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", CHILD, mode, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (until && stdout.includes(until)) process.kill(-child.pid!, "SIGKILL");
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (until && signal !== "SIGKILL") reject(new Error(`child ${mode} ended (${code}) before ${until}:\n${stderr}`));
      else if (!until && code !== 0) reject(new Error(`child ${mode} failed (${code}):\n${stderr}`));
      else resolve({ stdout, signal });
    });
  });
}
const line = (stdout: string, tag: string) => JSON.parse(stdout.split("\n").find((l) => l.startsWith(`${tag} `))!.slice(tag.length + 1));

let dir: string;
let tsa: LocalTsa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "witness-crash-"));
  tsa = await startLocalTsa({ dir: join(dir, "tsa") });
});
afterAll(async () => {
  await tsa?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("proof witnesses survive a SIGKILL between answer and batch", () => {
  it("rebatches the proofs a killed gateway answered, and serves each timestamped after the restart", async () => {
    const config = { ledgerPath: join(dir, "ledger.sqlite"), tsaUrl: tsa.url, calls: 5 };
    const killed = await runChild("serve", config, {}, "ANSWERED");
    expect(killed.signal).toBe("SIGKILL");
    const { ids, pending } = line(killed.stdout, "ANSWERED") as { ids: string[]; pending: number };
    expect(ids).toHaveLength(5);
    expect(pending).toBe(5); // answered, not batched when it died
    expect(tsa.answered).toBe(0);

    const restarted = await runChild("restart", config, { PROOF_IDS: JSON.stringify(ids) });
    const { served, batches } = line(restarted.stdout, "SERVED") as { served: Record<string, any>[]; batches: number };
    expect(batches).toBe(1);
    const cert = await readFile(tsa.certificatePath, "utf8");
    expect(served.map((p) => p.proof_id)).toEqual(ids);
    for (const proof of served) {
      expect(proof.witness).toMatchObject({ status: "timestamped", batch: 1, leaf_count: 5 });
      expect(verifyProof(proof).valid).toBe(true);
      expect((await verifyWitness(proof, { tsaCertificatePem: cert, requireTimestamp: true })).valid).toBe(true);
    }
    expect(served.map((p) => p.witness.leaf_index)).toEqual([0, 1, 2, 3, 4]);

    // A second restart finds nothing left to batch, and serves the same witnesses.
    const again = await runChild("restart", config, { PROOF_IDS: JSON.stringify(ids) });
    const second = line(again.stdout, "SERVED") as { served: Record<string, any>[]; batches: number };
    expect(second.batches).toBe(0);
    expect(second.served.map((p) => p.witness)).toEqual(served.map((p) => p.witness));
    expect(tsa.answered).toBe(1);
  }, 120_000);
});

describe("the durable witness queue", () => {
  const payer = "0x00000000000000000000000000000000000000aa" as Address;
  const chain = (i: number) => `${i.toString(16).padStart(2, "0")}`.repeat(32);

  it("is written in the charge's transaction when asked, in commit order, and emptied by removePendingWitnesses", async () => {
    const ledger = openLedger({ path: join(dir, "queue.sqlite") });
    try {
      ledger.recordChainEvents({ deposits: [{ depositId: `0x${"d".repeat(64)}:0`, payer, asset: zeroAddress, amount: 1000n, blockNumber: 1n }], withdrawals: [], toBlock: 1n });
      const commit = (i: number, queued: boolean) => {
        const reservationId = ledger.reserve({ payer, asset: zeroAddress, ingotId: 1n, amount: 10n });
        return ledger.commitCharges([{ reservationId, amount: 1n, promptTokens: 1, completionTokens: 0, proof: { proofId: `prf_${i}`, json: "{}", ...(queued ? { chainHash: chain(i) } : {}) } }])[0]!;
      };
      commit(1, true);
      commit(2, false);
      commit(3, true);
      // A charge that fails (its reservation already committed) queues nothing.
      const reservationId = ledger.reserve({ payer, asset: zeroAddress, ingotId: 1n, amount: 10n });
      ledger.commitCharge({ reservationId, amount: 1n, promptTokens: 1, completionTokens: 0 });
      expect(ledger.commitCharges([{ reservationId, amount: 1n, promptTokens: 1, completionTokens: 0, proof: { proofId: "prf_4", json: "{}", chainHash: chain(4) } }])[0]!.ok).toBe(false);
      expect(ledger.pendingWitnesses()).toEqual([
        { proofId: "prf_1", chainHash: chain(1) },
        { proofId: "prf_3", chainHash: chain(3) },
      ]);
      ledger.removePendingWitnesses(["prf_1", "prf_unknown"]);
      expect(ledger.pendingWitnesses().map((p) => p.proofId)).toEqual(["prf_3"]);
    } finally {
      ledger.close();
    }
  });

  it("skips proofs a stored batch already holds when the process died before taking them off the queue, and batches the rest first", async () => {
    const store = openWitnessStore({ path: join(dir, "skip.witness.sqlite") });
    const waiting = new Map<string, string>();
    let crash = true;
    const queue: ProofQueue = {
      pending: () => [...waiting].map(([proofId, chainHash]) => ({ proofId, chainHash })),
      remove: (ids) => {
        if (crash) throw new Error("the process died here");
        for (const id of ids) waiting.delete(id);
      },
    };
    const timeStamp = (d: Uint8Array) => requestTimeStamp({ tsaUrl: tsa.url, digest: d });
    const silent = pino({ level: "silent" });
    for (let i = 0; i < 3; i++) waiting.set(`prf_${i}`, chain(i));
    const first = createProofBatcher({ store, tsaUrl: tsa.url, timeStamp, intervalMs: 60_000, maxProofs: 100, logger: silent, queue });
    await first.flush(); // batch 1 stored; taking it off the queue "crashes"
    await first.close();
    expect(store.getBatch(1)!.proofIds).toEqual(["prf_0", "prf_1", "prf_2"]);
    expect(waiting.size).toBe(3);

    crash = false;
    waiting.set("prf_3", chain(3)); // answered after batch 1, before the crash
    const second = createProofBatcher({ store, tsaUrl: tsa.url, timeStamp, intervalMs: 60_000, maxProofs: 100, logger: silent, queue });
    expect(second.pending).toBe(1);
    expect([...waiting.keys()]).toEqual(["prf_3"]);
    second.add("prf_4", chain(4));
    await second.flush();
    expect(store.getBatch(2)!.proofIds).toEqual(["prf_3", "prf_4"]);
    expect(store.getBatch(3)).toBeUndefined();
    expect(waiting.size).toBe(0);
    await second.close();
    store.close();
  });
});
