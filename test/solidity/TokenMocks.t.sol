// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {NoReturnToken} from "../../contracts/mocks/tokens/NoReturnToken.sol";
import {FalseReturnToken} from "../../contracts/mocks/tokens/FalseReturnToken.sol";
import {RevertingToken} from "../../contracts/mocks/tokens/RevertingToken.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {ReentrantToken} from "../../contracts/mocks/tokens/ReentrantToken.sol";
import {ShrinkingToken} from "../../contracts/mocks/tokens/ShrinkingToken.sol";

/// @notice Pins each hostile token's misbehaviour, so a test that relies on it cannot pass
/// vacuously because the mock silently became well-behaved.
contract TokenMocksTest is TestBase {
    address internal constant BOB = address(0xB0B);
    uint256 public pokes;

    function poke() external {
        pokes++;
    }

    function boom() external pure {
        revert("boom");
    }

    function test_mockERC20_mint_creditsBalanceWithDecimals() external {
        MockERC20 t = new MockERC20("Mock", "MOCK", 6);
        t.mint(BOB, 5);
        assertEq(t.balanceOf(BOB), 5, "balance");
        assertEq(t.decimals(), 6, "decimals");
    }

    function test_noReturnToken_transfer_returnsNoData() external {
        NoReturnToken t = new NoReturnToken();
        t.mint(address(this), 10);
        (bool ok, bytes memory ret) = address(t).call(abi.encodeCall(NoReturnToken.transfer, (BOB, 4)));
        assertTrue(ok, "call ok");
        assertEq(ret.length, 0, "return data length");
        assertEq(t.balanceOf(BOB), 4, "moved");
    }

    function test_falseReturnToken_transfer_whenShortBalance_returnsFalseAndMovesNothing() external {
        FalseReturnToken t = new FalseReturnToken();
        t.mint(address(this), 10);
        assertTrue(!t.transfer(BOB, 11), "returned true");
        assertEq(t.balanceOf(BOB), 0, "moved");
    }

    function test_falseReturnToken_transfer_whenFailing_returnsFalseAndMovesNothing() external {
        FalseReturnToken t = new FalseReturnToken();
        t.mint(address(this), 10);
        t.setFailing(true);
        assertTrue(!t.transfer(BOB, 1), "returned true");
        t.approve(address(this), 10);
        assertTrue(!t.transferFrom(address(this), BOB, 1), "transferFrom returned true");
        assertEq(t.balanceOf(BOB), 0, "moved");
    }

    function test_revertingToken_transfer_whenSwitchedOn_reverts() external {
        RevertingToken t = new RevertingToken();
        t.mint(address(this), 10);
        t.setReverting(true);
        vm.expectRevert(abi.encodeWithSelector(RevertingToken.RevertingTokenSwitchedOn.selector, address(this), BOB, 1));
        t.transfer(BOB, 1);
    }

    function test_feeOnTransferToken_transfer_deliversAmountMinusFee() external {
        FeeOnTransferToken t = new FeeOnTransferToken(1_000);
        t.mint(address(this), 1_000);
        t.transfer(BOB, 1_000);
        assertEq(t.balanceOf(BOB), 900, "received");
        assertEq(t.totalSupply(), 900, "fee burnt");
    }

    function test_shrinkingToken_shrinksAHolderTaxesTheSenderAndTakesOnce() external {
        ShrinkingToken t = new ShrinkingToken();
        t.mint(address(this), 1_000);
        assertEq(t.shrink(address(this), 2_000), 200, "shrink takes 20 %");
        assertEq(t.balanceOf(address(this)), 800, "shrunk");
        t.setSendTaxBps(1_000);
        t.transfer(BOB, 500);
        assertEq(t.balanceOf(BOB), 500, "the receiver gets the amount");
        assertEq(t.balanceOf(address(this)), 250, "the sender loses 10 % more");
        t.setSendTaxBps(0);
        t.setNextTransferTake(BOB, 100);
        t.transfer(BOB, 50);
        assertEq(t.balanceOf(BOB), 450, "the victim lost 100 inside the transfer");
        t.transfer(BOB, 50);
        assertEq(t.balanceOf(BOB), 500, "only once");
    }

    function test_reentrantToken_transfer_whenArmed_callsTargetOnce() external {
        ReentrantToken t = new ReentrantToken();
        t.mint(address(this), 10);
        t.arm(address(this), abi.encodeCall(this.poke, ()), false);
        t.transfer(BOB, 1);
        t.transfer(BOB, 1);
        assertEq(pokes, 1, "callbacks");
        assertTrue(t.lastCallOk(), "callback ok");
    }

    function test_reentrantToken_transfer_whenBubbling_revertsWithCallbackError() external {
        ReentrantToken t = new ReentrantToken();
        t.mint(address(this), 10);
        t.arm(address(this), abi.encodeCall(this.boom, ()), true);
        vm.expectRevert(abi.encodeWithSignature("Error(string)", "boom"));
        t.transfer(BOB, 1);
    }
}
