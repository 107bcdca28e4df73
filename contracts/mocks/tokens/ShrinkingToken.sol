// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A token whose holders' balances shrink without a transfer of theirs, in three ways
/// hostile or merely unusual tokens do. Test-only.
///   - `shrink(holder, bps)`: takes `bps` of one holder's balance (a downward rebase, a
///     clawback, a slashing);
///   - `setSendTaxBps(bps)`: every transfer also takes `bps` of the amount from the sender's
///     remaining balance (as much of it as is left), on top of the amount sent, so a holder's
///     balance drops by more than it sent;
///   - `setNextTransferTake(victim, amount)`: the next transfer also takes `amount` (or what is
///     left) from `victim`, so a rebase can land in the middle of someone else's transfer.
contract ShrinkingToken is ERC20 {
    uint256 public constant BPS = 10_000;
    uint256 public sendTaxBps;
    address public takeVictim;
    uint256 public takeAmount;

    constructor() ERC20("Shrinking Token", "SHRINK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Takes `bps` of `holder`'s balance (burned); returns what was taken.
    function shrink(address holder, uint256 bps) external returns (uint256 taken) {
        require(bps <= BPS, "ShrinkingToken: bps");
        taken = balanceOf(holder) * bps / BPS;
        _burn(holder, taken);
    }

    function setSendTaxBps(uint256 bps) external {
        require(bps <= BPS, "ShrinkingToken: bps");
        sendTaxBps = bps;
    }

    function setNextTransferTake(address victim, uint256 amount) external {
        (takeVictim, takeAmount) = (victim, amount);
    }

    function _update(address from, address to, uint256 amount) internal override {
        super._update(from, to, amount);
        if (from == address(0) || to == address(0)) return;
        uint256 tax = amount * sendTaxBps / BPS;
        uint256 left = balanceOf(from);
        if (tax != 0) super._update(from, address(0), tax < left ? tax : left);
        address victim = takeVictim;
        if (victim != address(0)) {
            takeVictim = address(0);
            uint256 victimBalance = balanceOf(victim);
            super._update(victim, address(0), takeAmount < victimBalance ? takeAmount : victimBalance);
        }
    }
}
