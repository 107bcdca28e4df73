// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {ShrinkingToken} from "../../contracts/mocks/tokens/ShrinkingToken.sol";

/// @notice F4 follow-up: a capital asset whose balance in the Forge shrinks (a downward rebase, a
/// clawback, a token that takes more from the sender than it sends). Contributions are credited by
/// what arrived; refunds, reclaims and the release pay out at most what the Forge holds, each
/// position its share of what is left, so no one is paid out of another's position and nothing
/// stays stuck; the ETH bonds are untouched.
contract ForgeShrinkingTokenTest is ForgeFixture {
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    address internal carol = address(0xCA201);
    uint256 internal constant GRACE = 7 days;

    ShrinkingToken internal token;
    Forge internal f;

    function setUp() public override {
        super.setUp();
        token = new ShrinkingToken();
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = address(token);
        f = createForge(c);
        vm.warp(START);
    }

    function _contribute(address who, uint256 amount) internal returns (uint256 credited) {
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(f), amount);
        credited = f.contributeCapital(amount);
        vm.stopPrank();
    }

    function _refund(address who) internal returns (uint256 amount) {
        vm.prank(who);
        amount = f.refund();
    }

    function _reclaim(address who) internal returns (uint256 amount) {
        vm.prank(who);
        amount = f.reclaimCapital();
    }

    // ------------------------------------------------------------ contributions

    function test_contributeCapital_whenForgeShrinksDuringTransfer_creditsOnlyTheNetArrival() external {
        _contribute(bob, 1_000);
        token.setNextTransferTake(address(f), 300); // a rebase lands inside alice's transfer
        uint256 credited = _contribute(alice, 1_000);
        assertEq(credited, 700, "alice is credited the net arrival");
        assertEq(f.capitalOf(bob), 1_000, "bob's position untouched");
        assertEq(f.totalCapital(), 1_700, "positions = what the Forge holds");
        assertEq(token.balanceOf(address(f)), 1_700, "held");
    }

    function test_contributeCapital_RevertWhen_ForgeShrinksMoreThanArrives() external {
        _contribute(bob, 1_000);
        token.mint(alice, 500);
        vm.startPrank(alice);
        token.approve(address(f), 500);
        token.setNextTransferTake(address(f), 800);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroCapital.selector));
        f.contributeCapital(500);
        vm.stopPrank();
        assertEq(f.capitalOf(alice), 0, "nothing credited");
        assertEq(f.totalCapital(), 1_000, "total unchanged");
    }

    // ------------------------------------------------------------ Failed: refunds

    function test_refund_whenEscrowShrank_paysEachItsShareAndLeavesNothingStuck() external {
        _contribute(alice, 750);
        _contribute(bob, 250);
        contributeData(f, carol, 1); // a bond in ETH beside the token escrow
        token.shrink(address(f), 2_000); // 20 % taken: 800 left
        vm.warp(EVAL_DEADLINE);

        assertEq(_refund(bob), 200, "bob first: his share of what is held, not his whole position");
        assertEq(token.balanceOf(bob), 200, "bob holds it");
        assertEq(_refund(alice), 600, "alice last: the rest, her share");
        assertEq(token.balanceOf(alice), 600, "alice holds it");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
        assertEq(f.totalRefunded(), 1_000, "every position closed (800 paid for them)");

        uint256 before = carol.balance;
        f.refundBond(IForge.Pool.Data, 0);
        assertEq(carol.balance - before, DATA_BOND, "the ETH bond is untouched");
        assertEq(address(f).balance, 0, "no ETH left either");
    }

    function test_refund_whenEscrowShrinksBetweenRefunds_takesNothingFromThoseStillIn() external {
        _contribute(alice, 500);
        _contribute(bob, 300);
        _contribute(carol, 200);
        vm.warp(EVAL_DEADLINE);
        assertEq(_refund(alice), 500, "intact escrow: the whole position");
        token.shrink(address(f), 5_000); // 500 left -> 250
        assertEq(_refund(bob), 150, "bob: 300 of the 500 still in, of 250 held");
        assertEq(_refund(carol), 100, "carol: the rest");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToRefund.selector, bob));
        f.refund();
    }

    function test_refund_whenTokenTakesMoreFromTheSender_neverPaysMoreThanHeld() external {
        _contribute(alice, 500);
        _contribute(bob, 500);
        token.setSendTaxBps(1_000); // each send also takes 10 % of it from the sender
        vm.warp(EVAL_DEADLINE);
        assertEq(_refund(alice), 500, "alice: her position (the escrow was intact)");
        assertEq(token.balanceOf(address(f)), 450, "the token took 50 more from the Forge");
        assertEq(_refund(bob), 450, "bob: what is held, no more");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
        assertEq(token.balanceOf(bob), 450, "bob received it");
    }

    // ------------------------------------------------------------ Live: release and reclaim

    function _live() internal returns (uint256 id) {
        contributeData(f, carol, 1);
        vm.warp(END);
        id = submit(f, resultFor(f));
    }

    function test_releaseCapital_whenEscrowShrank_releasesWhatIsHeld() external {
        _contribute(alice, 600);
        _contribute(bob, 400);
        uint256 id = _live();
        token.shrink(address(f), 4_000); // 600 left
        vm.expectEmit(true, true, false, true);
        emit IForge.CapitalReleased(id, address(token), 600);
        assertEq(f.releaseCapital(), 600, "released what is held");
        assertEq(token.balanceOf(address(splitter)), 600, "the splitter holds it");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
        assertTrue(splitter.claimable(id, address(token), alice) > 0, "alice earns from it");
    }

    function test_releaseCapital_RevertWhen_EscrowShrankToNothing() external {
        _contribute(alice, 600);
        _live();
        token.shrink(address(f), 10_000);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToRelease.selector));
        f.releaseCapital();
    }

    function test_reclaimCapital_whenEscrowShrinksBetweenReclaims_paysEachItsShareOfWhatIsLeft() external {
        _contribute(alice, 750);
        _contribute(bob, 250);
        _live();
        token.shrink(address(f), 2_000); // 800 left
        vm.warp(END + GRACE);
        assertEq(_reclaim(alice), 600, "alice: 750/1000 of 800");
        token.shrink(address(f), 5_000); // 200 left -> 100
        assertEq(_reclaim(bob), 100, "bob: what is left of his share, not the stale 200");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
        assertEq(f.totalRefunded(), 1_000, "every position closed (700 paid for them)");
    }

    function test_reclaimCapital_whenTokenTakesMoreFromTheSender_neverPaysMoreThanHeld() external {
        _contribute(alice, 500);
        _contribute(bob, 300);
        _contribute(carol, 200);
        _live();
        token.setSendTaxBps(2_000);
        vm.warp(END + GRACE);
        assertEq(_reclaim(alice), 500, "alice: her position");
        assertEq(token.balanceOf(address(f)), 400, "the token took 100 more from the Forge");
        assertEq(_reclaim(bob), 240, "bob: 300/500 of 400");
        assertEq(token.balanceOf(address(f)), 112, "and 48 more");
        assertEq(_reclaim(carol), 112, "carol: what is held");
        assertEq(token.balanceOf(address(f)), 0, "nothing stuck");
    }
}
