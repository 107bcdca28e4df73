import type { Ledger } from "../ledger/types.js";
import type { GatewayProof } from "../proof/types.js";
import type { GatewayLedger } from "./types.js";

/** The server's `GatewayLedger` over the SQLite ledger (gateway/src/ledger `openLedger`). */
export function ledgerToGatewayLedger(ledger: Ledger): GatewayLedger {
  return {
    authenticate: (apiKey) => ledger.authenticate(apiKey),
    reserve: ({ caller, asset, amount, ingotId }) => ({ reservationId: ledger.reserve({ payer: caller.payer, asset, amount, ingotId }), payer: caller.payer, asset, amount }),
    commitCharge: ({ proof, ...charge }) => ledger.commitCharge({ ...charge, proof: { proofId: proof.proof_id, json: JSON.stringify(proof) } }),
    releaseReservation: (id) => ledger.releaseReservation(id),
    getProof: (id) => {
      const row = ledger.getProof(id);
      return row ? (JSON.parse(row.json) as GatewayProof) : undefined;
    },
  };
}
