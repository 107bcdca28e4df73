// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IQuoteVerifier} from "./IQuoteVerifier.sol";

/// @title IEnclaveRegistry
/// @notice Registers an enclave's signing key once, from an attestation quote, so that each
/// eval result afterwards costs one ecrecover instead of a 4-5M gas quote verification.
/// @dev The quote's report data must equal `reportDataFor(signer, hpkePublicKey)`:
/// `abi.encodePacked(keccak256(abi.encode(signer, hpkePublicKey, block.chainid)), bytes32(0))`,
/// so a quote binds one signing key and one HPKE key on one chain and cannot be replayed for
/// another key or on another chain.
///
/// A key is valid while it is unexpired, unrevoked, and its measurement is still allowed:
/// disallowing a measurement (say, after a vulnerability in that enclave build) invalidates every
/// key registered with it at once, without revoking them one by one. Each Forge additionally
/// lists the measurements it accepts.
///
/// Expiry bounds how long a registration outlives the facts it was checked against (the
/// platform's TCB status, the allowed measurements). Quotes carry no freshness of their own, so
/// renewing an expired key may reuse its old quote: renewal re-runs every check against today's
/// verifier collateral and allow-list. Revocation is permanent: a revoked key never registers
/// again, whatever quote it brings.
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

    /// @notice The quote's report data is not `reportDataFor(signer, hpkePublicKey)`.
    error EnclaveReportDataMismatch(bytes expected, bytes actual);
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

    /// @notice Register `signer` (and the HPKE key it decrypts holdouts with) from `quote`.
    /// Anyone may call; the quote is the authority. Re-registering a valid key reverts; an
    /// expired one, or one whose measurement was disallowed, registers again (with the new
    /// measurement and HPKE key the quote attests). Checks, in order: non-zero signer, not
    /// revoked, not valid; then the verifier's facts: report data, debug flag, TCB status,
    /// measurement allowed.
    /// @return expiresAt `block.timestamp + ttl()`.
    function registerEnclave(bytes calldata quote, address signer, bytes32 hpkePublicKey) external returns (uint64 expiresAt);

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

    /// @notice The report data a quote must carry to register (`signer`, `hpkePublicKey`) on this chain.
    function reportDataFor(address signer, bytes32 hpkePublicKey) external view returns (bytes memory);

    /// @notice The verifier quotes go through.
    function verifier() external view returns (IQuoteVerifier);
}
