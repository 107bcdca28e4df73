// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEnclaveRegistry} from "./IEnclaveRegistry.sol";

/// @title IEnclaveRegistryConfig
/// @notice The enclave registry's settings, beside what Forges consume through IEnclaveRegistry:
/// how long a registration lasts and which measurements are allowed.
interface IEnclaveRegistryConfig is IEnclaveRegistry {
    /// @notice Protocol role: set the time-to-live of registrations made from now on (existing
    /// expiries stay). Reverts with EnclaveBadTtl when zero or above MAX_TTL (365 days).
    function setTtl(uint64 ttlSeconds) external;

    /// @notice Seconds a registration stays valid.
    function ttl() external view returns (uint64);

    /// @notice Whether registrations with `measurement` are allowed (and keys registered with it
    /// count as valid).
    function measurementAllowed(bytes32 measurement) external view returns (bool);
}
