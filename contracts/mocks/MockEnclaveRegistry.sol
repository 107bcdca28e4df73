// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "../interfaces/IEnclaveRegistry.sol";
import {IQuoteVerifier} from "../interfaces/IQuoteVerifier.sol";

/// @notice Test double of IEnclaveRegistry for Forge tests: keys are set directly instead of from
/// quotes; validity follows the same rule (registered, unexpired, unrevoked).
contract MockEnclaveRegistry is IEnclaveRegistry {
    mapping(address signer => Enclave) private _enclaves;

    function set(address signer, bytes32 measurement, uint64 expiresAt) external {
        _enclaves[signer] = Enclave({
            measurement: measurement,
            hpkePublicKey: bytes32(0),
            registeredAt: uint64(block.timestamp),
            expiresAt: expiresAt,
            revoked: false,
            simulated: true
        });
    }

    function registerEnclave(bytes calldata, address, bytes32) external pure returns (uint64) {
        revert("MockEnclaveRegistry: use set");
    }

    function revokeEnclave(address signer) external {
        _enclaves[signer].revoked = true;
    }

    function setMeasurementAllowed(bytes32, bool) external pure {}

    function enclave(address signer) external view returns (Enclave memory) {
        return _enclaves[signer];
    }

    function isValid(address signer) external view returns (bool) {
        Enclave storage e = _enclaves[signer];
        return e.measurement != bytes32(0) && !e.revoked && block.timestamp < e.expiresAt;
    }

    function reportDataFor(address, bytes32) external pure returns (bytes memory) {
        return "";
    }

    function verifier() external pure returns (IQuoteVerifier) {
        return IQuoteVerifier(address(0));
    }
}
