// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title ShareMath
/// @notice Splits an integer amount pro rata to weights so the parts sum to it EXACTLY
/// (largest-remainder / Hamilton method):
///   1. each part is floor(total * w_i / W), W = sum of weights (512-bit exact);
///   2. the r = total - sum(floors) units left over (r < number of nonzero weights) go one each
///      to the r largest remainders (total * w_i mod W), ties to the lowest index.
/// Properties (fuzzed against a reference in ShareMath.t.sol): the parts sum to `total` when
/// W > 0 (all zero when W == 0); each part is within 1 of the exact quotient; a zero weight gets
/// zero; a strictly larger weight never gets a smaller part.
/// @dev Cost: O(n) plus a heap selection of the r leftover units, O(n + r log n). Weights are the
/// caller's to bound so that their sum fits in 256 bits (the sum is checked and reverts otherwise).
/// When the sum fits in 224 bits (every remainder is below it), each heap entry packs its rank
/// into one word, remainder << 32 | (2^32 - 1 - index), so the heap compares words directly; this
/// halves the selection's gas (about 7.0M to 3.6M for 1,000 weights), which decides how many
/// contributions one result can carry under EIP-7825's 2^24 gas cap. Larger sums use a heap of
/// indices compared through the remainders, with the same order.
library ShareMath {
    uint256 private constant INDEX_BITS = 32;
    uint256 private constant INDEX_MASK = type(uint32).max;

    /// @notice Split `total` pro rata to `weights`; all zero when every weight is zero.
    function allocate(uint256 total, uint256[] memory weights) internal pure returns (uint256[] memory parts) {
        uint256 n = weights.length;
        parts = new uint256[](n);
        uint256 sumWeights;
        for (uint256 i; i < n; ++i) {
            sumWeights += weights[i];
        }
        if (sumWeights == 0) return parts;

        uint256[] memory remainders = new uint256[](n);
        uint256 assigned;
        uint256 withRemainder;
        for (uint256 i; i < n; ++i) {
            uint256 w = weights[i];
            if (w == 0) continue;
            uint256 part = Math.mulDiv(total, w, sumWeights);
            parts[i] = part;
            assigned += part;
            uint256 rem = mulmod(total, w, sumWeights);
            remainders[i] = rem;
            if (rem != 0) ++withRemainder;
        }
        uint256 leftover = total - assigned;
        if (leftover == 0) return parts;
        if (sumWeights <= type(uint224).max && n <= INDEX_MASK) {
            _giveLeftoverPacked(parts, remainders, withRemainder, leftover);
            return parts;
        }

        // Only indices with a nonzero remainder can be among the largest `leftover` (there are
        // more of them than leftover units, since the remainders sum to leftover * sumWeights).
        uint256[] memory heap = new uint256[](withRemainder);
        uint256 m;
        for (uint256 i; i < n; ++i) {
            if (remainders[i] != 0) heap[m++] = i;
        }
        for (uint256 i = m / 2; i > 0; --i) {
            _siftDown(heap, remainders, i - 1, m);
        }
        for (uint256 k; k < leftover; ++k) {
            parts[heap[0]] += 1;
            --m;
            heap[0] = heap[m];
            _siftDown(heap, remainders, 0, m);
        }
    }

    /// @dev One unit each to the `leftover` largest remainders, ties to the lowest index, through a
    /// max-heap of packed (remainder, inverted index) words: the larger word ranks first.
    function _giveLeftoverPacked(
        uint256[] memory parts,
        uint256[] memory remainders,
        uint256 withRemainder,
        uint256 leftover
    ) private pure {
        uint256[] memory heap = new uint256[](withRemainder);
        uint256 m;
        for (uint256 i; i < parts.length; ++i) {
            uint256 rem = remainders[i];
            if (rem != 0) heap[m++] = (rem << INDEX_BITS) | (INDEX_MASK - i);
        }
        for (uint256 i = m / 2; i > 0; --i) {
            _siftDownPacked(heap, i - 1, m);
        }
        for (uint256 k; k < leftover; ++k) {
            parts[INDEX_MASK - (heap[0] & INDEX_MASK)] += 1;
            --m;
            heap[0] = heap[m];
            _siftDownPacked(heap, 0, m);
        }
    }

    function _siftDownPacked(uint256[] memory heap, uint256 node, uint256 size) private pure {
        while (true) {
            uint256 best = node;
            uint256 left = 2 * node + 1;
            uint256 right = left + 1;
            if (left < size && heap[left] > heap[best]) best = left;
            if (right < size && heap[right] > heap[best]) best = right;
            if (best == node) return;
            (heap[node], heap[best]) = (heap[best], heap[node]);
            node = best;
        }
    }

    /// @dev Max-heap order: larger remainder first, then lower index.
    function _ranksBefore(uint256[] memory remainders, uint256 a, uint256 b) private pure returns (bool) {
        uint256 ra = remainders[a];
        uint256 rb = remainders[b];
        return ra > rb || (ra == rb && a < b);
    }

    function _siftDown(uint256[] memory heap, uint256[] memory remainders, uint256 node, uint256 size) private pure {
        while (true) {
            uint256 best = node;
            uint256 left = 2 * node + 1;
            uint256 right = left + 1;
            if (left < size && _ranksBefore(remainders, heap[left], heap[best])) best = left;
            if (right < size && _ranksBefore(remainders, heap[right], heap[best])) best = right;
            if (best == node) return;
            (heap[node], heap[best]) = (heap[best], heap[node]);
            node = best;
        }
    }
}
