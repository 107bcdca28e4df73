// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Standard token that can be switched to revert every transfer (a paused or
/// blocklisting token). Used to show that one broken asset blocks only its own claims. Test-only.
contract RevertingToken is ERC20 {
    /// @notice Every transfer reverts while the switch is on.
    error RevertingTokenSwitchedOn(address from, address to, uint256 amount);

    bool public reverting;

    constructor() ERC20("Reverting Token", "REVERT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setReverting(bool reverting_) external {
        reverting = reverting_;
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (reverting && from != address(0)) revert RevertingTokenSwitchedOn(from, to, amount);
        super._update(from, to, amount);
    }
}
