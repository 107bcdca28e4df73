// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";

/// @notice Lineage royalties: forwarded up the chain as internal accounting, capped in depth, and
/// kept by the child whenever an ancestor cannot take them, so a child's payment never reverts
/// because of its parent.
contract RevenueSplitterLineageTest is IngotFixture {
    address internal constant ETH = address(0);

    function setUp() external {
        _deploy();
    }

    function test_pay_whenForked_forwardsRoyaltyToParent() external {
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        uint256 child = _mintOne(BOB, parent, 1_000, ETH);
        vm.deal(PAYER, 1 ether);
        vm.prank(PAYER);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.RoyaltyForwarded(child, parent, ETH, 0.1 ether);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Paid(child, ETH, PAYER, 1 ether, 0.1 ether);
        splitter.pay{value: 1 ether}(child, ETH, 1 ether);

        assertEq(splitter.claimable(child, ETH, BOB), 0.9 ether, "child holder");
        assertEq(splitter.claimable(parent, ETH, ALICE), 0.1 ether, "parent holder");
        assertEq(address(splitter).balance, 1 ether, "no token moved");
    }

    function test_pay_whenThreeLevels_forwardsEachAncestorsRoyalty() external {
        uint256 g = _mintOne(address(0x61), 0, 0, ETH);
        uint256 p = _mintOne(address(0x62), g, 1_000, ETH);
        uint256 c = _mintOne(address(0x63), p, 2_000, ETH);
        uint256 d = _mintOne(address(0x64), c, 500, ETH);
        _payEth(d, 1 ether);
        // d keeps 95%; c gets 5% and keeps 80% of it; p gets 1% and keeps 90%; g gets 0.1%.
        assertEq(splitter.claimable(d, ETH, address(0x64)), 0.95 ether, "d");
        assertEq(splitter.claimable(c, ETH, address(0x63)), 0.04 ether, "c");
        assertEq(splitter.claimable(p, ETH, address(0x62)), 0.009 ether, "p");
        assertEq(splitter.claimable(g, ETH, address(0x61)), 0.001 ether, "g");
    }

    function test_pay_whenPastDepthCap_lastAncestorKeepsRoyalty() external {
        // Ingots 1..10, each the parent of the next with a 10% royalty; pay the youngest.
        uint256 id = _mintOne(_holder(1), 0, 0, ETH);
        for (uint256 k = 2; k <= 10; ++k) {
            id = _mintOne(_holder(k), id, 1_000, ETH);
        }
        _payEth(10, 1 ether);
        uint256 amount = 1 ether;
        for (uint256 k = 10; k >= 3; --k) {
            assertEq(splitter.claimable(k, ETH, _holder(k)), (amount * 9) / 10, "keeps 90%");
            amount /= 10;
        }
        // Ingot 2 is the 8th ancestor: it keeps its whole share, nothing reaches ingot 1.
        _assertWithinOneWei(splitter.claimable(2, ETH, _holder(2)), amount, "8th ancestor keeps all");
        assertEq(splitter.claimable(1, ETH, _holder(1)), 0, "9th ancestor gets nothing");
        assertEq(splitter.assetsOf(1).length, 0, "9th ancestor never listed the asset");
    }

    function test_pay_whenParentDoesNotAcceptAsset_childKeepsRoyalty() external {
        MockERC20 junk = new MockERC20("Junk", "JUNK", 18);
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        uint256 child = _mintOne(BOB, parent, 1_000, address(junk));
        junk.mint(PAYER, 1_000);
        vm.startPrank(PAYER);
        junk.approve(address(splitter), 1_000);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.RoyaltyRetained(child, parent, address(junk), 100);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Paid(child, address(junk), PAYER, 1_000, 0);
        splitter.pay(child, address(junk), 1_000);
        vm.stopPrank();
        _assertWithinOneWei(splitter.claimable(child, address(junk), BOB), 1_000, "child kept all");
        assertEq(splitter.assetsOf(parent).length, 0, "parent slots untouched");
    }

    function test_pay_whenParentAssetSlotsFull_childKeepsRoyalty() external {
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        _payEth(parent, 1);
        for (uint256 i; i < 7; ++i) {
            _payNewToken(parent, 1);
        }
        MockERC20 ninth = new MockERC20("Ninth", "NINE", 18);
        splitter.setAssetAllowed(address(ninth), true, 1);
        uint256 child = _mintOne(BOB, parent, 1_000, ETH);
        ninth.mint(PAYER, 1_000);
        vm.startPrank(PAYER);
        ninth.approve(address(splitter), 1_000);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.RoyaltyRetained(child, parent, address(ninth), 100);
        splitter.pay(child, address(ninth), 1_000);
        vm.stopPrank();
        _assertWithinOneWei(splitter.claimable(child, address(ninth), BOB), 1_000, "child kept all");
        assertEq(splitter.assetsOf(parent).length, 8, "parent still at cap");
    }

    function test_pay_whenParentAccumulatorNearCap_childKeepsRoyalty() external {
        MockERC20 t = new MockERC20("Big", "BIG", 18);
        uint256 parent = _mintOne(ALICE, 0, 0, address(t));
        uint256 child = _mintOne(BOB, parent, 1_000, address(t));
        uint256 parentMax = (uint256(type(uint216).max) * SUPPLY) / 1e18;
        _payToken(t, parent, parentMax - 1e40);
        _payToken(t, child, 1e45); // royalty 1e44 no longer fits the parent
        _assertWithinOneWei(splitter.claimable(child, address(t), BOB), 1e45, "child kept all");
    }

    function test_pay_whenRoyaltyRoundsToZero_forwardsNothing() external {
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        uint256 child = _mintOne(BOB, parent, 1, ETH); // 0.01%
        _payEth(child, 9_999);
        assertEq(splitter.claimable(child, ETH, BOB), 9_999, "child keeps the sub-wei royalty");
        assertEq(splitter.assetsOf(parent).length, 0, "parent untouched");
    }

    function test_claimable_whenSplitterHoldsLineageShares_neverAccrues() external {
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        uint256 child = _mintThree(parent, 2_500, ETH);
        _payEth(child, 1 ether);
        assertEq(ingot.balanceOf(address(splitter), child), 250_000_000, "lineage shares");
        assertEq(splitter.claimable(child, ETH, address(splitter)), 0, "splitter accrues nothing");
        uint256 holders = splitter.claimable(child, ETH, ALICE) + splitter.claimable(child, ETH, BOB)
            + splitter.claimable(child, ETH, CAROL);
        assertEq(holders + splitter.claimable(parent, ETH, ALICE), 1 ether, "every wei claimable");
    }

    function test_pay_whenForkedInAllowlistedToken_parentListsAndClaimsIt() external {
        MockERC20 usdc = new MockERC20("USD Coin", "USDC", 6);
        splitter.setAssetAllowed(address(usdc), true, 1);
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        uint256 child = _mintOne(BOB, parent, 3_000, ETH);
        _payToken(usdc, child, 1_000_000);
        assertEq(splitter.assetsOf(parent)[0], address(usdc), "listed for parent");
        vm.prank(ALICE);
        splitter.claim(parent, address(usdc), ALICE);
        assertEq(usdc.balanceOf(ALICE), 300_000, "parent holder paid");
    }

    function test_pay_whenTheRoyaltyIsBelowTheParentsMinimumFirstPayment_childHoldersKeepIt() external {
        MockERC20 usdc = new MockERC20("USD Coin", "USDC", 6);
        splitter.setAssetAllowed(address(usdc), true, 10e6);
        uint256 parent = _mintOne(ALICE, 0, 0, ETH);
        uint256 child = _mintOne(BOB, parent, 1_000, ETH);

        // 10% of 10 USDC is 1 USDC: too little to open the parent's slot.
        usdc.mint(PAYER, 10e6);
        vm.startPrank(PAYER);
        usdc.approve(address(splitter), 10e6);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.RoyaltyRetained(child, parent, address(usdc), 1e6);
        splitter.pay(child, address(usdc), 10e6);
        vm.stopPrank();
        assertEq(splitter.assetsOf(parent).length, 0, "no dust slot on the parent");
        _assertWithinOneWei(splitter.claimable(child, address(usdc), BOB), 10e6, "the child's holders keep it");

        // 10% of 100 USDC meets the minimum: the parent lists USDC and takes it.
        _payToken(usdc, child, 100e6);
        assertEq(splitter.assetsOf(parent)[0], address(usdc), "listed for the parent");
        assertEq(splitter.claimable(parent, address(usdc), ALICE), 10e6, "parent royalty");
    }

    // ---------------------------------------------------------------- helpers

    /// @dev A sole holder of a 90% accruing pool sees floor(amount): the sub-wei rest is split
    /// between the pool's carried dust and the holder's accrued remainder, neither lost.
    function _assertWithinOneWei(uint256 actual, uint256 expected, string memory what) internal pure {
        assertLe(actual, expected, what);
        assertGe(actual + 1, expected, what);
    }

    function _holder(uint256 k) internal pure returns (address) {
        return address(uint160(0x1000 + k));
    }

    function _payNewToken(uint256 id, uint256 amount) internal {
        MockERC20 t = new MockERC20("T", "T", 18);
        splitter.setAssetAllowed(address(t), true, 1);
        _payToken(t, id, amount);
    }

    function _payToken(MockERC20 t, uint256 id, uint256 amount) internal {
        t.mint(PAYER, amount);
        vm.startPrank(PAYER);
        t.approve(address(splitter), amount);
        splitter.pay(id, address(t), amount);
        vm.stopPrank();
    }
}
