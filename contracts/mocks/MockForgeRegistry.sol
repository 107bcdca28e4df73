// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IForgeRegistry} from "../interfaces/IForgeRegistry.sol";

/// @notice Stands in for the ForgeFactory in tests: whoever it is told is a Forge may mint Ingots.
contract MockForgeRegistry is IForgeRegistry {
    mapping(address => bool) public isForge;

    function setForge(address forge, bool yes) external {
        isForge[forge] = yes;
    }
}
