// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {NoReturnToken} from "../../contracts/mocks/tokens/NoReturnToken.sol";
import {FalseReturnToken} from "../../contracts/mocks/tokens/FalseReturnToken.sol";
import {RevertingToken} from "../../contracts/mocks/tokens/RevertingToken.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {ReentrantToken} from "../../contracts/mocks/tokens/ReentrantToken.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Each hostile token can fail only its own payments and claims: it never credits money
/// that did not arrive, never takes other holders' or other assets' funds, never blocks share moves.
contract RevenueSplitterHostileTokensTest is IngotFixture {
    uint256 internal id;

    function setUp() external {
        _deploy();
        id = _mintThree(0, 0, address(0));
    }

    // ---------------------------------------------------------------- no return value (USDT)

    function test_pay_whenTokenReturnsNothing_creditsAndClaims() external {
        NoReturnToken t = new NoReturnToken();
        splitter.setAssetAllowed(address(t), true, 1);
        t.mint(PAYER, 1_000);
        vm.startPrank(PAYER);
        t.approve(address(splitter), 1_000);
        splitter.pay(id, address(t), 1_000);
        vm.stopPrank();
        vm.prank(BOB);
        splitter.claim(id, address(t), BOB);
        assertEq(t.balanceOf(BOB), 300, "bob");
        assertEq(t.balanceOf(address(splitter)), 700, "rest");
    }

    // ---------------------------------------------------------------- false instead of revert

    function test_pay_RevertWhen_TokenReturnsFalse() external {
        FalseReturnToken t = new FalseReturnToken();
        splitter.setAssetAllowed(address(t), true, 1);
        t.mint(PAYER, 1_000);
        t.setFailing(true);
        vm.startPrank(PAYER);
        t.approve(address(splitter), 1_000);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        splitter.pay(id, address(t), 1_000);
        vm.stopPrank();
        assertEq(splitter.claimable(id, address(t), ALICE), 0, "nothing credited");
    }

    function test_pay_RevertWhen_PayerLacksFalseReturnTokens() external {
        FalseReturnToken t = new FalseReturnToken();
        splitter.setAssetAllowed(address(t), true, 1);
        vm.startPrank(PAYER);
        t.approve(address(splitter), 1_000);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        splitter.pay(id, address(t), 1_000);
        vm.stopPrank();
    }

    function test_claim_RevertWhen_TokenReturnsFalse_thenSucceedsLater() external {
        FalseReturnToken t = new FalseReturnToken();
        splitter.setAssetAllowed(address(t), true, 1);
        _payToken(IERC20(address(t)), 1_000, t.mint);
        t.setFailing(true);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        splitter.claim(id, address(t), ALICE);
        assertEq(splitter.claimable(id, address(t), ALICE), 600, "still claimable");
        t.setFailing(false);
        vm.prank(ALICE);
        splitter.claim(id, address(t), ALICE);
        assertEq(t.balanceOf(ALICE), 600, "claimed once");
    }

    // ---------------------------------------------------------------- reverting (paused) token

    function test_claim_whenTokenReverts_blocksOnlyThatToken() external {
        RevertingToken t = new RevertingToken();
        splitter.setAssetAllowed(address(t), true, 1);
        _payToken(IERC20(address(t)), 1_000, t.mint);
        _payEth(id, 1 ether);
        t.setReverting(true);

        vm.prank(ALICE);
        vm.expectRevert(
            abi.encodeWithSelector(RevertingToken.RevertingTokenSwitchedOn.selector, address(splitter), ALICE, 600)
        );
        splitter.claim(id, address(t), ALICE);

        vm.prank(ALICE);
        splitter.claim(id, address(0), ALICE);
        assertEq(ALICE.balance, 0.6 ether, "eth claim unaffected");

        _move(BOB, CAROL, id, 300_000_000);
        _payEth(id, 1 ether);
        assertEq(splitter.claimable(id, address(0), CAROL), 0.1 ether + 0.4 ether, "shares still move");
        assertEq(splitter.claimable(id, address(t), BOB), 300, "bob keeps his blocked token revenue");

        t.setReverting(false);
        vm.prank(BOB);
        splitter.claim(id, address(t), BOB);
        assertEq(t.balanceOf(BOB), 300, "claimable once unblocked");
    }

    // ---------------------------------------------------------------- fee on transfer

    function test_pay_whenFeeOnTransfer_creditsNetAmount() external {
        FeeOnTransferToken t = new FeeOnTransferToken(1_000);
        splitter.setAssetAllowed(address(t), true, 1);
        t.mint(PAYER, 10_000);
        vm.startPrank(PAYER);
        t.approve(address(splitter), 10_000);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Paid(id, address(t), PAYER, 9_000, 0);
        uint256 credited = splitter.pay(id, address(t), 10_000);
        vm.stopPrank();
        assertEq(credited, 9_000, "credited");
        assertEq(splitter.claimable(id, address(t), ALICE), 5_400, "alice 60% of net");
    }

    function test_pay_RevertWhen_FeeTakesWholePayment() external {
        FeeOnTransferToken t = new FeeOnTransferToken(10_000);
        splitter.setAssetAllowed(address(t), true, 1);
        t.mint(PAYER, 10);
        vm.startPrank(PAYER);
        t.approve(address(splitter), 10);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroPayment.selector, id, address(t)));
        splitter.pay(id, address(t), 10);
        vm.stopPrank();
    }

    function test_claim_whenFeeOnTransferAcrossIngots_everyClaimIsCovered() external {
        FeeOnTransferToken t = new FeeOnTransferToken(300);
        splitter.setAssetAllowed(address(t), true, 1);
        uint256 other = _mintThree(0, 0, address(0));
        _payToken(IERC20(address(t)), 10_000, t.mint);
        t.mint(PAYER, 7_777);
        vm.startPrank(PAYER);
        t.approve(address(splitter), 7_777);
        splitter.pay(other, address(t), 7_777);
        vm.stopPrank();

        address[3] memory holders = [ALICE, BOB, CAROL];
        for (uint256 i; i < 3; ++i) {
            vm.startPrank(holders[i]);
            splitter.claim(id, address(t), holders[i]);
            splitter.claim(other, address(t), holders[i]);
            vm.stopPrank();
        }
        // 9,700 + 7,544 credited; all of it left again (dust below one wei per holder aside).
        assertLe(t.balanceOf(address(splitter)), 6, "left in splitter");
    }

    // ---------------------------------------------------------------- re-entrant callbacks

    function test_pay_RevertWhen_TokenReentersPay() external {
        ReentrantToken t = _reentrant();
        t.mint(PAYER, 2_000);
        vm.prank(PAYER);
        t.approve(address(splitter), 2_000);
        t.arm(address(splitter), abi.encodeCall(IRevenueSplitter.pay, (id, address(t), 1_000)), true);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSignature("ReentrancyGuardReentrantCall()"));
        splitter.pay(id, address(t), 1_000);
    }

    function test_pay_whenTokenReentersClaimAndSwallowsFailure_creditsOnce() external {
        ReentrantToken t = _reentrant();
        t.mint(PAYER, 1_000);
        vm.prank(PAYER);
        t.approve(address(splitter), 1_000);
        t.arm(address(splitter), abi.encodeCall(IRevenueSplitter.claim, (id, address(t), address(t))), false);
        vm.prank(PAYER);
        splitter.pay(id, address(t), 1_000);
        assertTrue(!t.lastCallOk(), "re-entry succeeded");
        assertEq(
            keccak256(t.lastReturnData()),
            keccak256(abi.encodeWithSignature("ReentrancyGuardReentrantCall()")),
            "re-entry error"
        );
        assertEq(t.balanceOf(address(splitter)), 1_000, "held");
        assertEq(splitter.claimable(id, address(t), ALICE), 600, "credited once");
    }

    function test_claim_RevertWhen_TokenReentersClaim() external {
        ReentrantToken t = _reentrant();
        _payToken(IERC20(address(t)), 1_000, t.mint);
        t.arm(address(splitter), abi.encodeCall(IRevenueSplitter.claim, (id, address(t), address(t))), true);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSignature("ReentrancyGuardReentrantCall()"));
        splitter.claim(id, address(t), ALICE);
        assertEq(splitter.claimable(id, address(t), ALICE), 600, "nothing lost");
    }

    function test_claim_RevertWhen_TokenReentersPay() external {
        ReentrantToken t = _reentrant();
        _payToken(IERC20(address(t)), 1_000, t.mint);
        t.arm(address(splitter), abi.encodeCall(IRevenueSplitter.pay, (id, address(t), 1)), true);
        vm.prank(BOB);
        vm.expectRevert(abi.encodeWithSignature("ReentrancyGuardReentrantCall()"));
        splitter.claim(id, address(t), BOB);
    }

    // ---------------------------------------------------------------- helpers

    function _reentrant() internal returns (ReentrantToken t) {
        t = new ReentrantToken();
        splitter.setAssetAllowed(address(t), true, 1);
    }

    function _payToken(IERC20 t, uint256 amount, function(address, uint256) external mintFn) internal {
        mintFn(PAYER, amount);
        vm.startPrank(PAYER);
        t.approve(address(splitter), amount);
        splitter.pay(id, address(t), amount);
        vm.stopPrank();
    }
}
