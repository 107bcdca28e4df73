// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./Vm.sol";

/// @notice Pins the cheatcodes the suites rely on, so an EDR upgrade that drops one fails here first.
contract CheatcodesTest is TestBase {
    function test_warp_setsTimestamp() external {
        vm.warp(1_000_000);
        assertEq(block.timestamp, 1_000_000, "timestamp");
    }

    function test_prank_setsNextCaller() external {
        vm.prank(address(0xBEEF));
        assertEq(this.whoCalls(), address(0xBEEF), "caller");
    }

    function test_sign_recoversSigner() external pure {
        bytes32 digest = keccak256("ingotforge");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(0xA11CE, digest);
        assertEq(ecrecover(digest, v, r, s), vm.addr(0xA11CE), "signer");
    }

    function whoCalls() external view returns (address) {
        return msg.sender;
    }
}
