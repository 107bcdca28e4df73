// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIngot} from "../interfaces/IIngot.sol";

/// @notice Stands in for a Forge in tests: mints its one Ingot with whatever allocation it is given.
contract MockForge {
    function mint(IIngot ingot, IIngot.IngotInfo calldata info, address[] calldata holders, uint256[] calldata amounts, uint256 lineageShares)
        external
        returns (uint256)
    {
        return ingot.mint(info, holders, amounts, lineageShares);
    }
}
