// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {NoReturnToken} from "../../contracts/mocks/tokens/NoReturnToken.sol";
import {FalseReturnToken} from "../../contracts/mocks/tokens/FalseReturnToken.sol";
import {RevertingToken} from "../../contracts/mocks/tokens/RevertingToken.sol";
import {ReentrantToken} from "../../contracts/mocks/tokens/ReentrantToken.sol";

interface IMintable {
    function mint(address to, uint256 amount) external;
}

/// @notice The escrow with hostile ERC-20s: none can take another contributor's capital, and a
/// broken token blocks only its own transfers, never the result.
contract ForgeHostileTokensTest is ForgeFixture {
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);

    function _forgeFor(address token) internal returns (Forge) {
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = token;
        return createForge(c);
    }

    function _fund(address token, Forge f, address who, uint256 amount) internal {
        IMintable(token).mint(who, amount);
        vm.prank(who);
        (bool ok,) = token.call(abi.encodeWithSignature("approve(address,uint256)", address(f), amount));
        assertTrue(ok, "approve");
    }

    function _contribute(Forge f, address who, uint256 amount) internal returns (uint256) {
        vm.prank(who);
        return f.contributeCapital(amount);
    }

    function test_noReturnToken_contributesRefundsAndReleases() external {
        NoReturnToken token = new NoReturnToken();
        Forge failing = _forgeFor(address(token));
        Forge live = _forgeFor(address(token));
        vm.warp(START);
        _fund(address(token), failing, alice, 700);
        _contribute(failing, alice, 700);
        _fund(address(token), live, bob, 300);
        _contribute(live, bob, 300);
        contributeData(live, bob, 1);

        vm.warp(END);
        uint256 id = submit(live, resultFor(live));
        assertEq(live.releaseCapital(), 300, "released");
        assertEq(token.balanceOf(address(splitter)), 300, "splitter holds it");

        vm.warp(EVAL_DEADLINE);
        vm.prank(alice);
        failing.refund();
        assertEq(token.balanceOf(alice), 700, "refunded");
        // no worker: the creator holds 1,000 / 8,000 of the supply, 37.5 of 300 (rounded down)
        assertEq(splitter.claimable(id, address(token), creator), 37, "creator's share of the release");
    }

    function test_falseReturnToken_RevertWhen_TransferFromReturnsFalse() external {
        FalseReturnToken token = new FalseReturnToken();
        Forge f = _forgeFor(address(token));
        vm.warp(START);
        _fund(address(token), f, alice, 500);
        token.setFailing(true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(token)));
        f.contributeCapital(500);
        assertEq(f.capitalOf(alice), 0, "nothing credited");
        token.setFailing(false);
        assertEq(_contribute(f, alice, 500), 500, "works once the token does");
    }

    function test_revertingToken_cannotBlockTheResult_andReleaseWaitsForIt() external {
        RevertingToken token = new RevertingToken();
        Forge f = _forgeFor(address(token));
        vm.warp(START);
        _fund(address(token), f, alice, 1_000);
        _contribute(f, alice, 1_000);
        contributeData(f, alice, 1);
        token.setReverting(true);

        vm.warp(END);
        uint256 id = submit(f, resultFor(f));
        assertEq(uint256(f.phase()), uint256(IForge.Phase.Live), "result accepted while the token is broken");

        vm.expectRevert(
            abi.encodeWithSelector(RevertingToken.RevertingTokenSwitchedOn.selector, address(f), address(splitter), 1_000)
        );
        f.releaseCapital();
        assertTrue(!f.capitalReleased(), "not marked released");
        token.setReverting(false);
        f.releaseCapital();
        assertEq(token.balanceOf(address(splitter)), 1_000, "released later");
        assertTrue(splitter.claimable(id, address(token), alice) > 0, "alice earns from the release");
    }

    function test_revertingToken_refundWaitsAndKeepsPosition() external {
        RevertingToken token = new RevertingToken();
        Forge f = _forgeFor(address(token));
        vm.warp(START);
        _fund(address(token), f, alice, 1_000);
        _contribute(f, alice, 1_000);
        vm.warp(EVAL_DEADLINE);
        token.setReverting(true);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(RevertingToken.RevertingTokenSwitchedOn.selector, address(f), alice, 1_000)
        );
        f.refund();
        assertEq(f.capitalOf(alice), 1_000, "position kept");
        token.setReverting(false);
        vm.prank(alice);
        f.refund();
        assertEq(token.balanceOf(alice), 1_000, "refunded later");
    }

    function test_reentrantToken_RevertWhen_ContributionReentersForge() external {
        ReentrantToken token = new ReentrantToken();
        Forge f = _forgeFor(address(token));
        vm.warp(START);
        _fund(address(token), f, alice, 1_000);
        token.arm(address(f), abi.encodeCall(IForge.contributeCapital, (1)), true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        f.contributeCapital(1_000);
        assertEq(f.totalCapital(), 0, "nothing credited");
    }

    function test_reentrantToken_RevertWhen_RefundReentersRefund() external {
        ReentrantToken token = new ReentrantToken();
        Forge f = _forgeFor(address(token));
        vm.warp(START);
        _fund(address(token), f, alice, 1_000);
        _contribute(f, alice, 1_000);
        _fund(address(token), f, bob, 500);
        _contribute(f, bob, 500);
        vm.warp(EVAL_DEADLINE);
        token.arm(address(f), abi.encodeCall(IForge.refund, ()), true);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        f.refund();
        assertEq(IERC20(address(token)).balanceOf(address(f)), 1_500, "escrow intact");
        assertEq(f.capitalOf(alice), 1_000, "alice keeps her position");
    }
}
