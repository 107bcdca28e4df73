// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GatewayDepositsFixture} from "./GatewayDepositsFixture.sol";
import {GatewayDeposits} from "../../contracts/GatewayDeposits.sol";
import {IGatewayDeposits} from "../../contracts/interfaces/IGatewayDeposits.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Unit tests of GatewayDeposits with ETH and a well-behaved ERC-20: deposits, batched
/// settlement into the real RevenueSplitter, and withdrawal with notice. Hostile tokens and the
/// conservation invariants have their own files.
contract GatewayDepositsTest is GatewayDepositsFixture {
    MockERC20 internal usdc;

    function setUp() external {
        _deployDeposits();
        usdc = new MockERC20("USD Coin", "USDC", 6);
        splitter.setAssetAllowed(address(usdc), true, USDC_MIN_FIRST);
    }

    /// @dev The splitter's minimum first payment in USDC (10 USDC): settlements are exempt.
    uint256 internal constant USDC_MIN_FIRST = 10e6;

    // ---------------------------------------------------------------- construction

    function test_constructor_setsSplitterDelayAndAdmin() external view {
        assertEq(address(deposits.splitter()), address(splitter), "splitter");
        assertEq(deposits.withdrawalDelay(), DELAY, "delay");
        assertTrue(deposits.hasRole(deposits.DEFAULT_ADMIN_ROLE(), address(this)), "admin");
        assertTrue(!deposits.hasRole(deposits.SETTLER_ROLE(), address(this)), "admin is not a settler");
        assertEq(deposits.SETTLER_ROLE(), keccak256("SETTLER_ROLE"), "role id");
    }

    function test_constructor_RevertWhen_SplitterIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAddress.selector));
        new GatewayDeposits(IRevenueSplitter(address(0)), address(this), DELAY);
    }

    function test_constructor_RevertWhen_AdminIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAddress.selector));
        new GatewayDeposits(IRevenueSplitter(address(splitter)), address(0), DELAY);
    }

    // ---------------------------------------------------------------- the splitter's minimum first payment (issue 23, F8)

    function test_settle_whenTheFirstCreditInAnAllowlistedTokenIsBelowTheSplittersMinimum_paysTheIngot() external {
        _depositToken(usdc, usdc.mint, PAYER, 1e6);
        _settle(keccak256("small first"), address(usdc), _debit(PAYER, 0.25e6), _credit(idA, 0.25e6));
        assertEq(splitter.assetsOf(idA).length, 1, "usdc listed by a trusted settlement");
        assertEq(splitter.claimable(idA, address(usdc), ALICE), 0.15e6, "alice's 60%");
    }

    function test_settle_RevertWhen_TheDepositsAreNotATrustedPayerAndTheFirstCreditIsBelowTheMinimum() external {
        splitter.revokeRole(splitter.TRUSTED_PAYER_ROLE(), address(deposits));
        _depositToken(usdc, usdc.mint, PAYER, 1e6);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRevenueSplitter.SplitterFirstPaymentTooSmall.selector, idA, address(usdc), 0.25e6, USDC_MIN_FIRST
            )
        );
        _settle(keccak256("small first"), address(usdc), _debit(PAYER, 0.25e6), _credit(idA, 0.25e6));
    }

    // ---------------------------------------------------------------- deposits

    function test_deposit_creditsThePayerNotTheSender_andEmits() external {
        vm.deal(SPONSOR, 1 ether);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Deposited(PAYER, ETH, 1 ether, SPONSOR);
        vm.prank(SPONSOR);
        deposits.deposit{value: 1 ether}(PAYER);
        assertEq(deposits.balanceOf(PAYER, ETH), 1 ether, "payer credited");
        assertEq(deposits.balanceOf(SPONSOR, ETH), 0, "sponsor not credited");
        assertEq(address(deposits).balance, 1 ether, "held");
    }

    function test_deposit_addsToAnEarlierDeposit() external {
        _depositEth(PAYER, 1 ether);
        _depositEth(PAYER, 0.5 ether);
        assertEq(deposits.balanceOf(PAYER, ETH), 1.5 ether, "balance");
    }

    function test_deposit_RevertWhen_NoEthSent() external {
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAmount.selector, PAYER, ETH));
        deposits.deposit(PAYER);
    }

    function test_deposit_RevertWhen_PayerIsZero() external {
        vm.deal(PAYER, 1 ether);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAddress.selector));
        deposits.deposit{value: 1 ether}(address(0));
    }

    function test_plainEthTransfer_isRefused() external {
        vm.deal(PAYER, 1 ether);
        vm.prank(PAYER);
        (bool ok,) = address(deposits).call{value: 1 ether}("");
        assertTrue(!ok, "plain ETH accepted without a payer to credit");
        assertEq(address(deposits).balance, 0, "nothing held");
    }

    function test_depositToken_pullsAndCredits_andEmits() external {
        usdc.mint(SPONSOR, 500);
        vm.startPrank(SPONSOR);
        usdc.approve(address(deposits), 500);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Deposited(PAYER, address(usdc), 500, SPONSOR);
        uint256 credited = deposits.depositToken(usdc, 500, PAYER);
        vm.stopPrank();
        assertEq(credited, 500, "returned");
        assertEq(deposits.balanceOf(PAYER, address(usdc)), 500, "credited");
        assertEq(usdc.balanceOf(address(deposits)), 500, "held");
        assertEq(usdc.balanceOf(SPONSOR), 0, "pulled");
    }

    function test_depositToken_RevertWhen_AmountIsZero() external {
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAmount.selector, PAYER, address(usdc)));
        deposits.depositToken(usdc, 0, PAYER);
    }

    function test_depositToken_RevertWhen_AssetIsTheEthAddress() external {
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAddress.selector));
        deposits.depositToken(IERC20(address(0)), 1, PAYER);
    }

    function test_depositToken_RevertWhen_PayerIsZero() external {
        usdc.mint(PAYER, 1);
        vm.startPrank(PAYER);
        usdc.approve(address(deposits), 1);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.DepositZeroAddress.selector));
        deposits.depositToken(usdc, 1, address(0));
        vm.stopPrank();
    }

    function test_depositToken_RevertWhen_NotApproved() external {
        usdc.mint(PAYER, 1);
        vm.prank(PAYER);
        vm.expectRevert();
        deposits.depositToken(usdc, 1, PAYER);
        assertEq(deposits.balanceOf(PAYER, address(usdc)), 0, "nothing credited");
    }

    // ---------------------------------------------------------------- settlement

    function test_settle_eth_debitsPayersAndPaysEachIngotsHolders() external {
        _depositEth(PAYER, 1 ether);
        _depositEth(PAYER2, 1 ether);
        bytes32 batchId = keccak256("batch 1");

        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Charged(batchId, PAYER, ETH, 0.3 ether);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Charged(batchId, PAYER2, ETH, 0.2 ether);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Settled(batchId, ETH, 0.5 ether, 2, 2);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Paid(idA, ETH, address(deposits), 0.4 ether, 0);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Paid(idB, ETH, address(deposits), 0.1 ether, 0);
        _settle(batchId, ETH, _debits(PAYER, 0.3 ether, PAYER2, 0.2 ether), _credits(idA, 0.4 ether, idB, 0.1 ether));

        assertTrue(deposits.settled(batchId), "settled");
        assertEq(deposits.balanceOf(PAYER, ETH), 0.7 ether, "payer debited");
        assertEq(deposits.balanceOf(PAYER2, ETH), 0.8 ether, "payer2 debited");
        assertEq(address(deposits).balance, 1.5 ether, "held");
        assertEq(address(splitter).balance, 0.5 ether, "splitter received");
        assertEq(splitter.claimable(idA, ETH, ALICE), 0.24 ether, "alice on A");
        assertEq(splitter.claimable(idA, ETH, BOB), 0.12 ether, "bob on A");
        assertEq(splitter.claimable(idB, ETH, CAROL), 0.01 ether, "carol on B");
    }

    function test_settle_token_paysIntoSplitter_andLeavesNoAllowance() external {
        _depositToken(usdc, usdc.mint, PAYER, 1_000);
        bytes32 batchId = keccak256("usdc");
        _settle(batchId, address(usdc), _debit(PAYER, 700), _credits(idA, 500, idB, 200));
        assertEq(usdc.balanceOf(address(splitter)), 700, "splitter received");
        assertEq(usdc.balanceOf(address(deposits)), 300, "rest held");
        assertEq(deposits.balanceOf(PAYER, address(usdc)), 300, "payer debited");
        assertEq(usdc.allowance(address(deposits), address(splitter)), 0, "no allowance left");
        assertEq(splitter.claimable(idA, address(usdc), ALICE), 300, "alice");
        assertEq(splitter.claimable(idB, address(usdc), BOB), 60, "bob");
    }

    function test_settle_whenPayerAppearsTwice_debitsCumulatively() external {
        _depositEth(PAYER, 1 ether);
        _settle(keccak256("twice"), ETH, _debits(PAYER, 0.6 ether, PAYER, 0.4 ether), _credit(idA, 1 ether));
        assertEq(deposits.balanceOf(PAYER, ETH), 0, "all used");
    }

    function test_settle_RevertWhen_RepeatedPayerExceedsBalance() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(SETTLER);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.InsufficientDeposit.selector, PAYER, ETH, 0.4 ether, 0.5 ether)
        );
        deposits.settle(keccak256("twice"), ETH, _debits(PAYER, 0.6 ether, PAYER, 0.5 ether), _credit(idA, 1.1 ether));
    }

    function test_settle_RevertWhen_CallerIsNotSettler() external {
        _depositEth(PAYER, 1 ether);
        bytes32 role = deposits.SETTLER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), role));
        deposits.settle(keccak256("b"), ETH, _debit(PAYER, 1), _credit(idA, 1));
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, PAYER, role));
        deposits.settle(keccak256("b"), ETH, _debit(PAYER, 1), _credit(idA, 1));
    }

    function test_settle_RevertWhen_BatchAlreadySettled() external {
        _depositEth(PAYER, 1 ether);
        bytes32 batchId = keccak256("once");
        _settle(batchId, ETH, _debit(PAYER, 0.1 ether), _credit(idA, 0.1 ether));
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.BatchAlreadySettled.selector, batchId));
        deposits.settle(batchId, ETH, _debit(PAYER, 0.1 ether), _credit(idA, 0.1 ether));
        assertEq(deposits.balanceOf(PAYER, ETH), 0.9 ether, "debited once");
        assertEq(address(splitter).balance, 0.1 ether, "paid once");
    }

    function test_settle_RevertWhen_DebitsAndCreditsDiffer() external {
        _depositEth(PAYER, 1 ether);
        vm.startPrank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.SettlementUnbalanced.selector, 0.5 ether, 0.6 ether));
        deposits.settle(keccak256("b"), ETH, _debit(PAYER, 0.5 ether), _credit(idA, 0.6 ether));
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.SettlementUnbalanced.selector, 0.5 ether, 0.4 ether));
        deposits.settle(keccak256("b"), ETH, _debit(PAYER, 0.5 ether), _credit(idA, 0.4 ether));
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.SettlementUnbalanced.selector, 0, 0.4 ether));
        deposits.settle(keccak256("b"), ETH, new IGatewayDeposits.Debit[](0), _credit(idA, 0.4 ether));
        vm.stopPrank();
    }

    function test_settle_RevertWhen_DebitExceedsDeposit() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(SETTLER);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.InsufficientDeposit.selector, PAYER2, ETH, 0, 0.1 ether)
        );
        deposits.settle(keccak256("b"), ETH, _debits(PAYER, 0.1 ether, PAYER2, 0.1 ether), _credit(idA, 0.2 ether));
        assertEq(deposits.balanceOf(PAYER, ETH), 1 ether, "first debit rolled back");
        assertTrue(!deposits.settled(keccak256("b")), "not settled");
    }

    function test_settle_RevertWhen_DepositIsInAnotherAsset() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(SETTLER);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.InsufficientDeposit.selector, PAYER, address(usdc), 0, 100)
        );
        deposits.settle(keccak256("b"), address(usdc), _debit(PAYER, 100), _credit(idA, 100));
    }

    function test_settle_RevertWhen_NoCredits() external {
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.SettlementEmpty.selector, keccak256("b")));
        deposits.settle(keccak256("b"), ETH, new IGatewayDeposits.Debit[](0), new IGatewayDeposits.Credit[](0));
    }

    function test_settle_RevertWhen_ACreditIsZero() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.SettlementZeroAmount.selector, keccak256("b"), true, 1));
        deposits.settle(keccak256("b"), ETH, _debit(PAYER, 1), _credits(idA, 1, idB, 0));
    }

    function test_settle_RevertWhen_ADebitIsZero() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.SettlementZeroAmount.selector, keccak256("b"), false, 0));
        deposits.settle(keccak256("b"), ETH, _debits(PAYER2, 0, PAYER, 1), _credit(idA, 1));
    }

    function test_settle_RevertWhen_SplitterRefusesTheAsset_andNothingMoves() external {
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        _depositToken(other, other.mint, PAYER, 1_000);
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterAssetNotAccepted.selector, idA, address(other)));
        deposits.settle(keccak256("b"), address(other), _debit(PAYER, 1_000), _credit(idA, 1_000));
        assertEq(deposits.balanceOf(PAYER, address(other)), 1_000, "balance kept");
        assertEq(other.balanceOf(address(deposits)), 1_000, "tokens kept");
        assertTrue(!deposits.settled(keccak256("b")), "batch id still free");
    }

    function test_settle_RevertWhen_IngotUnknown() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(SETTLER);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnknownIngot.selector, 99));
        deposits.settle(keccak256("b"), ETH, _debit(PAYER, 1 ether), _credits(idA, 0.5 ether, 99, 0.5 ether));
        assertEq(address(splitter).balance, 0, "the first payment rolled back too");
    }

    function test_settle_duringWithdrawalNotice_stillDebits() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 1 ether);
        _settle(keccak256("served"), ETH, _debit(PAYER, 0.25 ether), _credit(idA, 0.25 ether));
        assertEq(deposits.balanceOf(PAYER, ETH), 0.75 ether, "debited");
        (uint256 amount,) = deposits.pendingWithdrawal(PAYER, ETH);
        assertEq(amount, 1 ether, "request unchanged");
    }

    // ---------------------------------------------------------------- withdrawal with notice

    function test_requestWithdrawal_recordsAmountAndReadyAt_andEmits() external {
        _depositEth(PAYER, 1 ether);
        vm.warp(1_000_000);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.WithdrawalRequested(PAYER, ETH, 0.4 ether, 1_000_000 + DELAY);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 0.4 ether);
        (uint256 amount, uint64 readyAt) = deposits.pendingWithdrawal(PAYER, ETH);
        assertEq(amount, 0.4 ether, "amount");
        assertEq(readyAt, 1_000_000 + DELAY, "readyAt");
        assertEq(deposits.balanceOf(PAYER, ETH), 1 ether, "balance untouched by the request");
    }

    function test_requestWithdrawal_RevertWhen_AboveBalance() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.InsufficientDeposit.selector, PAYER, ETH, 1 ether, 1 ether + 1)
        );
        deposits.requestWithdrawal(ETH, 1 ether + 1);
    }

    function test_requestWithdrawal_RevertWhen_Zero() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.WithdrawalZeroAmount.selector, PAYER, ETH));
        deposits.requestWithdrawal(ETH, 0);
    }

    function test_requestWithdrawal_again_replacesAmountAndRestartsNotice() external {
        _depositEth(PAYER, 1 ether);
        vm.warp(1_000_000);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 0.2 ether);
        vm.warp(1_000_000 + DELAY - 1);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 0.9 ether);
        (uint256 amount, uint64 readyAt) = deposits.pendingWithdrawal(PAYER, ETH);
        assertEq(amount, 0.9 ether, "replaced");
        assertEq(readyAt, 1_000_000 + 2 * DELAY - 1, "notice restarted");
        vm.warp(1_000_000 + DELAY);
        vm.prank(PAYER);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGatewayDeposits.WithdrawalNotReady.selector, PAYER, ETH, readyAt, 1_000_000 + DELAY
            )
        );
        deposits.withdraw(ETH);
    }

    function test_withdraw_RevertWhen_NotRequested() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.WithdrawalNotRequested.selector, PAYER, ETH));
        deposits.withdraw(ETH);
    }

    function test_withdraw_RevertWhen_NoticeNotOver_thenSucceedsAtReadyAt() external {
        _depositEth(PAYER, 1 ether);
        vm.warp(1_000_000);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 1 ether);
        uint64 readyAt = uint64(1_000_000 + DELAY);
        vm.warp(readyAt - 1);
        vm.prank(PAYER);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.WithdrawalNotReady.selector, PAYER, ETH, readyAt, readyAt - 1)
        );
        deposits.withdraw(ETH);
        vm.warp(readyAt);
        vm.prank(PAYER);
        assertEq(deposits.withdraw(ETH), 1 ether, "withdrawn at readyAt");
    }

    function test_withdraw_eth_sendsRequested_keepsRest_clearsRequest_andEmits() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 0.4 ether);
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Withdrawn(PAYER, ETH, 0.4 ether);
        vm.prank(PAYER);
        uint256 sent = deposits.withdraw(ETH);
        assertEq(sent, 0.4 ether, "returned");
        assertEq(PAYER.balance, 0.4 ether, "received");
        assertEq(deposits.balanceOf(PAYER, ETH), 0.6 ether, "rest kept");
        (uint256 amount, uint64 readyAt) = deposits.pendingWithdrawal(PAYER, ETH);
        assertEq(amount + readyAt, 0, "request cleared");
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.WithdrawalNotRequested.selector, PAYER, ETH));
        deposits.withdraw(ETH);
    }

    function test_withdraw_afterSettlement_sendsWhatIsLeft() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 1 ether);
        _settle(keccak256("served"), ETH, _debit(PAYER, 0.3 ether), _credit(idA, 0.3 ether));
        vm.warp(block.timestamp + DELAY);
        vm.prank(PAYER);
        assertEq(deposits.withdraw(ETH), 0.7 ether, "min(requested, balance)");
        assertEq(PAYER.balance, 0.7 ether, "received");
        assertEq(deposits.balanceOf(PAYER, ETH), 0, "empty");
        assertEq(address(deposits).balance, 0, "nothing held");
    }

    function test_withdraw_whenSettlementUsedEverything_sendsNothingAndClears() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 1 ether);
        _settle(keccak256("served"), ETH, _debit(PAYER, 1 ether), _credit(idA, 1 ether));
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.Withdrawn(PAYER, ETH, 0);
        vm.prank(PAYER);
        assertEq(deposits.withdraw(ETH), 0, "nothing to send");
        (uint256 amount,) = deposits.pendingWithdrawal(PAYER, ETH);
        assertEq(amount, 0, "request cleared");
    }

    function test_withdraw_token_sendsToPayer() external {
        _depositToken(usdc, usdc.mint, PAYER, 1_000);
        vm.prank(PAYER);
        deposits.requestWithdrawal(address(usdc), 600);
        vm.warp(block.timestamp + DELAY);
        vm.prank(PAYER);
        deposits.withdraw(address(usdc));
        assertEq(usdc.balanceOf(PAYER), 600, "received");
        assertEq(usdc.balanceOf(address(deposits)), 400, "rest held");
        assertEq(deposits.balanceOf(PAYER, address(usdc)), 400, "rest credited");
    }

    function test_withdraw_RevertWhen_PayerRefusesEth_andKeepsTheBalance() external {
        // This test contract has no receive function.
        vm.deal(address(this), 1 ether);
        deposits.deposit{value: 1 ether}(address(this));
        deposits.requestWithdrawal(ETH, 1 ether);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(IGatewayDeposits.WithdrawalEthTransferFailed.selector, address(this), 1 ether)
        );
        deposits.withdraw(ETH);
        assertEq(deposits.balanceOf(address(this), ETH), 1 ether, "balance kept");
        (uint256 amount,) = deposits.pendingWithdrawal(address(this), ETH);
        assertEq(amount, 1 ether, "request kept");
    }

    function test_cancelWithdrawal_clearsRequest_andEmits() external {
        _depositEth(PAYER, 1 ether);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, 0.5 ether);
        vm.expectEmit(true, true, true, true);
        emit IGatewayDeposits.WithdrawalCancelled(PAYER, ETH, 0.5 ether);
        vm.prank(PAYER);
        deposits.cancelWithdrawal(ETH);
        (uint256 amount, uint64 readyAt) = deposits.pendingWithdrawal(PAYER, ETH);
        assertEq(amount + readyAt, 0, "cleared");
        vm.warp(block.timestamp + DELAY);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.WithdrawalNotRequested.selector, PAYER, ETH));
        deposits.withdraw(ETH);
        assertEq(deposits.balanceOf(PAYER, ETH), 1 ether, "balance kept");
    }

    function test_cancelWithdrawal_RevertWhen_NotRequested() external {
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.WithdrawalNotRequested.selector, PAYER, ETH));
        deposits.cancelWithdrawal(ETH);
    }

    function test_requestWithdrawal_perAsset_isIndependent() external {
        _depositEth(PAYER, 1 ether);
        _depositToken(usdc, usdc.mint, PAYER, 1_000);
        vm.startPrank(PAYER);
        deposits.requestWithdrawal(address(usdc), 1_000);
        vm.expectRevert(abi.encodeWithSelector(IGatewayDeposits.WithdrawalNotRequested.selector, PAYER, ETH));
        deposits.cancelWithdrawal(ETH);
        vm.stopPrank();
        (uint256 eth,) = deposits.pendingWithdrawal(PAYER, ETH);
        (uint256 tok,) = deposits.pendingWithdrawal(PAYER, address(usdc));
        assertEq(eth, 0, "eth untouched");
        assertEq(tok, 1_000, "token pending");
    }

    // ---------------------------------------------------------------- fuzz against a plain reference

    /// @notice Two payers, two Ingots, any amounts: each payer loses exactly its debit, each
    /// Ingot's holders gain exactly its credit (pro rata, floored), nothing else moves.
    function testFuzz_settle_movesExactlyTheBatch(uint256 dep1, uint256 dep2, uint256 d1, uint256 d2, uint256 splitSeed)
        external
    {
        dep1 = bound(dep1, 1, 1e30);
        dep2 = bound(dep2, 1, 1e30);
        d1 = bound(d1, 1, dep1);
        d2 = bound(d2, 1, dep2);
        uint256 total = d1 + d2;
        uint256 toA = bound(splitSeed, 1, total - 1);
        _depositEth(PAYER, dep1);
        _depositEth(PAYER2, dep2);
        _settle(keccak256("fuzz"), ETH, _debits(PAYER, d1, PAYER2, d2), _credits(idA, toA, idB, total - toA));
        assertEq(deposits.balanceOf(PAYER, ETH), dep1 - d1, "payer");
        assertEq(deposits.balanceOf(PAYER2, ETH), dep2 - d2, "payer2");
        assertEq(address(deposits).balance, dep1 + dep2 - total, "held");
        assertEq(address(splitter).balance, total, "paid");
        uint256 onA = splitter.claimable(idA, ETH, ALICE) + splitter.claimable(idA, ETH, BOB)
            + splitter.claimable(idA, ETH, CAROL);
        uint256 onB = splitter.claimable(idB, ETH, ALICE) + splitter.claimable(idB, ETH, BOB)
            + splitter.claimable(idB, ETH, CAROL);
        assertLe(onA, toA, "A above credit");
        assertLe(toA - onA, 3, "A dust above one wei per holder");
        assertLe(onB, total - toA, "B above credit");
        assertLe(total - toA - onB, 3, "B dust above one wei per holder");
    }

    /// @notice Whatever was requested and settled meanwhile, a withdrawal sends min(requested, balance).
    function testFuzz_withdraw_sendsMinOfRequestedAndRemaining(uint256 dep, uint256 req, uint256 served) external {
        dep = bound(dep, 1, 1e30);
        req = bound(req, 1, dep);
        served = bound(served, 0, dep);
        _depositEth(PAYER, dep);
        vm.prank(PAYER);
        deposits.requestWithdrawal(ETH, req);
        if (served != 0) _settle(keccak256("served"), ETH, _debit(PAYER, served), _credit(idA, served));
        vm.warp(block.timestamp + DELAY);
        uint256 left = dep - served;
        uint256 expected = req < left ? req : left;
        vm.prank(PAYER);
        assertEq(deposits.withdraw(ETH), expected, "sent");
        assertEq(PAYER.balance, expected, "received");
        assertEq(deposits.balanceOf(PAYER, ETH), left - expected, "left");
        assertEq(address(deposits).balance, left - expected, "held");
    }
}
