// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IQuoteVerifier} from "./IQuoteVerifier.sol";

/// @title IProofKeyRegistry
/// @notice The inference gateways' proof keys, each registered from an attestation quote.
/// @dev A gateway in a TEE derives its Ed25519 proof key inside the enclave and takes a quote whose
/// report data commits to the public key (`reportDataFor`). Anyone may register that key here:
/// the registry's quote verifier (Automata DCAP for TDX, or the simulated one on chain 31337) is
/// the authority, and the protocol allow-lists the gateway builds (measurements) it trusts. A
/// verifier of a gateway proof then reads `isValid(proof.signature.public_key)` instead of judging
/// the quote itself. Registration is idempotent for a live key (a fresh quote refreshes
/// `registeredAt`, e.g. after the platform's TCB was brought up to date); a revoked key stays
/// revoked.
///
/// Freshness: unlike IEnclaveRegistry's keys, whose registrations expire and are renewed only
/// from a quote committing to a recent block hash (issue 23, F7), a proof key has no expiry, so
/// there is no renewal for an old quote to replay. Its quote is the one the gateway publishes at
/// `/v1/attestation` (report data: the key's binding and 32 zero bytes, checkable off chain), and
/// anyone may register it. So `registeredAt` says when a quote for the key was last verified
/// against the verifier's collateral, not when the quote was made: it is no evidence that the
/// gateway is still running. Withdraw trust with `revokeProofKey` or `setMeasurementAllowed`.
interface IProofKeyRegistry {
    /// @notice A registered proof key.
    /// @param measurement the gateway build it runs in (TDX: keccak256(MRTD ‖ RTMR0..3)).
    /// @param registeredAt when the last quote for it was verified (not when that quote was made).
    /// @param revoked revoked by the protocol; it cannot be registered again.
    /// @param simulated registered through the simulated verifier (development only).
    struct ProofKey {
        bytes32 measurement;
        uint64 registeredAt;
        bool revoked;
        bool simulated;
    }

    /// @notice The quote carries other report data than the key's binding.
    error ProofKeyReportDataMismatch(bytes expected, bytes actual);
    /// @notice The quote's measurement is not allow-listed.
    error ProofKeyMeasurementNotAllowed(bytes32 measurement);
    /// @notice The quote is from a debug enclave (its host can read its memory).
    error ProofKeyDebugRefused(bytes32 measurement);
    /// @notice The platform's TCB is out of date.
    error ProofKeyTcbNotOk(bytes32 measurement);
    /// @notice The zero key.
    error ProofKeyZero();
    /// @notice No such registered key.
    error ProofKeyUnknown(bytes32 publicKey);
    /// @notice The key was revoked.
    error ProofKeyIsRevoked(bytes32 publicKey);
    /// @notice A zero address at construction.
    error ProofKeyRegistryZeroAddress();

    /// @notice `publicKey` was registered (or its registration refreshed) from a quote of `measurement`.
    event ProofKeyRegistered(bytes32 indexed publicKey, bytes32 indexed measurement, bool simulated);
    /// @notice `publicKey` was revoked.
    event ProofKeyRevoked(bytes32 indexed publicKey, bytes32 indexed measurement);
    /// @notice A gateway build was allowed or disallowed.
    event MeasurementAllowed(bytes32 indexed measurement, bool allowed);

    /// @notice Register `publicKey` (the gateway's raw 32-byte Ed25519 key) from `quote`, whose
    /// report data must be `reportDataFor(publicKey)`; returns the quote's measurement. Reverts with
    /// the errors above when the quote does not qualify, or whatever the verifier reverts with.
    function registerProofKey(bytes calldata quote, bytes32 publicKey) external returns (bytes32 measurement);

    /// @notice Revoke a key for good (PROTOCOL_ROLE), e.g. when its gateway's host is compromised.
    function revokeProofKey(bytes32 publicKey) external;

    /// @notice Allow or disallow a gateway build (PROTOCOL_ROLE). Disallowing makes its keys invalid.
    function setMeasurementAllowed(bytes32 measurement, bool allowed) external;

    /// @notice The registration of `publicKey` (all zero when never registered).
    function proofKey(bytes32 publicKey) external view returns (ProofKey memory);

    /// @notice Registered, not revoked, and its build still allow-listed.
    function isValid(bytes32 publicKey) external view returns (bool);

    /// @notice Whether a gateway build is allow-listed.
    function measurementAllowed(bytes32 measurement) external view returns (bool);

    /// @notice The 64 bytes of report data that bind `publicKey`: SHA-256 of
    /// `"ingotforge.gateway.proof-key.v1:"` followed by the key as 64 lowercase hex digits, then
    /// 32 zero bytes (gateway/docs/proof.md).
    function reportDataFor(bytes32 publicKey) external pure returns (bytes memory);

    /// @notice The quote verifier, fixed at construction.
    function verifier() external view returns (IQuoteVerifier);
}
