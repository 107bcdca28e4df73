import { createGroupCommit } from "../ledger/createGroupCommit.js";
import type { Ledger } from "../ledger/types.js";
import type { GatewayProof } from "../proof/types.js";
import type { GatewayLedger } from "./types.js";

/**
 * The server's `GatewayLedger` over the SQLite ledger (gateway/src/ledger `openLedger`). Charges
 * committed in the same turn of the event loop share one durable transaction (createGroupCommit);
 * a charge committed with `queueWitness` puts its proof on the ledger's witness queue in it too.
 */
export function ledgerToGatewayLedger(ledger: Ledger): GatewayLedger {
  const commit = createGroupCommit(ledger);
  return {
    authenticate: (apiKey) => ledger.authenticate(apiKey),
    reserve: ({ caller, asset, amount, ingotId }) => ({ reservationId: ledger.reserve({ payer: caller.payer, asset, amount, ingotId }), payer: caller.payer, asset, amount }),
    commitCharge: ({ proof, queueWitness, ...charge }) =>
      commit({ ...charge, proof: { proofId: proof.proof_id, json: JSON.stringify(proof), ...(queueWitness ? { chainHash: proof.hashes.chain.slice("sha256:".length) } : {}) } }),
    releaseReservation: (id) => ledger.releaseReservation(id),
    creditOf: ({ caller, asset }) => ledger.payerCredit(caller.payer, asset),
    witnessQueue: { pending: () => ledger.pendingWitnesses(), remove: (ids) => ledger.removePendingWitnesses(ids) },
    getProof: (id) => {
      const row = ledger.getProof(id);
      return row ? (JSON.parse(row.json) as GatewayProof) : undefined;
    },
  };
}
