// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IQuoteVerifier} from "./IQuoteVerifier.sol";

/// @title IEnclaveRegistry
/// @notice Registers an enclave's signing key once, from an attestation quote, so that each
/// eval result afterwards costs one ecrecover instead of a 4-5M gas quote verification.
/// @dev The quote's report data must equal `reportDataFor(signer, hpkePublicKey)`:
/// `abi.encodePacked(keccak256(abi.encode(signer, hpkePublicKey, block.chainid)), bytes32(0))`.
/// A key is valid while unexpired and unrevoked; its measurement must be protocol-allowed at
/// registration, and each Forge additionally lists the measurements it accepts.
interface IEnclaveRegistry {
    struct Enclave {
        bytes32 measurement;
        bytes32 hpkePublicKey; // X25519 public key the holdout is sealed to
        uint64 registeredAt;
        uint64 expiresAt;
        bool revoked;
        bool simulated;
    }

    error EnclaveReportDataMismatch(bytes expected, bytes actual);
    error EnclaveMeasurementNotAllowed(bytes32 measurement);
    error EnclaveDebugRefused(bytes32 measurement);
    error EnclaveTcbNotOk(bytes32 measurement);
    error EnclaveZeroSigner();
    error EnclaveAlreadyRegistered(address signer, uint64 expiresAt);
    error EnclaveUnknown(address signer);
    error EnclaveUnauthorized(address caller);
    error EnclaveBadTtl(uint64 ttl);

    event EnclaveRegistered(address indexed signer, bytes32 indexed measurement, bytes32 hpkePublicKey, uint64 expiresAt, bool simulated);
    event EnclaveRevoked(address indexed signer, bytes32 indexed measurement);
    event MeasurementAllowed(bytes32 indexed measurement, bool allowed);
    event TtlChanged(uint64 ttl);

    /// @notice Register `signer` (and the HPKE key it decrypts holdouts with) from `quote`.
    /// Anyone may call; the quote is the authority. Re-registering an unexpired, unrevoked
    /// key reverts; an expired one renews.
    function registerEnclave(bytes calldata quote, address signer, bytes32 hpkePublicKey) external returns (uint64 expiresAt);

    /// @notice Protocol role: revoke a key (results it signs are refused from now on).
    function revokeEnclave(address signer) external;

    /// @notice Protocol role: allow or disallow registrations with `measurement`.
    function setMeasurementAllowed(bytes32 measurement, bool allowed) external;

    /// @notice The key's record (all zero when unknown).
    function enclave(address signer) external view returns (Enclave memory);

    /// @notice True when `signer` is registered, unexpired and unrevoked.
    function isValid(address signer) external view returns (bool);

    /// @notice The report data a quote must carry to register (`signer`, `hpkePublicKey`) on this chain.
    function reportDataFor(address signer, bytes32 hpkePublicKey) external view returns (bytes memory);

    /// @notice The verifier quotes go through.
    function verifier() external view returns (IQuoteVerifier);
}
