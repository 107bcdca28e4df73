// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title RevenueMath
/// @notice Per-share accumulator arithmetic for the RevenueSplitter. Everything is exact: what a
/// division drops is returned as a scaled remainder for the caller to carry, never lost.
library RevenueMath {
    /// @notice Scale of the accumulator and of accrued amounts (1 wei = 1e18 units).
    uint256 internal constant ACC_PRECISION = 1e18;
    /// @notice Cap of the accumulator: with at most 2^32 shares, balance * accumulator fits in
    /// 248 bits, so settling a holder can never overflow.
    uint256 internal constant MAX_PER_SHARE = type(uint216).max;
    uint256 internal constant BPS = 10_000;

    /// @notice Spread `amount` over `shares`, carrying `dust` (scaled) from earlier payments.
    /// @return ok false when the accumulator would pass `MAX_PER_SHARE` (nothing is applied).
    /// @return perShareAfter the grown accumulator.
    /// @return dustAfter the new scaled remainder, always < `shares`.
    function accrue(uint256 perShare, uint256 dust, uint256 amount, uint256 shares)
        internal
        pure
        returns (bool ok, uint256 perShareAfter, uint256 dustAfter)
    {
        // Checked before multiplying so an absurd amount is refused rather than a panic.
        if (amount > (type(uint256).max - dust) / ACC_PRECISION) return (false, perShare, dust);
        uint256 scaled = amount * ACC_PRECISION + dust;
        uint256 growth = scaled / shares;
        if (growth > MAX_PER_SHARE - perShare) return (false, perShare, dust);
        return (true, perShare + growth, scaled % shares);
    }

    /// @notice Scaled earnings of `balance` shares while the accumulator went from `checkpoint` to `perShare`.
    function earned(uint256 balance, uint256 perShare, uint256 checkpoint) internal pure returns (uint256) {
        return balance * (perShare - checkpoint);
    }

    /// @notice Whole wei in a scaled amount, rounded down, and the scaled rest that stays accrued.
    function toWei(uint256 scaled) internal pure returns (uint256 amount, uint256 rest) {
        return (scaled / ACC_PRECISION, scaled % ACC_PRECISION);
    }

    /// @notice The lineage royalty of `amount`, rounded down (in favour of the paid Ingot's holders).
    function royalty(uint256 amount, uint16 royaltyBps) internal pure returns (uint256) {
        return Math.mulDiv(amount, royaltyBps, BPS);
    }

    /// @notice Claim units that `amount` newly received tokens are credited as, when the contract
    /// holds `balance` tokens for `owed` units: one unit per token while the balance covers what
    /// is owed; after a shortfall, at the rate owed / balance, rounded down (against the payment:
    /// what is dropped is less than one token, left to those owed). `balance` must not be zero
    /// while something is owed (no rate exists then).
    /// @return ok false when the units would not fit 256 bits (nothing is computed).
    function toUnits(uint256 amount, uint256 balance, uint256 owed) internal pure returns (bool ok, uint256 units) {
        if (balance >= owed) return (true, amount);
        // amount * owed / balance <= amount * ceil(owed / balance), so this bound keeps mulDiv's
        // result in 256 bits.
        if (amount > type(uint256).max / Math.ceilDiv(owed, balance)) return (false, 0);
        return (true, Math.mulDiv(amount, owed, balance));
    }

    /// @notice Tokens that `units` claim units are worth when the contract holds `balance` tokens
    /// for `owed` units (`units` <= `owed`): the units themselves while the balance covers what is
    /// owed, else their pro-rata part of the balance, rounded down (against the claimer). The
    /// claim of all `owed` units is worth the whole balance, so nothing is left behind.
    function toTokens(uint256 units, uint256 balance, uint256 owed) internal pure returns (uint256) {
        if (balance >= owed) return units;
        return Math.mulDiv(units, balance, owed);
    }

    /// @notice Shares of a supply that earn revenue: the supply minus the lineage pool.
    function accruingShares(uint256 supply, uint16 royaltyBps) internal pure returns (uint256) {
        return supply - (supply * royaltyBps) / BPS;
    }
}
