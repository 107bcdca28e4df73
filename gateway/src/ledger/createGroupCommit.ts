import type { Charge } from "../types.js";
import type { CommitChargeParameters, Ledger } from "./types.js";

/**
 * Commit charges in groups: every charge committed in one turn of the event loop goes into one
 * durable transaction (`Ledger.commitCharges`), written when the turn ends. Calls that finish
 * together, as the calls batched in one llama.cpp context do, then wait for one disk sync
 * instead of one each, and the event loop (which drives generation) is blocked once. Each
 * promise settles once the transaction holding its charge is on disk: with the charge, or with
 * that call's own error (the others in the group are committed all the same).
 */
export function createGroupCommit(ledger: Pick<Ledger, "commitCharges">): (call: CommitChargeParameters) => Promise<Charge> {
  let group: { call: CommitChargeParameters; resolve: (charge: Charge) => void; reject: (error: unknown) => void }[] = [];
  const flush = () => {
    const calls = group;
    group = [];
    let outcomes;
    try {
      outcomes = ledger.commitCharges(calls.map((c) => c.call));
    } catch (error) {
      for (const c of calls) c.reject(error);
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? calls[i].resolve(o.charge) : calls[i].reject(o.error)));
  };
  return (call) =>
    new Promise<Charge>((resolve, reject) => {
      if (group.length === 0) setImmediate(flush);
      group.push({ call, resolve, reject });
    });
}
