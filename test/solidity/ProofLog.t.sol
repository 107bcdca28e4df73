// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IProofLog} from "../../contracts/interfaces/IProofLog.sol";
import {ProofLog} from "../../contracts/ProofLog.sol";
import {TestBase} from "./utils/Vm.sol";

/// @notice ProofLog: only appenders append, roots are never replaced or repeated, sequence
/// numbers are strictly increasing and start where the log ends, each root keeps its block time.
contract ProofLogTest is TestBase {
    uint256 internal constant T0 = 1_800_000_000;
    address internal admin = address(0xAD);
    address internal settler = address(0x5E77);
    address internal stranger = address(0xBEEF);
    ProofLog internal log;

    function setUp() public {
        vm.warp(T0);
        log = new ProofLog(admin);
        bytes32 role = log.APPENDER_ROLE();
        vm.prank(admin);
        log.grantRole(role, settler);
    }

    function _roots(uint256 n, uint256 salt) internal pure returns (bytes32[] memory roots) {
        roots = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) roots[i] = keccak256(abi.encode("batch root", salt, i));
    }

    function _append(uint64 first, bytes32[] memory roots) internal {
        vm.prank(settler);
        log.append(first, roots);
    }

    function test_constructor_refusesTheZeroAdmin() external {
        vm.expectRevert(IProofLog.ProofLogZeroAddress.selector);
        new ProofLog(address(0));
    }

    function test_append_recordsEachRootWithItsSequenceAndBlockTime_andEmitsRootAnchored() external {
        bytes32[] memory roots = _roots(3, 1);
        vm.expectEmit();
        emit IProofLog.RootAnchored(0, roots[0], settler, uint64(T0));
        vm.expectEmit();
        emit IProofLog.RootAnchored(1, roots[1], settler, uint64(T0));
        vm.expectEmit();
        emit IProofLog.RootAnchored(2, roots[2], settler, uint64(T0));
        _append(0, roots);
        assertEq(uint256(log.nextSequence()), 3, "next");
        for (uint256 i = 0; i < 3; ++i) {
            IProofLog.Anchor memory a = log.anchorOf(roots[i]);
            assertEq(uint256(a.sequence), i, "sequence");
            assertEq(uint256(a.anchoredAt), T0, "time");
        }
        // A later append continues the sequence, with its own block time.
        vm.warp(T0 + 60);
        bytes32[] memory more = _roots(1, 2);
        _append(3, more);
        assertEq(uint256(log.anchorOf(more[0]).sequence), 3, "continues");
        assertEq(uint256(log.anchorOf(more[0]).anchoredAt), T0 + 60, "later time");
        assertEq(uint256(log.anchorOf(keccak256("never")).anchoredAt), 0, "absent root");
    }

    function test_append_refusesAnyoneWithoutTheAppenderRole_theAdminIncluded() external {
        bytes32[] memory roots = _roots(1, 1);
        bytes32 role = log.APPENDER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role));
        vm.prank(stranger);
        log.append(0, roots);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        log.append(0, roots);
        // A revoked appender is refused from then on.
        vm.prank(admin);
        log.revokeRole(role, settler);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, settler, role));
        vm.prank(settler);
        log.append(0, roots);
    }

    function test_append_refusesARootAnchoredBefore_soNoRootIsEverReplacedOrRepeated() external {
        bytes32[] memory roots = _roots(2, 1);
        _append(0, roots);
        bytes32[] memory again = new bytes32[](1);
        again[0] = roots[1];
        vm.expectRevert(abi.encodeWithSelector(IProofLog.ProofLogRootAlreadyAnchored.selector, roots[1], uint64(1)));
        vm.prank(settler);
        log.append(2, again);
        // The same root twice in one call.
        bytes32[] memory twice = _roots(1, 7);
        bytes32[] memory pair = new bytes32[](2);
        pair[0] = twice[0];
        pair[1] = twice[0];
        vm.expectRevert(abi.encodeWithSelector(IProofLog.ProofLogRootAlreadyAnchored.selector, twice[0], uint64(2)));
        vm.prank(settler);
        log.append(2, pair);
        assertEq(uint256(log.nextSequence()), 2, "unchanged");
        assertEq(uint256(log.anchorOf(roots[1]).sequence), 1, "the first anchor stays");
        assertEq(uint256(log.anchorOf(twice[0]).anchoredAt), 0, "nothing of the refused call");
    }

    function test_append_refusesASequenceOtherThanTheNext_soARetryOrARaceAppendsNothing() external {
        bytes32[] memory roots = _roots(2, 1);
        _append(0, roots);
        bytes32[] memory next = _roots(1, 2);
        // A retry of an append already mined (sequence 0), a gap (3), and going back (1).
        uint64[3] memory wrong = [uint64(0), 3, 1];
        for (uint256 i = 0; i < 3; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IProofLog.ProofLogSequenceMismatch.selector, uint64(2), wrong[i]));
            vm.prank(settler);
            log.append(wrong[i], next);
        }
        _append(2, next);
        assertEq(uint256(log.nextSequence()), 3, "appended once");
    }

    function test_append_refusesAnEmptyListAndAZeroRoot() external {
        vm.expectRevert(IProofLog.ProofLogNoRoots.selector);
        vm.prank(settler);
        log.append(0, new bytes32[](0));
        bytes32[] memory roots = _roots(3, 1);
        roots[1] = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(IProofLog.ProofLogZeroRoot.selector, uint256(1)));
        vm.prank(settler);
        log.append(0, roots);
        assertEq(uint256(log.nextSequence()), 0, "nothing appended");
        assertEq(uint256(log.anchorOf(roots[0]).anchoredAt), 0, "first root rolled back");
    }

    function testFuzz_append_sequencesGrowByTheRootsAppended(uint8 a, uint8 b) external {
        uint256 n1 = bound(a, 1, 20);
        uint256 n2 = bound(b, 1, 20);
        _append(0, _roots(n1, 1));
        _append(uint64(n1), _roots(n2, 2));
        assertEq(uint256(log.nextSequence()), n1 + n2, "count");
        assertEq(uint256(log.anchorOf(_roots(n2, 2)[n2 - 1]).sequence), n1 + n2 - 1, "last");
    }
}
