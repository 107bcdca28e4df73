// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {FreezableToken} from "../../contracts/mocks/tokens/FreezableToken.sol";

/// @notice F4/F5: capital can't get stuck. A release the splitter cannot take (frozen token,
/// amount over its limit) leaves contributors a way out after RELEASE_GRACE, and the total is
/// capped at what the splitter accepts.
contract ForgeCapitalReclaimTest is ForgeFixture {
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    uint256 internal constant GRACE = 7 days;

    function _tokenForge(address token) internal returns (Forge f) {
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = token;
        f = createForge(c);
    }

    function _fundAndContribute(FreezableToken token, Forge f, address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(f), amount);
        f.contributeCapital(amount);
        vm.stopPrank();
    }

    /// Alice 750,000e6 and Bob 250,000e6 of a USDC-like token; the result is accepted at END.
    function _liveFrozenSplitter() internal returns (Forge f, FreezableToken token) {
        token = new FreezableToken();
        f = _tokenForge(address(token));
        vm.warp(START);
        _fundAndContribute(token, f, alice, 750_000e6);
        _fundAndContribute(token, f, bob, 250_000e6);
        contributeData(f, alice, 1);
        vm.warp(END);
        submit(f, resultFor(f));
        token.setFrozen(address(splitter), true); // the issuer blocklists the splitter
    }

    /// F4: on today's main the escrow stays locked forever once the splitter is frozen.
    function test_reclaimCapital_whenSplitterFrozenPastGrace_returnsEveryPositionInFull() external {
        (Forge f, FreezableToken token) = _liveFrozenSplitter();
        vm.expectRevert(abi.encodeWithSelector(FreezableToken.FreezableTokenFrozen.selector, address(splitter)));
        f.releaseCapital();
        assertEq(f.liveAt(), END, "live since the result");

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeReclaimNotOpen.selector, END + GRACE, block.timestamp));
        f.reclaimCapital();

        vm.warp(END + GRACE);
        vm.expectEmit(true, false, false, true);
        emit IForge.CapitalReclaimed(alice, 750_000e6, 750_000e6);
        vm.prank(alice);
        assertEq(f.reclaimCapital(), 750_000e6, "alice's whole position");
        assertEq(token.balanceOf(alice), 750_000e6, "alice holds it");
        assertTrue(f.capitalReclaimStarted(), "reclaim started");

        // Unfrozen later: the release stays off, so bob's capital cannot be paid twice.
        token.setFrozen(address(splitter), false);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeCapitalBeingReclaimed.selector));
        f.releaseCapital();

        vm.prank(bob);
        assertEq(f.reclaimCapital(), 250_000e6, "bob's whole position");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
        assertEq(f.totalRefunded(), 1_000_000e6, "all reclaimed");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToRefund.selector, bob));
        f.reclaimCapital();
    }

    function test_reclaimCapital_RevertWhen_CapitalWasReleased() external {
        (Forge f, FreezableToken token) = _liveFrozenSplitter();
        token.setFrozen(address(splitter), false);
        f.releaseCapital();
        vm.warp(END + GRACE);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeCapitalAlreadyReleased.selector, f.ingotId(), 1_000_000e6));
        f.reclaimCapital();
    }

    function test_releaseCapital_stillWorksAfterGraceWhileNobodyReclaimed() external {
        (Forge f, FreezableToken token) = _liveFrozenSplitter();
        vm.warp(END + 30 days);
        token.setFrozen(address(splitter), false);
        assertEq(f.releaseCapital(), 1_000_000e6, "released late");
    }

    function test_reclaimCapital_RevertWhen_NotLive() external {
        Forge f = createDefaultForge();
        vm.warp(START);
        contributeEth(f, alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(f), IForge.Phase.Open, IForge.Phase.Live));
        f.reclaimCapital();
    }

    function test_reclaimCapital_whenEthForgeReleaseNeverSent_paysEthBack() external {
        Forge f = createDefaultForge();
        vm.warp(START);
        contributeEth(f, alice, 3 ether);
        contributeEth(f, bob, 1 ether);
        vm.warp(END);
        submit(f, resultFor(f));
        vm.warp(END + GRACE);
        uint256 before = bob.balance;
        vm.prank(bob);
        assertEq(f.reclaimCapital(), 1 ether, "bob");
        assertEq(bob.balance - before, 1 ether, "received");
        vm.prank(alice);
        assertEq(f.reclaimCapital(), 3 ether, "alice, the last, takes the rest");
        assertEq(address(f).balance, 0, "escrow empty");
    }

    // ------------------------------------------------------------ F5: the splitter's limit

    function test_capitalLimit_isWhatTheSplitterAcceptsAndIsEnforced() external {
        MockERC20 token = new MockERC20("Big", "BIG", 18);
        Forge f = _tokenForge(address(token));
        uint256 limit = f.capitalLimit();
        assertEq(limit, uint256(type(uint216).max) * SUPPLY / 1e18, "limit with no lineage");
        vm.warp(START);
        token.mint(alice, limit + 1);
        vm.startPrank(alice);
        token.approve(address(f), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeCapitalOverLimit.selector, limit + 1, limit));
        f.contributeCapital(limit + 1);
        f.contributeCapital(limit);
        vm.stopPrank();
        contributeData(f, alice, 1);
        vm.warp(END);
        submit(f, resultFor(f));
        assertEq(f.releaseCapital(), limit, "the splitter takes exactly the limit");
    }

    function test_capitalLimit_RevertWhen_TopUpsPassIt() external {
        MockERC20 token = new MockERC20("Big", "BIG", 18);
        Forge f = _tokenForge(address(token));
        uint256 limit = f.capitalLimit();
        vm.warp(START);
        token.mint(alice, limit);
        token.mint(bob, 2);
        vm.prank(alice);
        token.approve(address(f), type(uint256).max);
        vm.prank(bob);
        token.approve(address(f), type(uint256).max);
        vm.prank(alice);
        f.contributeCapital(limit - 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeCapitalOverLimit.selector, limit + 1, limit));
        f.contributeCapital(2);
    }
}
