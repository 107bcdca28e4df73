// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {IIngot} from "../../contracts/interfaces/IIngot.sol";
import {MockForge} from "../../contracts/mocks/MockForge.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";

/// @notice The escrow of a claim-by-proof Ingot, at the Ingot and splitter level (a mock Forge
/// releases shares without proofs): registration, what released shares carry, what the escrow can't do.
contract RevenueSplitterEscrowTest is IngotFixture {
    uint256 internal constant ACC = 1e18;
    MockForge internal forge;
    MockERC20 internal usdc;

    function setUp() external {
        _deploy();
        usdc = new MockERC20("USD Coin", "USDC", 6);
        splitter.setAssetAllowed(address(usdc), true, 1);
        forge = new MockForge();
        registry.setForge(address(forge), true);
    }

    function _mintEscrowed(uint256 parentId, uint16 royaltyBps) internal returns (uint256) {
        uint256 lineage = (SUPPLY * royaltyBps) / 10_000;
        return forge.mintEscrowed(ingot, _info(parentId, royaltyBps, address(0)), SUPPLY - lineage, lineage);
    }

    function _payToken(uint256 id, uint256 amount) internal {
        usdc.mint(PAYER, amount);
        vm.startPrank(PAYER);
        usdc.approve(address(splitter), amount);
        splitter.pay(id, address(usdc), amount);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ minting into the escrow

    function test_mintEscrowed_whenForge_holdsSharesAndRegistersEscrow() external {
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.EscrowRegistered(1, address(forge));
        uint256 id = _mintEscrowed(0, 0);
        assertEq(id, 1, "id");
        assertEq(ingot.balanceOf(address(forge), id), SUPPLY, "escrow holds the supply");
        assertEq(splitter.escrowOf(id), address(forge), "escrowOf");
        assertEq(ingot.ingotOf(address(forge)), id, "ingotOf");
    }

    function test_mintEscrowed_RevertWhen_SharesDoNotSumToSupply() external {
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadAllocation.selector, 1, 1, SUPPLY - 1, SUPPLY));
        forge.mintEscrowed(ingot, _info(0, 0, address(0)), SUPPLY - 1, 0);
    }

    function test_mintEscrowed_RevertWhen_AlreadyMinted() external {
        uint256 id = _mintEscrowed(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotAlreadyMinted.selector, address(forge), id));
        forge.mintEscrowed(ingot, _info(0, 0, address(0)), SUPPLY, 0);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotAlreadyMinted.selector, address(forge), id));
        forge.mint(ingot, _info(0, 0, address(0)), new address[](0), new uint256[](0), 0);
    }

    function test_mintEscrowed_RevertWhen_CallerNotForge() external {
        MockForge stranger = new MockForge();
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotOnlyForge.selector, address(stranger)));
        stranger.mintEscrowed(ingot, _info(0, 0, address(0)), SUPPLY, 0);
    }

    function test_mintEscrowed_whenFork_mintsLineageToSplitter() external {
        uint256 parent = _mintThree(0, 0, address(0));
        uint256 id = _mintEscrowed(parent, 1_000);
        assertEq(ingot.balanceOf(address(splitter), id), 100_000_000, "lineage pool");
        assertEq(ingot.balanceOf(address(forge), id), 900_000_000, "escrowed");
    }

    function test_registerEscrow_RevertWhen_CallerNotIngot() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterOnlyIngot.selector, address(this)));
        splitter.registerEscrow(id, address(this));
    }

    function test_registerEscrow_RevertWhen_IngotAlreadyPaid() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether);
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterEscrowTooLate.selector, id, ALICE));
        splitter.registerEscrow(id, ALICE);
    }

    function test_registerEscrow_RevertWhen_AlreadyHasEscrow() external {
        uint256 id = _mintEscrowed(0, 0);
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterEscrowTooLate.selector, id, ALICE));
        splitter.registerEscrow(id, ALICE);
    }

    function test_registerEscrow_RevertWhen_IngotUnknown() external {
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnknownIngot.selector, 9));
        splitter.registerEscrow(9, ALICE);
    }

    // ------------------------------------------------------------ releasing

    function test_release_whenRevenuePaidBefore_creditsWhatTheSharesEarnedSinceMint() external {
        uint256 id = _mintEscrowed(0, 0);
        _payEth(id, 1 ether);
        _payToken(id, 5_000_000);
        assertEq(splitter.claimable(id, address(0), address(forge)), 0, "escrow: no ETH");
        assertEq(splitter.claimable(id, address(usdc), address(forge)), 0, "escrow: no USDC");

        forge.release(ingot, ALICE, 250_000_000);
        assertEq(splitter.claimable(id, address(0), ALICE), 0.25 ether, "ETH since mint");
        assertEq(splitter.claimable(id, address(usdc), ALICE), 1_250_000, "USDC since mint");

        _payEth(id, 1 ether);
        forge.release(ingot, BOB, 750_000_000);
        assertEq(splitter.claimable(id, address(0), ALICE), 0.5 ether, "alice: both payments");
        assertEq(splitter.claimable(id, address(0), BOB), 1.5 ether, "bob: both payments on 75%");
        assertEq(ingot.balanceOf(address(forge), id), 0, "escrow empty");
    }

    function test_release_whenReceiverAlreadyHolds_settlesItsBalanceThenCredits() external {
        uint256 id = _mintEscrowed(0, 0);
        forge.release(ingot, ALICE, 100_000_000);
        _payEth(id, 1 ether); // alice 10%: 0.1
        forge.release(ingot, ALICE, 300_000_000); // + 30% since mint: 0.3
        _payEth(id, 1 ether); // alice 40%: 0.4
        assertEq(splitter.claimable(id, address(0), ALICE), 0.8 ether, "0.1 + 0.3 + 0.4");
    }

    function test_release_whenFork_creditsOnlyWhatTheChildKept() external {
        uint256 parent = _mintThree(0, 0, address(0));
        uint256 id = _mintEscrowed(parent, 2_000);
        _payEth(id, 1 ether); // 0.2 to the parent, 0.8 over 800M accruing shares
        forge.release(ingot, ALICE, 400_000_000);
        assertEq(splitter.claimable(id, address(0), ALICE), 0.4 ether, "half the accruing shares");
        assertEq(splitter.claimable(parent, address(0), ALICE), 0.12 ether, "parent: alice 60% of 0.2");
    }

    function test_claim_whenEscrowClaims_paysNothing() external {
        uint256 id = _mintEscrowed(0, 0);
        _payEth(id, 1 ether);
        vm.prank(address(forge));
        assertEq(splitter.claim(id, address(0), address(forge)), 0, "escrow claims nothing");
        forge.release(ingot, ALICE, SUPPLY);
        assertEq(splitter.claimable(id, address(0), ALICE), 1 ether, "everything reached the claimer");
    }

    function test_onSharesMoved_RevertWhen_SharesSentToEscrow() external {
        uint256 id = _mintEscrowed(0, 0);
        forge.release(ingot, ALICE, 10);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterSharesToEscrow.selector, id, ALICE));
        ingot.safeTransferFrom(ALICE, address(forge), id, 1, "");
    }

    function test_releaseEscrowed_RevertWhen_RecipientIsZero() external {
        _mintEscrowed(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotBadRecipient.selector, address(0)));
        forge.release(ingot, address(0), 1);
    }

    function test_releaseEscrowed_RevertWhen_RecipientIsSplitter() external {
        uint256 id = _mintEscrowed(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterSharesToSplitter.selector, id, address(forge)));
        forge.release(ingot, address(splitter), 1);
    }

    function test_releaseEscrowed_whenReceiverHasNoHook_stillReceives() external {
        uint256 id = _mintEscrowed(0, 0);
        forge.release(ingot, address(usdc), 5); // a contract without onERC1155Received
        assertEq(ingot.balanceOf(address(usdc), id), 5, "received");
    }

    /// @notice Released shares carry exactly what they earned, whatever the order of payments,
    /// releases and transfers: the reference is balance-at-payment times payment / supply.
    function testFuzz_release_carriesExactEarnings(uint96 pay1, uint96 pay2, uint32 toAlice, uint32 moved) external {
        uint256 id = _mintEscrowed(0, 0);
        uint256 a = bound(toAlice, 1, SUPPLY - 1);
        uint256 p1 = bound(pay1, 1, 1e27);
        uint256 p2 = bound(pay2, 1, 1e27);
        _payEth(id, p1);
        forge.release(ingot, ALICE, a);
        uint256 m = bound(moved, 0, a);
        _move(ALICE, BOB, id, m);
        _payEth(id, p2);
        forge.release(ingot, BOB, SUPPLY - a);
        // alice: a shares through p1, a - m through p2; bob: (SUPPLY - a) through both, m through p2.
        uint256 aliceRef = (a * p1 + (a - m) * p2) / SUPPLY;
        uint256 bobRef = ((SUPPLY - a) * (p1 + p2) + m * p2) / SUPPLY;
        uint256 alice = splitter.claimable(id, address(0), ALICE);
        uint256 bob = splitter.claimable(id, address(0), BOB);
        assertLe(alice, aliceRef, "alice above reference");
        assertGe(alice + 2, aliceRef, "alice below reference");
        assertLe(bob, bobRef, "bob above reference");
        assertGe(bob + 2, bobRef, "bob below reference");
        assertLe(alice + bob, p1 + p2, "more than paid");
        assertGe(alice + bob + 2, p1 + p2, "paid revenue lost");
    }
}
