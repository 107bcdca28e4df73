// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {RevenueMath} from "../../contracts/libraries/RevenueMath.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice The accumulator arithmetic against plain references: exact conservation of every
/// scaled unit, and the overflow bounds the splitter relies on.
contract RevenueMathTest is TestBase {
    uint256 internal constant MAX = RevenueMath.MAX_PER_SHARE;
    uint256 internal constant MAX_SHARES = type(uint32).max;

    function testFuzz_accrue_conservesEveryScaledUnit(uint256 perShare, uint256 dust, uint256 amount, uint256 shares)
        external
        pure
    {
        shares = bound(shares, 1, MAX_SHARES);
        dust = bound(dust, 0, shares - 1);
        perShare = bound(perShare, 0, MAX);

        (bool ok, uint256 after_, uint256 dustAfter) = RevenueMath.accrue(perShare, dust, amount, shares);

        // Reference: the scaled total must fit, and its per-share growth must fit under the cap.
        (bool fitsMul, uint256 scaled) = Math.tryMul(amount, 1e18);
        (bool fitsAdd, uint256 total) = Math.tryAdd(scaled, dust);
        bool expectOk = fitsMul && fitsAdd && total / shares <= MAX - perShare;
        assertTrue(ok == expectOk, "ok flag disagrees with reference");
        if (!ok) {
            assertEq(after_, perShare, "refused accrual moved the accumulator");
            assertEq(dustAfter, dust, "refused accrual moved the dust");
            return;
        }
        assertEq((after_ - perShare) * shares + dustAfter, total, "scaled units conserved");
        assertLe(dustAfter, shares - 1, "dust below one scaled unit per share");
        assertLe(after_, MAX, "accumulator within cap");
    }

    function testFuzz_accrue_whenRepeated_matchesOnePaymentOfTheSum(uint96 a, uint96 b, uint96 c, uint32 shares)
        external
        pure
    {
        vm.assume(shares != 0);
        (, uint256 p, uint256 d) = RevenueMath.accrue(0, 0, a, shares);
        (, p, d) = RevenueMath.accrue(p, d, b, shares);
        (, p, d) = RevenueMath.accrue(p, d, c, shares);
        uint256 sum = uint256(a) + b + c;
        assertEq(p, (sum * 1e18) / shares, "carried dust makes payments additive");
        assertEq(d, (sum * 1e18) % shares, "final dust");
    }

    function testFuzz_earned_neverOverflowsUnderCap(uint256 balance, uint256 perShare, uint256 checkpoint)
        external
        pure
    {
        balance = bound(balance, 0, MAX_SHARES);
        perShare = bound(perShare, 0, MAX);
        checkpoint = bound(checkpoint, 0, perShare);
        uint256 e = RevenueMath.earned(balance, perShare, checkpoint);
        assertEq(e, Math.mulDiv(balance, perShare - checkpoint, 1), "earned");
    }

    function test_earned_atExtremes_fitsWithRoomToAccrue() external pure {
        // The largest single settlement, added to the largest possible accrued total, still fits.
        uint256 e = RevenueMath.earned(MAX_SHARES, MAX, 0);
        assertLe(e, type(uint256).max / 2, "headroom");
    }

    function testFuzz_royalty_isFloorOfBasisPoints(uint256 amount, uint16 bps) external pure {
        bps = uint16(bound(bps, 0, 9_999));
        uint256 r = RevenueMath.royalty(amount, bps);
        assertLe(r, amount, "royalty within amount");
        if (amount <= type(uint256).max / 10_000) {
            assertEq(r, (amount * bps) / 10_000, "floor reference");
        }
    }

    function testFuzz_accruingShares_plusLineageIsSupply(uint16 bps) external pure {
        bps = uint16(bound(bps, 0, 9_999));
        uint256 supply = 1_000_000_000;
        uint256 lineage = (supply * bps) / 10_000;
        assertEq(RevenueMath.accruingShares(supply, bps) + lineage, supply, "partition");
        assertGe(RevenueMath.accruingShares(supply, bps), 100_000, "at least 0.01% accrues");
    }

    function testFuzz_toWei_splitsWholeAndRest(uint256 scaled) external pure {
        (uint256 amount, uint256 rest) = RevenueMath.toWei(scaled);
        assertEq(amount * 1e18 + rest, scaled, "split");
        assertLe(rest, 1e18 - 1, "rest below one wei");
    }

    // ------------------------------------------------------------ claim units of a shrinking token

    /// @dev Plain arithmetic reference (operands small enough not to overflow).
    function testFuzz_toUnits_matchesReference(uint128 amount, uint128 balance, uint120 owed) external pure {
        vm.assume(balance != 0);
        (bool ok, uint256 units) = RevenueMath.toUnits(amount, balance, owed);
        assertTrue(ok, "fits");
        uint256 expected = balance >= owed ? amount : uint256(amount) * owed / balance;
        assertEq(units, expected, "units");
        assertGe(units, amount, "never fewer units than tokens");
    }

    function testFuzz_toUnits_whenResultWouldNotFit_refusesWithoutReverting(uint256 amount, uint256 owed) external pure {
        owed = bound(owed, 4, type(uint248).max);
        amount = bound(amount, type(uint256).max / 2 + 1, type(uint256).max);
        (bool ok, uint256 units) = RevenueMath.toUnits(amount, 1, owed);
        assertTrue(!ok, "refused");
        assertEq(units, 0, "no units");
    }

    function testFuzz_toTokens_isTheFloorOfTheShareOfTheBalance(uint128 units, uint128 balance, uint128 owed) external pure {
        vm.assume(units <= owed);
        uint256 tokens = RevenueMath.toTokens(units, balance, owed);
        uint256 expected = balance >= owed ? units : uint256(units) * balance / owed;
        assertEq(tokens, expected, "tokens");
        assertLe(tokens, units, "a unit is worth at most a token");
        assertEq(RevenueMath.toTokens(owed, balance, owed), balance < owed ? balance : owed, "all units take the balance");
    }

    /// @dev After a shortfall (balance < owed), a payment of `t` tokens buys units worth at most
    /// `t` and at least `t - 2`, and what was owed before is worth at least the old balance: the
    /// payment neither makes up the shortfall nor is diluted by it.
    function testFuzz_toUnitsThenToTokens_paymentNeitherMakesUpNorDilutes(uint96 t, uint96 balance, uint120 owed)
        external
        pure
    {
        vm.assume(t != 0 && balance != 0 && balance < owed);
        (, uint256 u) = RevenueMath.toUnits(t, balance, owed);
        uint256 heldAfter = uint256(balance) + t;
        uint256 owedAfter = uint256(owed) + u;
        uint256 paymentWorth = RevenueMath.toTokens(u, heldAfter, owedAfter);
        uint256 oldWorth = RevenueMath.toTokens(owed, heldAfter, owedAfter);
        assertLe(paymentWorth, t, "the payment gained from those owed before");
        assertGe(paymentWorth + 2, t, "the payment was diluted");
        assertGe(oldWorth, balance, "those owed before lost to the payment");
        assertLe(oldWorth, uint256(balance) + 2, "those owed before gained from the payment");
    }
}
