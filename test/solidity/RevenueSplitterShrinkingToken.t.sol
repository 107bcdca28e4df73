// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {ShrinkingToken} from "../../contracts/mocks/tokens/ShrinkingToken.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";

/// @notice An ERC-20 whose balance in the splitter shrinks (a downward rebase, a clawback, a token
/// that takes more from the sender than it sends). Every Ingot paid in it shares the splitter's
/// one balance, so a shortfall is borne by everyone owed that asset when it is seen, pro rata:
/// no Ingot's holders are paid out of another Ingot's revenue, a payment after the shortfall is
/// not diluted by it, the last claimer takes what is left, and nothing panics.
contract RevenueSplitterShrinkingTokenTest is IngotFixture {
    ShrinkingToken internal token;
    uint256 internal a;
    uint256 internal b;

    function setUp() external {
        _deploy();
        token = new ShrinkingToken();
        splitter.setAssetAllowed(address(token), true, 1);
        a = _mintThree(0, 0, address(0));
        b = _mintThree(0, 0, address(0));
    }

    function _pay(uint256 id, uint256 amount) internal returns (uint256 credited) {
        token.mint(PAYER, amount);
        vm.startPrank(PAYER);
        token.approve(address(splitter), amount);
        credited = splitter.pay(id, address(token), amount);
        vm.stopPrank();
    }

    function _claim(uint256 id, address holder) internal returns (uint256 amount) {
        vm.prank(holder);
        amount = splitter.claim(id, address(token), holder);
    }

    /// @dev What all three holders of `id` claim, one after the other.
    function _claimAll(uint256 id) internal returns (uint256 total) {
        total = _claim(id, ALICE) + _claim(id, BOB) + _claim(id, CAROL);
    }

    // ------------------------------------------------------------ a shrink between payments and claims

    function test_claim_whenSplitterBalanceHalved_eachIngotBearsHalfAndNoneIsPaidFromTheOther() external {
        _pay(a, 1_000);
        _pay(b, 1_000);
        token.shrink(address(splitter), 5_000); // 2,000 held for 2,000 owed becomes 1,000

        assertEq(splitter.claimable(a, address(token), ALICE), 300, "alice of A: 600 owed, half held");
        assertEq(_claimAll(a), 500, "A's holders: half of A's 1,000");
        assertEq(_claimAll(b), 500, "B's holders: half of B's 1,000, not what A left");
        assertEq(token.balanceOf(address(splitter)), 0, "nothing stuck");
    }

    function test_pay_afterShrink_newPaymentIsNotDilutedByTheOldShortfall() external {
        _pay(a, 1_000);
        token.shrink(address(splitter), 5_000);
        _pay(b, 1_000);

        assertEq(splitter.claimable(b, address(token), ALICE), 600, "B is whole");
        assertEq(_claimAll(a), 500, "A bears its own shortfall");
        assertEq(_claimAll(b), 1_000, "B is paid in full");
        assertEq(token.balanceOf(address(splitter)), 0, "nothing stuck");
    }

    function test_claim_whenShrinkAfterSomeClaimed_restShareWhatIsLeftProRata() external {
        _pay(a, 1_000);
        _pay(b, 1_000);
        assertEq(_claim(a, ALICE), 600, "before the shrink: whole");
        token.shrink(address(splitter), 5_000); // 1,400 held becomes 700, for 1,400 owed
        assertEq(_claim(a, BOB), 150, "bob: half of 300");
        assertEq(_claim(b, ALICE), 300, "alice of B: half of 600");
        assertEq(_claim(b, BOB) + _claim(b, CAROL) + _claim(a, CAROL), 250, "the rest: half of 500");
        assertEq(token.balanceOf(address(splitter)), 0, "nothing stuck");
    }

    // ------------------------------------------------------------ a token that takes more than it sends

    function test_claim_whenSendTaxTakesMoreThanSent_lastClaimerIsPaidWhatIsLeft() external {
        _pay(a, 1_000);
        _pay(b, 1_000);
        token.setSendTaxBps(1_000); // every send also burns 10% of the amount from the sender
        uint256 total = _claimAll(a) + _claimAll(b);
        assertGe(total, 1_701, "most of the 2,000 still reaches holders");
        assertLe(total, 2_000, "never more than was paid");
        assertGe(_claimedBy(CAROL), 1, "the last claimers are paid too");
        assertEq(token.balanceOf(address(splitter)), 0, "nothing stuck, nothing reverted");
    }

    function _claimedBy(address holder) internal view returns (uint256) {
        return token.balanceOf(holder);
    }

    // ------------------------------------------------------------ a shrink inside a payment

    function test_pay_RevertWhen_BalanceFallsDuringThePayment() external {
        _pay(a, 1_000);
        token.mint(PAYER, 100);
        vm.startPrank(PAYER);
        token.approve(address(splitter), 100);
        token.setNextTransferTake(address(splitter), 500);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroPayment.selector, b, address(token)));
        splitter.pay(b, address(token), 100);
        vm.stopPrank();
        token.setNextTransferTake(address(0), 0); // the revert undid the take, which is still armed
        assertEq(token.balanceOf(address(splitter)), 1_000, "nothing moved");
        assertEq(_claimAll(a), 1_000, "A untouched");
    }

    function test_pay_whenBalanceShrinksDuringThePayment_payerBearsIt() external {
        _pay(a, 1_000);
        token.setNextTransferTake(address(splitter), 300);
        uint256 credited = _pay(b, 1_000);
        assertEq(credited, 700, "credited the net arrival");
        assertEq(_claimAll(a), 1_000, "A untouched");
        assertEq(_claimAll(b), 700, "B: what arrived");
    }

    // ------------------------------------------------------------ everything taken

    function test_claim_whenBalanceWipedOut_paysNothingAndKeepsTheClaim() external {
        _pay(a, 1_000);
        token.shrink(address(splitter), 10_000);
        assertEq(splitter.claimable(a, address(token), ALICE), 0, "nothing held");
        assertEq(_claim(a, ALICE), 0, "claims nothing, without reverting");
        token.mint(address(splitter), 500); // the token gives some back (an upward rebase)
        assertEq(_claim(a, ALICE), 300, "alice's claim was kept: 60% of what came back");
    }

    function test_pay_whenBalanceWipedOutWhileOwed_creditsAsIfOneTokenWereHeld() external {
        _pay(a, 1_000);
        token.shrink(address(splitter), 10_000);
        _pay(b, 1_000);
        assertEq(splitter.owedIn(address(token)), 1_000 + 1_000 * 1_000, "1,000 units a token at one token held");
        assertGe(_claimAll(b), 999, "B loses less than one token to A's wiped-out claims");
        assertLe(_claimAll(a), 1, "A shares the one token");
    }

    // ------------------------------------------------------------ other assets, surplus

    function test_claim_whenOneTokenShrinks_otherAssetsAreWhole() external {
        MockERC20 usd = new MockERC20("USD Coin", "USDC", 6);
        splitter.setAssetAllowed(address(usd), true, 1);
        usd.mint(PAYER, 1_000);
        vm.startPrank(PAYER);
        usd.approve(address(splitter), 1_000);
        splitter.pay(a, address(usd), 1_000);
        vm.stopPrank();
        _payEth(a, 1 ether);
        _pay(a, 1_000);
        token.shrink(address(splitter), 9_000);
        vm.startPrank(ALICE);
        assertEq(splitter.claim(a, address(usd), ALICE), 600, "usd whole");
        assertEq(splitter.claim(a, address(0), ALICE), 0.6 ether, "eth whole");
        assertEq(splitter.claim(a, address(token), ALICE), 60, "shrinking token: 10% held");
        vm.stopPrank();
    }

    function test_claim_whenTokensSentDirectly_surplusNeverPaysMoreThanOwed() external {
        _pay(a, 1_000);
        token.mint(address(splitter), 5_000); // sent to the splitter without `pay`: credited to nobody
        assertEq(_claimAll(a), 1_000, "paid what was owed, no more");
        assertEq(token.balanceOf(address(splitter)), 5_000, "the surplus stays");
    }

    // ------------------------------------------------------------ the capital asset, not allowlisted

    function test_claim_whenShrinkingTokenIsACapitalAssetNotAllowlisted_sameRuleHolds() external {
        splitter.setAssetAllowed(address(token), false, 0);
        uint256 c1 = _mintThree(0, 0, address(token));
        uint256 c2 = _mintThree(0, 0, address(token));
        _pay(c1, 3_000); // a Forge's capital release, say
        _pay(c2, 1_000);
        token.shrink(address(splitter), 2_500); // 4,000 held becomes 3,000
        assertEq(_claimAll(c2), 750, "c2 bears a quarter");
        assertEq(_claimAll(c1), 2_250, "c1 bears a quarter");
        assertEq(token.balanceOf(address(splitter)), 0, "nothing stuck");
    }
}
