// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice Test double of the RevenueSplitter's `pay` for Forge tests: pulls the payment exactly as
/// the real one does (ETH by value, ERC-20 by transferFrom credited by balance received) and
/// records what each Ingot received.
contract MockRevenueSplitter {
    using SafeERC20 for IERC20;

    mapping(uint256 ingotId => mapping(address asset => uint256)) public received;

    function pay(uint256 ingotId, address asset, uint256 amount) external payable returns (uint256 credited) {
        if (asset == address(0)) {
            require(msg.value == amount, "MockRevenueSplitter: value");
            credited = amount;
        } else {
            require(msg.value == 0, "MockRevenueSplitter: value");
            uint256 before = IERC20(asset).balanceOf(address(this));
            IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
            credited = IERC20(asset).balanceOf(address(this)) - before;
        }
        received[ingotId][asset] += credited;
    }
}
