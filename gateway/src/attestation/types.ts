/**
 * Who signs the gateway's proofs. A proof carries the Ed25519 public key that signed it; this
 * says why a verifier should believe that key is the gateway's code in a TEE and not just anyone's.
 * When the gateway runs in an enclave (dstack on Intel TDX), its proof key is derived there and
 * never leaves it, and an attestation quote commits to the public key in its report data:
 *
 *   report_data = SHA-256("ingotforge.gateway.proof-key.v1:" ‖ public_key as 64 lowercase hex) ‖ 32 zero bytes
 *
 * Served at `GET /v1/attestation`; `verify --attestation` checks it against a proof.
 *
 * Field names are snake_case because this is JSON a client reads.
 */
import type { Hex } from "viem";
import type { ProofSigner } from "../proof/types.js";

/** Where the proof key comes from: a TDX enclave through dstack, the local simulated one, or the config (not attested). */
export type ProofKeyKind = "dstack" | "simulated" | "none";

export interface ProofKeyAttestation {
  object: "proof_key_attestation";
  algorithm: "Ed25519";
  /** The key every proof of this gateway is signed with (64 lowercase hex digits). */
  public_key: string;
  kind: ProofKeyKind;
  /** True for "simulated": its quote is signed by a public key, so anyone can make one. */
  simulated: boolean;
  /** The report-data rule (absent for "none"). */
  binding?: typeof PROOF_KEY_BINDING;
  /** 64 bytes, 0x-hex: what the quote must carry. */
  report_data?: Hex;
  /** The enclave's quote: a raw TDX DCAP quote (dstack) or a simulated one. */
  quote?: Hex;
  /** keccak256(MRTD ‖ RTMR0..3) for TDX, as the DCAP verifier reports it; the simulated measurement otherwise. */
  measurement?: Hex;
  /** dstack's /Info: the app and its compose hash (what code the measurement boots). */
  app_id?: string;
  compose_hash?: string;
  instance_id?: string;
}

/** The tag in front of the public key in the report-data hash. Versioned: changing it changes every binding. */
export const PROOF_KEY_BINDING = "ingotforge.gateway.proof-key.v1" as const;

/** The gateway's proof signer with what vouches for its key. */
export interface AttestedProofKey {
  signer: ProofSigner;
  attestation: ProofKeyAttestation;
}
