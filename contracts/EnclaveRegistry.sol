// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEnclaveRegistry} from "./interfaces/IEnclaveRegistry.sol";
import {IEnclaveRegistryConfig} from "./interfaces/IEnclaveRegistryConfig.sol";
import {IQuoteVerifier} from "./interfaces/IQuoteVerifier.sol";

/// @title EnclaveRegistry
/// @notice Enclave signing keys, each registered once from an attestation quote.
contract EnclaveRegistry is IEnclaveRegistryConfig, AccessControl {
    bytes32 public constant PROTOCOL_ROLE = keccak256("PROTOCOL_ROLE");
    /// @notice Longest registration: every key is re-checked against the TCB collateral and the
    /// allow-list at least this often.
    uint64 public constant MAX_TTL = 365 days;
    /// @inheritdoc IEnclaveRegistry
    uint256 public constant QUOTE_MAX_AGE_BLOCKS = 256;

    /// @inheritdoc IEnclaveRegistry
    IQuoteVerifier public immutable verifier;

    /// @inheritdoc IEnclaveRegistryConfig
    uint64 public ttl;

    /// @inheritdoc IEnclaveRegistryConfig
    mapping(bytes32 measurement => bool) public measurementAllowed;

    mapping(address signer => Enclave) private _enclaves;
    /// @dev The verifier is fixed, so what it trusts is too.
    bool private immutable _simulated;

    constructor(address admin, IQuoteVerifier verifier_, uint64 ttlSeconds) {
        if (admin == address(0) || address(verifier_) == address(0)) revert EnclaveZeroAddress();
        verifier = verifier_;
        _simulated = verifier_.isSimulated();
        _setTtl(ttlSeconds);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PROTOCOL_ROLE, admin);
    }

    /// @inheritdoc IEnclaveRegistry
    function registerEnclave(bytes calldata quote, address signer, bytes32 hpkePublicKey, uint256 quoteBlock)
        external
        returns (uint64 expiresAt)
    {
        if (signer == address(0)) revert EnclaveZeroSigner();
        Enclave storage e = _enclaves[signer];
        if (e.revoked) revert EnclaveKeyRevoked(signer);
        // A key whose measurement was disallowed may move to an allowed build before it expires.
        if (block.timestamp < e.expiresAt && measurementAllowed[e.measurement]) {
            revert EnclaveAlreadyRegistered(signer, e.expiresAt);
        }

        // Reverts with EnclaveQuoteNotFresh unless quoteBlock is recent: an old quote cannot renew a key.
        bytes memory expected = reportDataFor(signer, hpkePublicKey, quoteBlock);
        // The verifier is fixed at construction and trusted; its answer is what every check reads.
        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(quote);
        if (keccak256(v.reportData) != keccak256(expected)) revert EnclaveReportDataMismatch(expected, v.reportData);
        if (v.debug) revert EnclaveDebugRefused(v.measurement);
        if (!v.tcbOk) revert EnclaveTcbNotOk(v.measurement);
        if (!measurementAllowed[v.measurement]) revert EnclaveMeasurementNotAllowed(v.measurement);

        expiresAt = uint64(block.timestamp) + ttl;
        _enclaves[signer] = Enclave({
            measurement: v.measurement,
            hpkePublicKey: hpkePublicKey,
            registeredAt: uint64(block.timestamp),
            expiresAt: expiresAt,
            revoked: false,
            simulated: _simulated
        });
        emit EnclaveRegistered(signer, v.measurement, hpkePublicKey, expiresAt, _simulated);
    }

    /// @inheritdoc IEnclaveRegistry
    function revokeEnclave(address signer) external onlyRole(PROTOCOL_ROLE) {
        Enclave storage e = _enclaves[signer];
        if (e.registeredAt == 0) revert EnclaveUnknown(signer);
        if (e.revoked) revert EnclaveKeyRevoked(signer);
        e.revoked = true;
        emit EnclaveRevoked(signer, e.measurement);
    }

    /// @inheritdoc IEnclaveRegistry
    function setMeasurementAllowed(bytes32 measurement, bool allowed) external onlyRole(PROTOCOL_ROLE) {
        measurementAllowed[measurement] = allowed;
        emit MeasurementAllowed(measurement, allowed);
    }

    /// @inheritdoc IEnclaveRegistryConfig
    function setTtl(uint64 ttlSeconds) external onlyRole(PROTOCOL_ROLE) {
        _setTtl(ttlSeconds);
    }

    /// @inheritdoc IEnclaveRegistry
    function enclave(address signer) external view returns (Enclave memory) {
        return _enclaves[signer];
    }

    /// @inheritdoc IEnclaveRegistry
    function isValid(address signer) external view returns (bool) {
        Enclave storage e = _enclaves[signer];
        return block.timestamp < e.expiresAt && !e.revoked && measurementAllowed[e.measurement];
    }

    /// @inheritdoc IEnclaveRegistry
    function reportDataFor(address signer, bytes32 hpkePublicKey, uint256 quoteBlock) public view returns (bytes memory) {
        // blockhash is zero outside the last 256 blocks; a zero hash is refused too, so the old
        // zero-tailed report data can never match.
        bytes32 anchor = quoteBlock < block.number && block.number - quoteBlock <= QUOTE_MAX_AGE_BLOCKS
            ? blockhash(quoteBlock)
            : bytes32(0);
        if (anchor == bytes32(0)) revert EnclaveQuoteNotFresh(quoteBlock, block.number);
        return abi.encodePacked(keccak256(abi.encode(signer, hpkePublicKey, block.chainid)), anchor);
    }

    function _setTtl(uint64 ttlSeconds) private {
        if (ttlSeconds == 0 || ttlSeconds > MAX_TTL) revert EnclaveBadTtl(ttlSeconds);
        ttl = ttlSeconds;
        emit TtlChanged(ttlSeconds);
    }
}
