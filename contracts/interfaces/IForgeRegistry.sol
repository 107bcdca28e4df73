// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IForgeRegistry
/// @notice The one question the Ingot asks the factory: was this Forge created by it?
interface IForgeRegistry {
    /// @notice True when `forge` was created by this factory.
    function isForge(address forge) external view returns (bool);
}
