// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {ShareMath} from "../../contracts/libraries/ShareMath.sol";

contract ShareMathTest is TestBase {
    /// @dev Plain reference: exact floors with 256-bit arithmetic (inputs kept small enough), then
    /// leftover units one at a time to the largest remainder not yet served, ties to the lowest index.
    function referenceAllocate(uint256 total, uint256[] memory weights) internal pure returns (uint256[] memory parts) {
        uint256 n = weights.length;
        parts = new uint256[](n);
        uint256 sum;
        for (uint256 i; i < n; ++i) sum += weights[i];
        if (sum == 0) return parts;
        uint256 given;
        uint256[] memory rems = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            parts[i] = total * weights[i] / sum;
            rems[i] = total * weights[i] % sum;
            given += parts[i];
        }
        bool[] memory served = new bool[](n);
        for (uint256 left = total - given; left > 0; --left) {
            uint256 best = type(uint256).max;
            for (uint256 i; i < n; ++i) {
                if (served[i]) continue;
                if (best == type(uint256).max || rems[i] > rems[best]) best = i;
            }
            served[best] = true;
            parts[best] += 1;
        }
    }

    function _weights(uint64[] memory raw, uint256 maxLen) internal pure returns (uint256[] memory w) {
        uint256 n = raw.length < maxLen ? raw.length : maxLen;
        w = new uint256[](n);
        for (uint256 i; i < n; ++i) w[i] = raw[i];
    }

    function test_allocate_whenWeightsEqual_givesLeftoverToLowestIndices() external pure {
        uint256[] memory w = new uint256[](3);
        (w[0], w[1], w[2]) = (1, 1, 1);
        uint256[] memory p = ShareMath.allocate(100, w);
        assertEq(p[0], 34, "first");
        assertEq(p[1], 33, "second");
        assertEq(p[2], 33, "third");
    }

    function test_allocate_givesLeftoverToLargestRemainders() external pure {
        // exact: 10 * [1,2,4]/7 = 1.43, 2.86, 5.71 -> floors 1,2,5 (8); two units to .86 and .71
        uint256[] memory w = new uint256[](3);
        (w[0], w[1], w[2]) = (1, 2, 4);
        uint256[] memory p = ShareMath.allocate(10, w);
        assertEq(p[0], 1, "first");
        assertEq(p[1], 3, "second");
        assertEq(p[2], 6, "third");
    }

    function test_allocate_whenAllWeightsZero_returnsZeros() external pure {
        uint256[] memory w = new uint256[](4);
        uint256[] memory p = ShareMath.allocate(1_000, w);
        for (uint256 i; i < 4; ++i) assertEq(p[i], 0, "part");
    }

    function test_allocate_whenWeightsHuge_isExactWithoutOverflow() external pure {
        uint256[] memory w = new uint256[](3);
        (w[0], w[1], w[2]) = (type(uint128).max, type(uint128).max - 1, 1);
        uint256[] memory p = ShareMath.allocate(1_000_000_000, w);
        assertEq(p[0] + p[1] + p[2], 1_000_000_000, "sum");
        assertEq(p[0], 500_000_000, "first");
        assertEq(p[1], 500_000_000, "second");
        assertEq(p[2], 0, "tiny weight");
    }

    function test_allocate_splitsSupplyOver1000Members() external pure {
        uint256[] memory w = new uint256[](1_000);
        for (uint256 i; i < 1_000; ++i) w[i] = (i * 7919) % 1_009 + 1;
        uint256[] memory p = ShareMath.allocate(1_000_000_000, w);
        uint256 sum;
        for (uint256 i; i < 1_000; ++i) sum += p[i];
        assertEq(sum, 1_000_000_000, "sum");
    }

    function testFuzz_allocate_matchesReference(uint64[] memory raw, uint64 total) external pure {
        uint256[] memory w = _weights(raw, 24);
        uint256[] memory p = ShareMath.allocate(total, w);
        uint256[] memory q = referenceAllocate(total, w);
        for (uint256 i; i < w.length; ++i) assertEq(p[i], q[i], "part vs reference");
    }

    /// @notice Scaling every weight by 2^170 (so the sum passes 2^224 and the index heap is used
    /// instead of the packed one) changes nothing: the quotients are equal and the remainders keep
    /// their order.
    function testFuzz_allocate_whenSumPastPackedRange_matchesUnscaled(uint64[] memory raw, uint64 total) external pure {
        uint256[] memory w = _weights(raw, 40);
        uint256[] memory scaled = new uint256[](w.length);
        for (uint256 i; i < w.length; ++i) {
            w[i] |= 1 << 63;
            scaled[i] = w[i] << 170;
        }
        uint256[] memory expected = ShareMath.allocate(total, w);
        uint256[] memory got = ShareMath.allocate(total, scaled);
        for (uint256 i; i < w.length; ++i) {
            assertEq(got[i], expected[i], "scaled part");
        }
    }

    function testFuzz_allocate_sumsExactlyToTotal(uint64[] memory raw, uint256 total) external pure {
        uint256[] memory w = _weights(raw, 40);
        uint256 sumW;
        for (uint256 i; i < w.length; ++i) sumW += w[i];
        uint256[] memory p = ShareMath.allocate(total, w);
        uint256 sum;
        for (uint256 i; i < p.length; ++i) sum += p[i];
        assertEq(sum, sumW == 0 ? 0 : total, "sum");
    }

    function testFuzz_allocate_eachPartWithinOneOfExact(uint64[] memory raw, uint64 total) external pure {
        uint256[] memory w = _weights(raw, 40);
        uint256 sumW;
        for (uint256 i; i < w.length; ++i) sumW += w[i];
        vm.assume(sumW > 0);
        uint256[] memory p = ShareMath.allocate(total, w);
        for (uint256 i; i < w.length; ++i) {
            uint256 exactFloor = uint256(total) * w[i] / sumW;
            assertTrue(p[i] == exactFloor || p[i] == exactFloor + 1, "part is floor or floor + 1");
            if (p[i] == exactFloor + 1) assertTrue(uint256(total) * w[i] % sumW != 0, "no bonus on an exact part");
        }
    }

    function testFuzz_allocate_isMonotoneInWeight(uint64[] memory raw, uint64 total) external pure {
        uint256[] memory w = _weights(raw, 30);
        uint256[] memory p = ShareMath.allocate(total, w);
        for (uint256 i; i < w.length; ++i) {
            if (w[i] == 0) assertEq(p[i], 0, "zero weight gets zero");
            for (uint256 j; j < w.length; ++j) {
                if (w[i] > w[j]) assertGe(p[i], p[j], "larger weight, no smaller part");
            }
        }
    }
}
