// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A second, independent construction of the claim tree for tests: recursive, splitting
/// n leaves at the largest power of two below n (which is what pairing level by level and carrying
/// an odd last node up produces), with its own leaf and sorted-pair hashing. It also builds the
/// proofs, which the contracts never do.
library ShareTreeReference {
    function leaf(uint256 index, address account, uint256 amount) internal pure returns (bytes32) {
        bytes32 inner = keccak256(abi.encode(index, account, amount));
        return keccak256(abi.encodePacked(inner));
    }

    function leaves(address[] memory accounts, uint256[] memory amounts) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            out[i] = leaf(i, accounts[i], amounts[i]);
        }
    }

    function root(bytes32[] memory nodes) internal pure returns (bytes32) {
        if (nodes.length == 0) return bytes32(0);
        return _root(nodes, 0, nodes.length);
    }

    /// @dev The siblings of leaf `index` from the bottom up.
    function proof(bytes32[] memory nodes, uint256 index) internal pure returns (bytes32[] memory out) {
        bytes32[] memory buffer = new bytes32[](64);
        uint256 depth = _proof(nodes, 0, nodes.length, index, buffer, 0);
        out = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) {
            out[i] = buffer[i];
        }
    }

    function _root(bytes32[] memory nodes, uint256 lo, uint256 hi) private pure returns (bytes32) {
        uint256 n = hi - lo;
        if (n == 1) return nodes[lo];
        uint256 split = _largestPowerOfTwoBelow(n);
        return _pair(_root(nodes, lo, lo + split), _root(nodes, lo + split, hi));
    }

    /// @dev Appends the siblings top-down into `buffer` from position `at`, then reverses in place
    /// at the top level; returns the count.
    function _proof(bytes32[] memory nodes, uint256 lo, uint256 hi, uint256 index, bytes32[] memory buffer, uint256 at)
        private
        pure
        returns (uint256)
    {
        uint256 n = hi - lo;
        if (n == 1) return _reverse(buffer, at);
        uint256 split = lo + _largestPowerOfTwoBelow(n);
        if (index < split) {
            buffer[at] = _root(nodes, split, hi);
            return _proof(nodes, lo, split, index, buffer, at + 1);
        }
        buffer[at] = _root(nodes, lo, split);
        return _proof(nodes, split, hi, index, buffer, at + 1);
    }

    function _reverse(bytes32[] memory buffer, uint256 count) private pure returns (uint256) {
        for (uint256 i; i < count / 2; ++i) {
            (buffer[i], buffer[count - 1 - i]) = (buffer[count - 1 - i], buffer[i]);
        }
        return count;
    }

    function _largestPowerOfTwoBelow(uint256 n) private pure returns (uint256 p) {
        p = 1;
        while (p * 2 < n) p *= 2;
    }

    function _pair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }
}
