// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GatewayDepositsFixture} from "./GatewayDepositsFixture.sol";
import {IGatewayDeposits} from "../../contracts/interfaces/IGatewayDeposits.sol";
import {NoReturnToken} from "../../contracts/mocks/tokens/NoReturnToken.sol";
import {FalseReturnToken} from "../../contracts/mocks/tokens/FalseReturnToken.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {ReentrantToken} from "../../contracts/mocks/tokens/ReentrantToken.sol";
import {ReentrantEthReceiver} from "../../contracts/mocks/ReentrantEthReceiver.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Hostile assets never make GatewayDeposits credit money that did not arrive, pay
/// holders other than what payers were charged, or pay anyone twice.
contract GatewayDepositsHostileTokensTest is GatewayDepositsFixture {
    function setUp() external {
        _deployDeposits();
    }

    // ---------------------------------------------------------------- fee on transfer

    function test_depositToken_whenFeeOnTransfer_creditsWhatArrived() external {
        FeeOnTransferToken t = new FeeOnTransferToken(1_000);
        t.mint(PAYER, 10_000);
        vm.startPrank(PAYER);
        t.approve(address(deposits), 10_000);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Deposited(PAYER, address(t), 9_000, PAYER);
        uint256 credited = deposits.depositToken(t, 10_000, PAYER);
        vm.stopPrank();
        assertEq(credited, 9_000, "returned net");
        assertEq(deposits.balanceOf(PAYER, address(t)), 9_000, "credited net");
        assertEq(t.balanceOf(address(deposits)), 9_000, "held = credited");
    }

    function test_depositToken_RevertWhen_FeeTakesEverything() external {
        FeeOnTransferToken t = new FeeOnTransferToken(10_000);
        t.mint(PAYER, 10_000);
        vm.startPrank(PAYER);
        t.approve(address(deposits), 10_000);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAmount.selector, PAYER, address(t)));
        deposits.depositToken(t, 10_000, PAYER);
        vm.stopPrank();
    }

    function test_settle_RevertWhen_SplitterCreditsLessThanCharged() external {
        FeeOnTransferToken t = new FeeOnTransferToken(1_000);
        splitter.setAssetAllowed(address(t), true, 1);
        _depositToken(t, t.mint, PAYER, 10_000);
        bytes32 batchId = keccak256("fee batch");
        vm.prank(SETTLER);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.SettlementCreditMismatch.selector, batchId, idA, address(t), 1_000, 900)
        );
        deposits.settle(batchId, address(t), _debit(PAYER, 1_000), _credit(idA, 1_000));
        assertEq(deposits.balanceOf(PAYER, address(t)), 9_000, "payer not charged");
        assertTrue(!deposits.settled(batchId), "batch id still free");
    }

    function test_withdraw_whenFeeOnTransfer_releasesTheWholeBalance() external {
        FeeOnTransferToken t = new FeeOnTransferToken(1_000);
        _depositToken(t, t.mint, PAYER, 10_000);
        vm.prank(PAYER);
        deposits.requestWithdrawal(address(t), 9_000);
        vm.warp(block.timestamp + DELAY);
        vm.prank(PAYER);
        assertEq(deposits.withdraw(address(t)), 9_000, "sent");
        assertEq(t.balanceOf(PAYER), 8_100, "received net of the token's fee");
        assertEq(t.balanceOf(address(deposits)), 0, "nothing stranded");
        assertEq(deposits.balanceOf(PAYER, address(t)), 0, "balance cleared");
    }

    // ---------------------------------------------------------------- false instead of revert

    function test_depositToken_RevertWhen_TokenReturnsFalse() external {
        FalseReturnToken t = new FalseReturnToken();
        t.mint(PAYER, 1_000);
        t.setFailing(true);
        vm.startPrank(PAYER);
        t.approve(address(deposits), 1_000);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        deposits.depositToken(t, 1_000, PAYER);
        vm.stopPrank();
        assertEq(deposits.balanceOf(PAYER, address(t)), 0, "nothing credited");
    }

    function test_withdraw_RevertWhen_TokenReturnsFalse_thenSucceedsLater() external {
        FalseReturnToken t = new FalseReturnToken();
        _depositToken(t, t.mint, PAYER, 1_000);
        vm.prank(PAYER);
        deposits.requestWithdrawal(address(t), 1_000);
        vm.warp(block.timestamp + DELAY);
        t.setFailing(true);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        deposits.withdraw(address(t));
        assertEq(deposits.balanceOf(PAYER, address(t)), 1_000, "balance kept");
        t.setFailing(false);
        vm.prank(PAYER);
        deposits.withdraw(address(t));
        assertEq(t.balanceOf(PAYER), 1_000, "withdrawn once");
    }

    // ---------------------------------------------------------------- no return value (USDT)

    function test_noReturnToken_depositsSettlesAndWithdraws() external {
        NoReturnToken t = new NoReturnToken();
        splitter.setAssetAllowed(address(t), true, 1);
        t.mint(PAYER, 1_000);
        vm.startPrank(PAYER);
        t.approve(address(deposits), 1_000);
        deposits.depositToken(IERC20(address(t)), 1_000, PAYER);
        vm.stopPrank();
        _settle(keccak256("usdt"), address(t), _debit(PAYER, 600), _credit(idA, 600));
        assertEq(t.balanceOf(address(splitter)), 600, "paid");
        assertEq(t.allowance(address(deposits), address(splitter)), 0, "no allowance left");
        vm.prank(PAYER);
        deposits.requestWithdrawal(address(t), 400);
        vm.warp(block.timestamp + DELAY);
        vm.prank(PAYER);
        deposits.withdraw(address(t));
        assertEq(t.balanceOf(PAYER), 400, "withdrawn");
        assertEq(t.balanceOf(address(deposits)), 0, "empty");
    }

    // ---------------------------------------------------------------- re-entrancy

    function test_depositToken_RevertWhen_TokenReentersDeposit() external {
        ReentrantToken t = new ReentrantToken();
        t.mint(PAYER, 2_000);
        vm.prank(PAYER);
        t.approve(address(deposits), 2_000);
        // Without the guard the inner deposit's tokens would also count for the outer one.
        t.arm(address(deposits), abi.encodeCall(IGatewayDeposits.depositToken, (IERC20(address(t)), 1_000, PAYER)), true);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        deposits.depositToken(t, 1_000, PAYER);
        assertEq(deposits.balanceOf(PAYER, address(t)), 0, "nothing credited");
    }

    function test_settle_whenTokenReentersDuringPayment_refusesTheReentry_andSettlesExactly() external {
        ReentrantToken t = new ReentrantToken();
        splitter.setAssetAllowed(address(t), true, 1);
        _depositToken(t, t.mint, PAYER, 1_000);
        t.arm(address(deposits), abi.encodeCall(IGatewayDeposits.depositToken, (IERC20(address(t)), 1, PAYER)), false);
        _settle(keccak256("reenter"), address(t), _debit(PAYER, 700), _credit(idA, 700));
        assertTrue(!t.armed(), "callback fired");
        assertTrue(!t.lastCallOk(), "re-entry accepted");
        assertEq(
            keccak256(t.lastReturnData()),
            keccak256(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)),
            "refused by the guard"
        );
        assertEq(t.balanceOf(address(splitter)), 700, "paid");
        assertEq(t.balanceOf(address(deposits)), 300, "held");
        assertEq(deposits.balanceOf(PAYER, address(t)), 300, "debited");
    }

    function test_settle_RevertWhen_TokenReentryBubbles() external {
        ReentrantToken t = new ReentrantToken();
        splitter.setAssetAllowed(address(t), true, 1);
        _depositToken(t, t.mint, PAYER, 1_000);
        t.arm(address(deposits), abi.encodeCall(IGatewayDeposits.withdraw, (address(t))), true);
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        deposits.settle(keccak256("reenter"), address(t), _debit(PAYER, 700), _credit(idA, 700));
        assertEq(deposits.balanceOf(PAYER, address(t)), 1_000, "rolled back");
    }

    function test_withdraw_whenReceiverReenters_paysOnce() external {
        ReentrantEthReceiver r = new ReentrantEthReceiver();
        _depositEth(address(r), 1 ether);
        r.execute(address(deposits), abi.encodeCall(IGatewayDeposits.requestWithdrawal, (ETH, 1 ether)));
        vm.warp(block.timestamp + DELAY);
        r.arm(address(deposits), abi.encodeCall(IGatewayDeposits.withdraw, (ETH)));
        r.execute(address(deposits), abi.encodeCall(IGatewayDeposits.withdraw, (ETH)));
        assertTrue(!r.lastCallOk(), "re-entry accepted");
        assertEq(r.received(), 1 ether, "paid once");
        assertEq(deposits.balanceOf(address(r), ETH), 0, "balance cleared");
        assertEq(address(deposits).balance, 0, "nothing held");
    }
}
