// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IQuoteVerifier} from "./IQuoteVerifier.sol";

/// @title IEnclaveRegistry
/// @notice Registers an enclave's signing key once, from an attestation quote, so that each
/// eval result afterwards costs one ecrecover instead of a 4-5M gas quote verification.
/// @dev The quote's report data must equal `reportDataFor(signer, hpkePublicKey, quoteBlock)`:
/// `abi.encodePacked(keccak256(abi.encode(signer, hpkePublicKey, block.chainid)), blockhash(quoteBlock))`.
/// The first word binds one signing key and one HPKE key on one chain, so a quote cannot be
/// replayed for another key or on another chain. The second word is the hash of a recent block
/// (`quoteBlock`, one of the last `QUOTE_MAX_AGE_BLOCKS` = 256 blocks, the window in which the EVM
/// still knows its hash), so the quote was made after that block (whose hash nobody knows in
/// advance) and is registered at most 256 blocks later: nobody can register or renew a key from
/// a quote taken long ago (issue 23, F7: a stranger renewing an
/// expired key from its 400-day-old quote). A registrar takes the parent of the latest block (a
/// call simulated at `latest` cannot see the latest block's own hash yet), has the enclave quote
/// `reportDataFor(signer, hpkePublicKey, thatBlock)`, and sends within 256 blocks (about 51
/// minutes at 12 s a block, 8.5 minutes at 2 s); a reorg that replaces `quoteBlock` only makes the
/// registration revert, and the registrar quotes again.
///
/// A key is valid while it is unexpired, unrevoked, and its measurement is still allowed:
/// disallowing a measurement (say, after a vulnerability in that enclave build) invalidates every
/// key registered with it at once, without revoking them one by one. Each Forge additionally
/// lists the measurements it accepts.
///
/// Expiry bounds how long a registration outlives the facts it was checked against (the
/// platform's TCB status, the allowed measurements, the enclave being alive). Every registration,
/// the first and each renewal, needs a fresh quote, so renewing proves the enclave still runs the
/// attested build today, and re-runs every check against today's verifier collateral and
/// allow-list. Revocation is permanent: a revoked key never registers again, whatever quote it
/// brings.
///
/// This is what Forges and off-chain readers need; IEnclaveRegistryConfig adds the registry's
/// own settings (time-to-live, allow-list reads).
interface IEnclaveRegistry {
    /// @param measurement the enclave's code identity as the verifier reports it.
    /// @param hpkePublicKey X25519 public key the holdout is sealed to (RFC 9180 HPKE).
    /// @param registeredAt when the key was last registered or renewed.
    /// @param expiresAt first timestamp at which the key is no longer valid.
    /// @param revoked the protocol revoked the key; it never becomes valid again.
    /// @param simulated the quote came through the simulated verifier (development chains only).
    struct Enclave {
        bytes32 measurement;
        bytes32 hpkePublicKey;
        uint64 registeredAt;
        uint64 expiresAt;
        bool revoked;
        bool simulated;
    }

    /// @notice The quote's report data is not `reportDataFor(signer, hpkePublicKey, quoteBlock)`.
    error EnclaveReportDataMismatch(bytes expected, bytes actual);
    /// @notice `quoteBlock` is not one of the last `QUOTE_MAX_AGE_BLOCKS` blocks before
    /// `currentBlock` (or its hash is unknown): have the enclave quote again over a recent block.
    error EnclaveQuoteNotFresh(uint256 quoteBlock, uint256 currentBlock);
    /// @notice The quote's measurement is not on the protocol's allow-list.
    error EnclaveMeasurementNotAllowed(bytes32 measurement);
    /// @notice The quote comes from a debug enclave, whose memory the host can read.
    error EnclaveDebugRefused(bytes32 measurement);
    /// @notice The verifier says the platform's TCB is not acceptable.
    error EnclaveTcbNotOk(bytes32 measurement);
    /// @notice The signer is the zero address.
    error EnclaveZeroSigner();
    /// @notice The key is valid (registered, unexpired, unrevoked, measurement allowed); wait
    /// for `expiresAt` to renew.
    error EnclaveAlreadyRegistered(address signer, uint64 expiresAt);
    /// @notice No key `signer` was ever registered.
    error EnclaveUnknown(address signer);
    /// @notice The key was revoked; it can neither be registered again nor revoked twice.
    error EnclaveKeyRevoked(address signer);
    /// @notice A time-to-live of zero or above `MAX_TTL` (365 days) is refused.
    error EnclaveBadTtl(uint64 ttl);
    /// @notice A constructor address (admin or verifier) is zero.
    error EnclaveZeroAddress();

    /// @notice A key was registered or renewed.
    event EnclaveRegistered(address indexed signer, bytes32 indexed measurement, bytes32 hpkePublicKey, uint64 expiresAt, bool simulated);
    /// @notice The protocol revoked a key.
    event EnclaveRevoked(address indexed signer, bytes32 indexed measurement);
    /// @notice The protocol allowed or disallowed a measurement.
    event MeasurementAllowed(bytes32 indexed measurement, bool allowed);
    /// @notice The time-to-live of new registrations changed.
    event TtlChanged(uint64 ttl);

    /// @notice Register `signer` (and the HPKE key it decrypts holdouts with) from `quote`, made
    /// over block `quoteBlock`. Anyone may call; the quote is the authority, and it must be fresh:
    /// `quoteBlock` is one of the last `QUOTE_MAX_AGE_BLOCKS` blocks and the quote's report data is
    /// `reportDataFor(signer, hpkePublicKey, quoteBlock)`. Re-registering a valid key reverts; an
    /// expired one, or one whose measurement was disallowed, registers again (with the new
    /// measurement and HPKE key the fresh quote attests). Checks, in order: non-zero signer, not
    /// revoked, not valid, `quoteBlock` recent; then the verifier's facts: report data, debug flag,
    /// TCB status, measurement allowed.
    /// @return expiresAt `block.timestamp + ttl()`.
    function registerEnclave(bytes calldata quote, address signer, bytes32 hpkePublicKey, uint256 quoteBlock)
        external
        returns (uint64 expiresAt);

    /// @notice Protocol role: revoke a key (results it signs are refused from now on).
    function revokeEnclave(address signer) external;

    /// @notice Protocol role: allow or disallow registrations with `measurement`. Disallowing
    /// also invalidates the keys already registered with it (see `isValid`).
    function setMeasurementAllowed(bytes32 measurement, bool allowed) external;

    /// @notice The key's record (all zero when unknown).
    function enclave(address signer) external view returns (Enclave memory);

    /// @notice True when `signer` is registered, unexpired, unrevoked, and its measurement is
    /// still allowed.
    function isValid(address signer) external view returns (bool);

    /// @notice The 64 bytes of report data a quote made over block `quoteBlock` must carry to
    /// register (`signer`, `hpkePublicKey`) on this chain: the key binding, then
    /// `blockhash(quoteBlock)`. Reverts with EnclaveQuoteNotFresh unless `quoteBlock` is one of
    /// the last `QUOTE_MAX_AGE_BLOCKS` blocks before the current one (a call at `latest` sees
    /// `block.number == latest`, so ask with the latest block's parent).
    function reportDataFor(address signer, bytes32 hpkePublicKey, uint256 quoteBlock) external view returns (bytes memory);

    /// @notice How many blocks back a quote's `quoteBlock` may lie: 256, as far as `blockhash` sees.
    function QUOTE_MAX_AGE_BLOCKS() external view returns (uint256);

    /// @notice The verifier quotes go through.
    function verifier() external view returns (IQuoteVerifier);
}
