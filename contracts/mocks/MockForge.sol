// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIngot} from "../interfaces/IIngot.sol";

/// @notice Stands in for a Forge in tests: mints its one Ingot with whatever allocation it is given,
/// directly or into its own escrow, and releases escrowed shares to whoever it is told (the real
/// Forge checks a Merkle proof first).
contract MockForge {
    function mint(IIngot ingot, IIngot.IngotInfo calldata info, address[] calldata holders, uint256[] calldata amounts, uint256 lineageShares)
        external
        returns (uint256)
    {
        return ingot.mint(info, holders, amounts, lineageShares);
    }

    function mintEscrowed(IIngot ingot, IIngot.IngotInfo calldata info, uint256 escrowedShares, uint256 lineageShares)
        external
        returns (uint256)
    {
        return ingot.mintEscrowed(info, escrowedShares, lineageShares);
    }

    function release(IIngot ingot, address to, uint256 amount) external {
        ingot.releaseEscrowed(to, amount);
    }
}
