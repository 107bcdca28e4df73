import type { Address, Hex, LocalAccount } from "viem";
import type { HpkeKeyPair } from "../sealing/generateHpkeKeyPair.js";
import type { ContributionBinding, HoldoutEnvelope } from "../sealing/types.js";

/** What an enclave says about itself: logged at start and written into the attribution record. */
export interface EnclaveDescription {
  kind: "simulated" | "dstack";
  /** True when nothing is hardware-attested. Always true for "simulated". */
  simulated: boolean;
  signerAddress: Address;
  hpkePublicKey: Hex;
  /** The 32-byte measurement a registry allow-lists (TDX: keccak256(MRTD ‖ RTMR0..3)). */
  measurement?: Hex;
  /** Chain the enclave was created for (simulated only). */
  chainId?: number;
  /** dstack facts from /Info. */
  appId?: string;
  instanceId?: string;
  composeHash?: string;
  /** TDX registers as reported by /Info (48-byte hex each). */
  mrTd?: Hex;
  rtmr?: readonly [Hex, Hex, Hex, Hex];
}

export interface OpenSealedOptions {
  /** Refuse an envelope sealed for any other context (e.g. another Forge's info string). */
  expectedInfo?: string;
}

/**
 * The coordinator's trusted execution environment. Its two keys — a secp256k1 signing key (EIP-712
 * results) and an X25519 HPKE key (sealed holdouts and data contributions) — are derived from secrets the enclave holds,
 * so the same app gets the same keys after a restart and its on-chain registration stays valid.
 * Neither private key leaves the object.
 */
export interface Enclave {
  readonly kind: "simulated" | "dstack";
  readonly signerAddress: Address;
  /** 32-byte X25519 public key, as registered on-chain (bytes32). */
  readonly hpkePublicKey: Hex;
  /**
   * An attestation quote carrying `reportData` (exactly 64 bytes). To register, pass
   * `reportDataFor(signer, hpkePublicKey, chainId, hash of a recent block)`: the registry takes a
   * quote only within 256 blocks of the block it commits to, so quote right before registering.
   */
  getQuote(reportData: Hex): Promise<Hex>;
  /** EIP-712 signature by the enclave's signing key. */
  signTypedData: LocalAccount["signTypedData"];
  /** Decrypt a holdout sealed to `hpkePublicKey`. The plaintext is returned, never stored or logged. */
  openSealed(envelope: Uint8Array | HoldoutEnvelope, options?: OpenSealedOptions): Promise<Uint8Array>;
  /**
   * Decrypt a data contribution sealed to `hpkePublicKey` for `expected` (the chain, the Forge and
   * the on-chain sender): `openContribution`. Throws ContributionOpenError when it was sealed for
   * another binding or key, or altered. The plaintext is returned, never stored or logged.
   */
  openContribution(envelope: Uint8Array, expected: ContributionBinding): Promise<Uint8Array>;
  /**
   * The X25519 key pair workers seal a Forge's in-run features to (`resultRecipient`), one per
   * worker (`computeId`): deriveInRunResultKey over the secret the HPKE key derives from, so a
   * restarted enclave gets the same key and opens the answers given before the restart. The
   * private key is for the coordinator process in the enclave (the transport clients open the
   * features with it); workers cannot derive it.
   */
  inRunResultKey(p: { forge: Hex; computeId: number }): Promise<HpkeKeyPair>;
  describe(): EnclaveDescription;
}
