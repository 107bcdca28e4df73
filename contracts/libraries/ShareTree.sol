// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title ShareTree
/// @notice The Merkle tree of a claim-by-proof share allocation, built in memory so that
/// `MerkleProof.verify` accepts its proofs.
/// @dev Leaf i = keccak256(bytes.concat(keccak256(abi.encode(i, account, amount)))), OpenZeppelin's
/// standard double-hashed leaf (64-byte internal nodes can never pass as 96-byte leaves).
/// Levels are built bottom-up over the leaves in index order: nodes 2k and 2k+1 are joined with
/// commutative keccak256 (sorted pair, as `MerkleProof` expects), and an odd last node is carried up
/// unchanged. A proof is therefore the siblings met on the way up, skipping the levels where the
/// node was carried. One leaf: the root is the leaf and the proof is empty.
library ShareTree {
    /// @notice The leaf of `amount` shares for `account` at position `index`.
    function leaf(uint256 index, address account, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
    }

    /// @notice The root over `accounts[i]` holding `amounts[i]`, leaf i for each i (zero when empty).
    /// @dev The caller keeps the lengths equal.
    function root(address[] memory accounts, uint256[] memory amounts) internal pure returns (bytes32) {
        uint256 n = accounts.length;
        if (n == 0) return bytes32(0);
        bytes32[] memory nodes = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            nodes[i] = leaf(i, accounts[i], amounts[i]);
        }
        // Each level overwrites the front of the same array: level k+1 needs only nodes of level k
        // at indices >= its own write position.
        while (n > 1) {
            uint256 pairs = n / 2;
            for (uint256 i; i < pairs; ++i) {
                nodes[i] = Hashes.commutativeKeccak256(nodes[2 * i], nodes[2 * i + 1]);
            }
            if (n % 2 == 1) {
                nodes[pairs] = nodes[n - 1];
                n = pairs + 1;
            } else {
                n = pairs;
            }
        }
        return nodes[0];
    }
}
