// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IProofKeyRegistry} from "./interfaces/IProofKeyRegistry.sol";
import {IQuoteVerifier} from "./interfaces/IQuoteVerifier.sol";

/// @title ProofKeyRegistry
/// @notice See {IProofKeyRegistry}.
contract ProofKeyRegistry is IProofKeyRegistry, AccessControl {
    bytes32 public constant PROTOCOL_ROLE = keccak256("PROTOCOL_ROLE");

    bytes private constant BINDING_TAG = "ingotforge.gateway.proof-key.v1:";
    bytes16 private constant HEX_DIGITS = "0123456789abcdef";

    /// @inheritdoc IProofKeyRegistry
    IQuoteVerifier public immutable verifier;

    /// @inheritdoc IProofKeyRegistry
    mapping(bytes32 measurement => bool) public measurementAllowed;

    mapping(bytes32 publicKey => ProofKey) private _keys;
    /// @dev The verifier is fixed, so what it trusts is too.
    bool private immutable _simulated;

    constructor(address admin, IQuoteVerifier verifier_) {
        if (admin == address(0) || address(verifier_) == address(0)) revert ProofKeyRegistryZeroAddress();
        verifier = verifier_;
        _simulated = verifier_.isSimulated();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PROTOCOL_ROLE, admin);
    }

    /// @inheritdoc IProofKeyRegistry
    function registerProofKey(bytes calldata quote, bytes32 publicKey) external returns (bytes32 measurement) {
        if (publicKey == bytes32(0)) revert ProofKeyZero();
        if (_keys[publicKey].revoked) revert ProofKeyIsRevoked(publicKey);

        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(quote);
        bytes memory expected = reportDataFor(publicKey);
        if (keccak256(v.reportData) != keccak256(expected)) revert ProofKeyReportDataMismatch(expected, v.reportData);
        if (v.debug) revert ProofKeyDebugRefused(v.measurement);
        if (!v.tcbOk) revert ProofKeyTcbNotOk(v.measurement);
        if (!measurementAllowed[v.measurement]) revert ProofKeyMeasurementNotAllowed(v.measurement);

        measurement = v.measurement;
        _keys[publicKey] = ProofKey({measurement: measurement, registeredAt: uint64(block.timestamp), revoked: false, simulated: _simulated});
        emit ProofKeyRegistered(publicKey, measurement, _simulated);
    }

    /// @inheritdoc IProofKeyRegistry
    function revokeProofKey(bytes32 publicKey) external onlyRole(PROTOCOL_ROLE) {
        ProofKey storage k = _keys[publicKey];
        if (k.registeredAt == 0) revert ProofKeyUnknown(publicKey);
        if (k.revoked) revert ProofKeyIsRevoked(publicKey);
        k.revoked = true;
        emit ProofKeyRevoked(publicKey, k.measurement);
    }

    /// @inheritdoc IProofKeyRegistry
    function setMeasurementAllowed(bytes32 measurement, bool allowed) external onlyRole(PROTOCOL_ROLE) {
        measurementAllowed[measurement] = allowed;
        emit MeasurementAllowed(measurement, allowed);
    }

    /// @inheritdoc IProofKeyRegistry
    function proofKey(bytes32 publicKey) external view returns (ProofKey memory) {
        return _keys[publicKey];
    }

    /// @inheritdoc IProofKeyRegistry
    function isValid(bytes32 publicKey) external view returns (bool) {
        ProofKey storage k = _keys[publicKey];
        return k.registeredAt != 0 && !k.revoked && measurementAllowed[k.measurement];
    }

    /// @inheritdoc IProofKeyRegistry
    function reportDataFor(bytes32 publicKey) public pure returns (bytes memory) {
        bytes memory digits = new bytes(64);
        for (uint256 i = 0; i < 32; ++i) {
            uint8 b = uint8(publicKey[i]);
            digits[2 * i] = HEX_DIGITS[b >> 4];
            digits[2 * i + 1] = HEX_DIGITS[b & 0x0f];
        }
        return abi.encodePacked(sha256(abi.encodePacked(BINDING_TAG, digits)), bytes32(0));
    }
}
