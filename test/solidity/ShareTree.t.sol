// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {ShareTreeReference} from "./utils/ShareTreeReference.sol";
import {ShareTree} from "../../contracts/libraries/ShareTree.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice The in-memory claim tree against a recursive reference, and its proofs against
/// OpenZeppelin's MerkleProof (the verifier claimShares uses).
contract ShareTreeTest is TestBase {
    function _allocation(uint256 n, uint256 seed)
        internal
        pure
        returns (address[] memory accounts, uint256[] memory amounts)
    {
        accounts = new address[](n);
        amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 h = uint256(keccak256(abi.encode(seed, i)));
            // A few repeated accounts and equal amounts, as when one address contributes twice.
            accounts[i] = address(uint160(h % 7 == 0 ? 0xA11CE : h >> 96));
            amounts[i] = h % 5 == 0 ? 1_000 : (h >> 200) + 1;
        }
    }

    function test_leaf_isOpenZeppelinStandardDoubleHash() external pure {
        bytes32 expected = keccak256(bytes.concat(keccak256(abi.encode(uint256(3), address(0xB0B), uint256(42)))));
        assertEq(ShareTree.leaf(3, address(0xB0B), 42), expected, "leaf");
    }

    function test_root_whenEmpty_isZero() external pure {
        assertEq(ShareTree.root(new address[](0), new uint256[](0)), bytes32(0), "empty root");
    }

    function test_root_whenOneLeaf_isTheLeafAndTheEmptyProofVerifies() external pure {
        (address[] memory accounts, uint256[] memory amounts) = _allocation(1, 1);
        bytes32 root = ShareTree.root(accounts, amounts);
        assertEq(root, ShareTree.leaf(0, accounts[0], amounts[0]), "root");
        assertTrue(MerkleProof.verify(new bytes32[](0), root, ShareTree.leaf(0, accounts[0], amounts[0])), "proof");
    }

    function test_root_whenThreeLeaves_carriesTheOddLeafUp() external pure {
        (address[] memory accounts, uint256[] memory amounts) = _allocation(3, 2);
        bytes32 a = ShareTree.leaf(0, accounts[0], amounts[0]);
        bytes32 b = ShareTree.leaf(1, accounts[1], amounts[1]);
        bytes32 c = ShareTree.leaf(2, accounts[2], amounts[2]);
        bytes32 ab = a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
        bytes32 expected = ab < c ? keccak256(abi.encode(ab, c)) : keccak256(abi.encode(c, ab));
        assertEq(ShareTree.root(accounts, amounts), expected, "root");
    }

    function testFuzz_root_matchesReference(uint256 n, uint256 seed) external pure {
        n = bound(n, 1, 300);
        (address[] memory accounts, uint256[] memory amounts) = _allocation(n, seed);
        bytes32 expected = ShareTreeReference.root(ShareTreeReference.leaves(accounts, amounts));
        assertEq(ShareTree.root(accounts, amounts), expected, "root vs reference");
    }

    function testFuzz_proof_verifiesEveryLeafAndRejectsAnyChange(uint256 n, uint256 seed, uint256 pick) external pure {
        n = bound(n, 1, 120);
        (address[] memory accounts, uint256[] memory amounts) = _allocation(n, seed);
        bytes32 root = ShareTree.root(accounts, amounts);
        bytes32[] memory leaves = ShareTreeReference.leaves(accounts, amounts);
        for (uint256 i; i < n; ++i) {
            bytes32[] memory proof = ShareTreeReference.proof(leaves, i);
            assertTrue(MerkleProof.verify(proof, root, ShareTree.leaf(i, accounts[i], amounts[i])), "leaf proof");
        }
        uint256 k = pick % n;
        bytes32[] memory p = ShareTreeReference.proof(leaves, k);
        assertTrue(!MerkleProof.verify(p, root, ShareTree.leaf(k, accounts[k], amounts[k] + 1)), "amount changed");
        assertTrue(!MerkleProof.verify(p, root, ShareTree.leaf(k, address(0xE7E), amounts[k])), "account changed");
        if (n > 1) {
            uint256 other = (k + 1) % n;
            assertTrue(!MerkleProof.verify(p, root, ShareTree.leaf(other, accounts[k], amounts[k])), "index changed");
        }
    }
}
