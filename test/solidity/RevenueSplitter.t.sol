// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {RevenueSplitter} from "../../contracts/RevenueSplitter.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {ReentrantEthReceiver} from "../../contracts/mocks/ReentrantEthReceiver.sol";
import {MockForge} from "../../contracts/mocks/MockForge.sol";

/// @notice Unit tests of the RevenueSplitter with well-behaved assets: binding, registration,
/// payment, claims, share moves, asset limits. Hostile tokens and lineage have their own files.
contract RevenueSplitterTest is IngotFixture {
    MockERC20 internal usdc;

    function setUp() external {
        _deploy();
        usdc = new MockERC20("USD Coin", "USDC", 6);
    }

    receive() external payable {
        revert("RevenueSplitterTest: no ETH");
    }

    // ---------------------------------------------------------------- admin and binding

    function test_constructor_RevertWhen_AdminIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroAddress.selector));
        new RevenueSplitter(address(0));
    }

    function test_constructor_grantsAdminAndProtocolRoles() external view {
        assertTrue(splitter.hasRole(splitter.DEFAULT_ADMIN_ROLE(), address(this)), "admin role");
        assertTrue(splitter.hasRole(splitter.PROTOCOL_ROLE(), address(this)), "protocol role");
    }

    function test_bindIngot_RevertWhen_AlreadyBound() external {
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterIngotAlreadyBound.selector, address(ingot)));
        splitter.bindIngot(address(0xBAD));
    }

    function test_bindIngot_RevertWhen_CallerNotAdmin() external {
        RevenueSplitter fresh = new RevenueSplitter(address(this));
        bytes32 role = fresh.DEFAULT_ADMIN_ROLE();
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnauthorized.selector, ALICE, role));
        fresh.bindIngot(address(ingot));
    }

    function test_bindIngot_RevertWhen_IngotIsZero() external {
        RevenueSplitter fresh = new RevenueSplitter(address(this));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroAddress.selector));
        fresh.bindIngot(address(0));
    }

    function test_bindIngot_whenFirst_recordsIngotAndEmits() external {
        RevenueSplitter fresh = new RevenueSplitter(address(this));
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.IngotBound(address(ingot));
        fresh.bindIngot(address(ingot));
        assertEq(fresh.ingot(), address(ingot), "ingot");
    }

    function test_setAssetAllowed_RevertWhen_CallerLacksProtocolRole() external {
        bytes32 role = splitter.PROTOCOL_ROLE();
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnauthorized.selector, ALICE, role));
        splitter.setAssetAllowed(address(usdc), true, 1);
    }

    function test_setAssetAllowed_whenAllowed_acceptsAssetForEveryIngot() external {
        uint256 a = _mintThree(0, 0, address(0));
        uint256 b = _mintThree(0, 0, address(0));
        assertTrue(!splitter.accepts(a, address(usdc)), "accepted before");
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.AssetAllowed(address(usdc), true, 1);
        splitter.setAssetAllowed(address(usdc), true, 1);
        assertTrue(splitter.accepts(a, address(usdc)) && splitter.accepts(b, address(usdc)), "accepted after");
    }

    function test_setAssetAllowed_whenRefused_stopsPaymentsButKeepsClaims() external {
        uint256 id = _mintThree(0, 0, address(0));
        splitter.setAssetAllowed(address(usdc), true, 1);
        _payToken(id, 1_000_000);
        splitter.setAssetAllowed(address(usdc), false, 0);

        usdc.mint(PAYER, 1);
        vm.startPrank(PAYER);
        usdc.approve(address(splitter), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterAssetNotAccepted.selector, id, address(usdc))
        );
        splitter.pay(id, address(usdc), 1);
        vm.stopPrank();

        vm.prank(ALICE);
        splitter.claim(id, address(usdc), ALICE);
        assertEq(usdc.balanceOf(ALICE), 600_000, "claimed after refusal");
    }

    // ---------------------------------------------------------------- registration

    function test_registerIngot_RevertWhen_CallerNotIngot() external {
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterOnlyIngot.selector, address(this)));
        splitter.registerIngot(1, 0, 0, address(0));
    }

    function test_registerIngot_RevertWhen_AlreadyRegistered() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterIngotExists.selector, id));
        splitter.registerIngot(id, 0, 0, address(0));
    }

    function test_registerIngot_RevertWhen_IdIsZero() external {
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadLineage.selector, 0, 0, 0));
        splitter.registerIngot(0, 0, 0, address(0));
    }

    function test_registerIngot_RevertWhen_ParentUnknown() external {
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadLineage.selector, 5, 3, 100));
        splitter.registerIngot(5, 3, 100, address(0));
    }

    function test_registerIngot_RevertWhen_ParentNotOlder() external {
        _mintThree(0, 0, address(0));
        vm.startPrank(address(ingot));
        splitter.registerIngot(7, 0, 0, address(0));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadLineage.selector, 6, 7, 100));
        splitter.registerIngot(6, 7, 100, address(0));
        vm.stopPrank();
    }

    function test_registerIngot_RevertWhen_RoyaltyWithoutParent() external {
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadLineage.selector, 1, 0, 1));
        splitter.registerIngot(1, 0, 1, address(0));
    }

    function test_registerIngot_RevertWhen_RoyaltyIsWholePayment() external {
        uint256 parent = _mintThree(0, 0, address(0));
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadLineage.selector, 2, parent, 10_000));
        splitter.registerIngot(2, parent, 10_000, address(0));
    }

    function test_registerIngot_whenForked_recordsLineageAndAccruingShares() external {
        uint256 parent = _mintThree(0, 0, address(0));
        address[] memory holders = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        (holders[0], amounts[0]) = (ALICE, 850_000_000);
        MockForge forge = new MockForge();
        registry.setForge(address(forge), true);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.IngotRegistered(2, parent, 1_500, address(usdc));
        uint256 child = forge.mint(ingot, _info(parent, 1_500, address(usdc)), holders, amounts, 150_000_000);
        (uint256 p, uint16 bps, uint256 accruing, address capital) = splitter.lineageOf(child);
        assertEq(p, parent, "parent");
        assertEq(bps, 1_500, "bps");
        assertEq(accruing, 850_000_000, "accruing shares");
        assertEq(capital, address(usdc), "capital asset");
    }

    // ---------------------------------------------------------------- pay

    function test_pay_RevertWhen_IngotUnknown() external {
        vm.deal(PAYER, 1);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnknownIngot.selector, 9));
        splitter.pay{value: 1}(9, address(0), 1);
    }

    function test_pay_RevertWhen_AmountIsZero() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroPayment.selector, id, address(0)));
        splitter.pay(id, address(0), 0);
    }

    function test_pay_RevertWhen_EthValueDiffersFromAmount() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.deal(PAYER, 10);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadValue.selector, 9, 10));
        splitter.pay{value: 9}(id, address(0), 10);
    }

    function test_pay_RevertWhen_EthSentWithErc20() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        vm.deal(PAYER, 5);
        vm.prank(PAYER);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterBadValue.selector, 5, 0));
        splitter.pay{value: 5}(id, address(usdc), 10);
    }

    function test_pay_RevertWhen_AssetNotAccepted() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterAssetNotAccepted.selector, id, address(usdc)));
        splitter.pay(id, address(usdc), 10);
    }

    function test_pay_whenEth_creditsHoldersProRata() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.deal(PAYER, 1 ether);
        vm.prank(PAYER);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Paid(id, address(0), PAYER, 1 ether, 0);
        uint256 credited = splitter.pay{value: 1 ether}(id, address(0), 1 ether);
        assertEq(credited, 1 ether, "credited");
        assertEq(splitter.claimable(id, address(0), ALICE), 0.6 ether, "alice");
        assertEq(splitter.claimable(id, address(0), BOB), 0.3 ether, "bob");
        assertEq(splitter.claimable(id, address(0), CAROL), 0.1 ether, "carol");
        assertEq(address(splitter).balance, 1 ether, "held");
    }

    function test_pay_whenCapitalAsset_acceptsWithoutAllowlist() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        uint256 credited = _payToken(id, 1_000_000);
        assertEq(credited, 1_000_000, "credited");
        assertEq(splitter.claimable(id, address(usdc), BOB), 300_000, "bob");
        assertEq(usdc.balanceOf(address(splitter)), 1_000_000, "held");
    }

    function test_pay_whenFirstInAsset_listsItOnce() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        _payEth(id, 10);
        _payToken(id, 10);
        _payEth(id, 10);
        address[] memory assets = splitter.assetsOf(id);
        assertEq(assets.length, 2, "assets");
        assertEq(assets[0], address(0), "first");
        assertEq(assets[1], address(usdc), "second");
    }

    function test_pay_RevertWhen_NinthAsset() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1);
        for (uint256 i; i < 7; ++i) {
            MockERC20 t = new MockERC20("T", "T", 18);
            splitter.setAssetAllowed(address(t), true, 1);
            _payWith(t, id, 1);
        }
        MockERC20 ninth = new MockERC20("N", "N", 18);
        splitter.setAssetAllowed(address(ninth), true, 1);
        ninth.mint(PAYER, 1);
        vm.startPrank(PAYER);
        ninth.approve(address(splitter), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterTooManyAssets.selector, id, address(ninth), 8)
        );
        splitter.pay(id, address(ninth), 1);
        vm.stopPrank();
        assertEq(splitter.assetsOf(id).length, 8, "assets");
    }

    function test_pay_whenAllowlistedTokensFillSlots_capitalAssetAndEthStillFit() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        for (uint256 i; i < 6; ++i) {
            MockERC20 t = new MockERC20("T", "T", 18);
            splitter.setAssetAllowed(address(t), true, 1);
            _payWith(t, id, 1);
        }
        MockERC20 seventh = new MockERC20("S", "S", 18);
        splitter.setAssetAllowed(address(seventh), true, 1);
        seventh.mint(PAYER, 1);
        vm.startPrank(PAYER);
        seventh.approve(address(splitter), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterTooManyAssets.selector, id, address(seventh), 8)
        );
        splitter.pay(id, address(seventh), 1);
        vm.stopPrank();

        _payToken(id, 1_000); // the capital asset's reserved slot
        _payEth(id, 1_000); // ETH's reserved slot
        assertEq(splitter.assetsOf(id).length, 8, "assets");
    }

    // ---------------------------------------------------------------- dust cannot fill slots (issue 23, F8)

    /// @dev 10 tokens of 18 decimals: what the protocol asks to open a slot in the tests below.
    uint256 internal constant MIN_FIRST = 10e18;

    function test_pay_RevertWhen_OneUnitFirstPaymentsOfAllowlistedTokensWouldFillEveryFreeSlot() external {
        uint256 id = _mintThree(0, 0, address(0));
        MockERC20[] memory tokens = new MockERC20[](7);
        for (uint256 i; i < 7; ++i) {
            tokens[i] = new MockERC20("T", "T", 18);
            splitter.setAssetAllowed(address(tokens[i]), true, MIN_FIRST);
            tokens[i].mint(PAYER, 1);
            vm.startPrank(PAYER);
            tokens[i].approve(address(splitter), 1);
            vm.expectRevert(
                abi.encodeWithSelector(
                    IRevenueSplitter.SplitterFirstPaymentTooSmall.selector, id, address(tokens[i]), 1, MIN_FIRST
                )
            );
            splitter.pay(id, address(tokens[i]), 1);
            vm.stopPrank();
        }
        assertEq(splitter.assetsOf(id).length, 0, "no slot taken by dust");

        // Every slot is still there for real revenue: seven tokens at their minimum, then ETH.
        for (uint256 i; i < 7; ++i) {
            _payWith(tokens[i], id, MIN_FIRST);
        }
        _payEth(id, 1);
        assertEq(splitter.assetsOf(id).length, 8, "all eight slots used by real payments");
        vm.prank(ALICE);
        splitter.claim(id, address(tokens[0]), ALICE);
        assertEq(tokens[0].balanceOf(ALICE), (MIN_FIRST * 6) / 10, "the minimum is the holders' revenue");
    }

    function test_pay_whenTheFirstPaymentMeetsTheMinimum_listsTheAsset_andLaterPaymentsHaveNone() external {
        uint256 id = _mintThree(0, 0, address(0));
        MockERC20 t = new MockERC20("T", "T", 18);
        splitter.setAssetAllowed(address(t), true, MIN_FIRST);
        t.mint(PAYER, MIN_FIRST - 1);
        vm.startPrank(PAYER);
        t.approve(address(splitter), MIN_FIRST - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRevenueSplitter.SplitterFirstPaymentTooSmall.selector, id, address(t), MIN_FIRST - 1, MIN_FIRST
            )
        );
        splitter.pay(id, address(t), MIN_FIRST - 1);
        vm.stopPrank();

        assertEq(_payWith(t, id, MIN_FIRST), MIN_FIRST, "credited at the minimum");
        assertEq(_payWith(t, id, 1), 1, "a later payment of 1 unit");
        assertEq(splitter.assetsOf(id).length, 1, "listed once");
    }

    function test_pay_RevertWhen_AFeeOnTransferFirstPaymentNetsLessThanTheMinimum() external {
        uint256 id = _mintThree(0, 0, address(0));
        FeeOnTransferToken fee = new FeeOnTransferToken(100); // 1%
        splitter.setAssetAllowed(address(fee), true, 100);
        fee.mint(PAYER, 1_000);
        vm.startPrank(PAYER);
        fee.approve(address(splitter), 1_000);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterFirstPaymentTooSmall.selector, id, address(fee), 99, 100)
        );
        splitter.pay(id, address(fee), 100);
        assertEq(splitter.pay(id, address(fee), 101), 100, "100 net opens the slot");
        vm.stopPrank();
    }

    function test_pay_whenEthOrTheCapitalAsset_needsNoMinimum() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        splitter.setAssetAllowed(address(usdc), true, 100e6);
        assertEq(_payToken(id, 1), 1, "one unit of the capital asset");
        _payEth(id, 1);
        assertEq(splitter.assetsOf(id).length, 2, "both reserved slots used");

        // The same token is an allowlisted asset, with its minimum, on an Ingot raised in ETH.
        uint256 other = _mintThree(0, 0, address(0));
        usdc.mint(PAYER, 1);
        vm.startPrank(PAYER);
        usdc.approve(address(splitter), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterFirstPaymentTooSmall.selector, other, address(usdc), 1, 100e6)
        );
        splitter.pay(other, address(usdc), 1);
        vm.stopPrank();
    }

    function test_pay_whenThePayerIsTrusted_opensASlotBelowTheMinimum() external {
        uint256 id = _mintThree(0, 0, address(0));
        MockERC20 t = new MockERC20("T", "T", 18);
        splitter.setAssetAllowed(address(t), true, MIN_FIRST);
        splitter.grantRole(splitter.TRUSTED_PAYER_ROLE(), PAYER);
        assertEq(_payWith(t, id, 1), 1, "a trusted payer's 1 unit");
        assertEq(splitter.assetsOf(id).length, 1, "listed");
    }

    function test_setAssetAllowed_RevertWhen_AllowingWithoutAMinimumFirstPayment() external {
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroMinFirstPayment.selector, address(usdc)));
        splitter.setAssetAllowed(address(usdc), true, 0);
    }

    function test_setAssetAllowed_recordsTheMinimum_andZeroWhenRefused() external {
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.AssetAllowed(address(usdc), true, 5e6);
        splitter.setAssetAllowed(address(usdc), true, 5e6);
        assertEq(splitter.minFirstPayment(address(usdc)), 5e6, "minimum");
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.AssetAllowed(address(usdc), false, 0);
        splitter.setAssetAllowed(address(usdc), false, 7e6);
        assertEq(splitter.minFirstPayment(address(usdc)), 0, "none when refused");
        assertTrue(!splitter.assetAllowed(address(usdc)), "refused");
    }

    function testFuzz_pay_firstPaymentInAnAllowlistedAsset_listsExactlyWhenItMeetsTheMinimum(
        uint256 minimum,
        uint256 amount
    ) external {
        minimum = bound(minimum, 1, 1e30);
        amount = bound(amount, 1, 1e30);
        uint256 id = _mintThree(0, 0, address(0));
        MockERC20 t = new MockERC20("T", "T", 18);
        splitter.setAssetAllowed(address(t), true, minimum);
        t.mint(PAYER, amount);
        vm.startPrank(PAYER);
        t.approve(address(splitter), amount);
        if (amount < minimum) {
            vm.expectRevert(
                abi.encodeWithSelector(IRevenueSplitter.SplitterFirstPaymentTooSmall.selector, id, address(t), amount, minimum)
            );
        }
        splitter.pay(id, address(t), amount);
        vm.stopPrank();
        assertEq(splitter.assetsOf(id).length, amount < minimum ? 0 : 1, "listed iff the minimum is met");
    }

    function test_pay_whenAmountNotDivisible_carriesDustIntoNextPayment() external {
        uint256 id = _mintThree(0, 0, address(0));
        // 7 wei over 1e9 shares: nobody can claim a whole wei yet, nothing is lost.
        _payEth(id, 7);
        (uint256 perShare, uint256 dust) = splitter.poolOf(id, address(0));
        assertEq(perShare * SUPPLY + dust, 7 * 1e18, "scaled conservation");
        assertEq(splitter.claimable(id, address(0), ALICE), 4, "alice floor(4.2)");
        _payEth(id, 3);
        assertEq(splitter.claimable(id, address(0), ALICE), 6, "alice after 10 wei");
        assertEq(splitter.claimable(id, address(0), BOB), 3, "bob after 10 wei");
        assertEq(splitter.claimable(id, address(0), CAROL), 1, "carol after 10 wei");
    }

    function test_pay_RevertWhen_AccumulatorWouldPassCap() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        uint256 huge = type(uint256).max / 1e18;
        usdc.mint(PAYER, huge);
        vm.startPrank(PAYER);
        usdc.approve(address(splitter), huge);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterPaymentTooLarge.selector, id, address(usdc), huge)
        );
        splitter.pay(id, address(usdc), huge);
        vm.stopPrank();
    }

    function test_pay_whenAccumulatorNearCap_sharesStillMove() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        // The largest payment the cap admits: MAX_PER_SHARE * accruing / 1e18.
        uint256 max = (uint256(type(uint216).max) * SUPPLY) / 1e18;
        _payToken(id, max);
        _move(ALICE, BOB, id, 600_000_000);
        assertEq(splitter.claimable(id, address(usdc), ALICE), (max * 6) / 10, "alice kept her part");
    }

    // ---------------------------------------------------------------- claim

    function test_claim_whenEth_sendsAndZeroesClaimable() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether);
        vm.prank(ALICE);
        vm.expectEmit(true, true, true, true);
        emit IRevenueSplitter.Claimed(id, address(0), ALICE, CAROL, 0.6 ether);
        uint256 amount = splitter.claim(id, address(0), CAROL);
        assertEq(amount, 0.6 ether, "amount");
        assertEq(CAROL.balance, 0.6 ether, "sent to recipient");
        assertEq(splitter.claimable(id, address(0), ALICE), 0, "claimable after");
    }

    function test_claim_whenErc20_sendsTokens() external {
        uint256 id = _mintThree(0, 0, address(usdc));
        _payToken(id, 1_000_000);
        vm.prank(CAROL);
        splitter.claim(id, address(usdc), CAROL);
        assertEq(usdc.balanceOf(CAROL), 100_000, "carol");
        assertEq(usdc.balanceOf(address(splitter)), 900_000, "rest held");
    }

    function test_claim_whenCalledTwice_paysOnce() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether);
        vm.startPrank(BOB);
        splitter.claim(id, address(0), BOB);
        uint256 second = splitter.claim(id, address(0), BOB);
        vm.stopPrank();
        assertEq(second, 0, "second claim");
        assertEq(BOB.balance, 0.3 ether, "bob");
    }

    function test_claim_whenNothingEarned_returnsZeroAndSendsNothing() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.prank(PAYER);
        assertEq(splitter.claim(id, address(0), PAYER), 0, "amount");
        assertEq(PAYER.balance, 0, "sent");
    }

    function test_claim_RevertWhen_RecipientIsZero() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterZeroAddress.selector));
        splitter.claim(id, address(0), address(0));
    }

    function test_claim_RevertWhen_IngotUnknown() external {
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnknownIngot.selector, 3));
        splitter.claim(3, address(0), ALICE);
    }

    function test_claim_RevertWhen_RecipientRejectsEth_thenClaimsElsewhere() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether);
        vm.prank(ALICE);
        vm.expectRevert(
            abi.encodeWithSelector(IRevenueSplitter.SplitterEthTransferFailed.selector, address(this), 0.6 ether)
        );
        splitter.claim(id, address(0), address(this));
        vm.prank(ALICE);
        splitter.claim(id, address(0), ALICE);
        assertEq(ALICE.balance, 0.6 ether, "nothing lost");
    }

    function test_claim_whenEthRecipientReenters_refusesSecondClaim() external {
        ReentrantEthReceiver holder = new ReentrantEthReceiver();
        uint256 id = _mintOne(address(holder), 0, 0, address(0));
        _payEth(id, 1 ether);
        bytes memory claimAgain = abi.encodeCall(IRevenueSplitter.claim, (id, address(0), address(holder)));
        holder.arm(address(splitter), claimAgain);
        holder.execute(address(splitter), claimAgain);
        assertEq(holder.received(), 1 ether, "paid once");
        assertTrue(!holder.lastCallOk(), "re-entry succeeded");
        assertEq(
            keccak256(holder.lastReturnData()),
            keccak256(abi.encodeWithSignature("ReentrancyGuardReentrantCall()")),
            "re-entry error"
        );
        assertEq(address(splitter).balance, 0, "splitter drained exactly");
    }

    // ---------------------------------------------------------------- share moves

    function test_claim_whenSharesMoved_paysBothSides() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether); // alice 60%
        _move(ALICE, BOB, id, 300_000_000); // alice 30%, bob 60%
        _payEth(id, 1 ether);
        assertEq(splitter.claimable(id, address(0), ALICE), 0.9 ether, "alice: 0.6 + 0.3");
        assertEq(splitter.claimable(id, address(0), BOB), 0.9 ether, "bob: 0.3 + 0.6");
        vm.prank(ALICE);
        splitter.claim(id, address(0), ALICE);
        vm.prank(BOB);
        splitter.claim(id, address(0), BOB);
        assertEq(ALICE.balance, 0.9 ether, "alice paid");
        assertEq(BOB.balance, 0.9 ether, "bob paid");
    }

    function test_onSharesMoved_whenNewHolder_earnsOnlyAfterArrival() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether);
        _move(CAROL, PAYER, id, 100_000_000);
        assertEq(splitter.claimable(id, address(0), PAYER), 0, "new holder before");
        assertEq(splitter.claimable(id, address(0), CAROL), 0.1 ether, "old holder keeps");
        _payEth(id, 1 ether);
        assertEq(splitter.claimable(id, address(0), PAYER), 0.1 ether, "new holder after");
        assertEq(splitter.claimable(id, address(0), CAROL), 0.1 ether, "old holder unchanged");
    }

    function test_onSharesMoved_whenBatchTransfer_settlesEveryId() external {
        uint256 a = _mintThree(0, 0, address(0));
        uint256 b = _mintThree(0, 0, address(0));
        _payEth(a, 1 ether);
        _payEth(b, 2 ether);
        uint256[] memory ids = new uint256[](2);
        uint256[] memory values = new uint256[](2);
        (ids[0], ids[1]) = (a, b);
        (values[0], values[1]) = (600_000_000, 600_000_000);
        vm.prank(ALICE);
        ingot.safeBatchTransferFrom(ALICE, BOB, ids, values, "");
        _payEth(a, 1 ether);
        _payEth(b, 1 ether);
        assertEq(splitter.claimable(a, address(0), ALICE), 0.6 ether, "alice on a");
        assertEq(splitter.claimable(b, address(0), ALICE), 1.2 ether, "alice on b");
        assertEq(splitter.claimable(a, address(0), BOB), 0.3 ether + 0.9 ether, "bob on a");
        assertEq(splitter.claimable(b, address(0), BOB), 0.6 ether + 0.9 ether, "bob on b");
    }

    function test_onSharesMoved_whenSelfTransfer_changesNothing() external {
        uint256 id = _mintThree(0, 0, address(0));
        _payEth(id, 1 ether);
        _move(ALICE, ALICE, id, 600_000_000);
        _payEth(id, 1 ether);
        assertEq(splitter.claimable(id, address(0), ALICE), 1.2 ether, "alice");
    }

    function test_onSharesMoved_RevertWhen_CallerNotIngot() external {
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterOnlyIngot.selector, address(this)));
        splitter.onSharesMoved(1, ALICE, BOB, 1);
    }

    function test_onSharesMoved_RevertWhen_IngotUnknown() external {
        vm.prank(address(ingot));
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterUnknownIngot.selector, 4));
        splitter.onSharesMoved(4, ALICE, BOB, 1);
    }

    function test_onSharesMoved_RevertWhen_SharesSentToSplitter() external {
        uint256 id = _mintThree(0, 0, address(0));
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterSharesToSplitter.selector, id, ALICE));
        ingot.safeTransferFrom(ALICE, address(splitter), id, 1, "");
    }

    // ---------------------------------------------------------------- helpers

    function _payToken(uint256 id, uint256 amount) internal returns (uint256) {
        return _payWith(usdc, id, amount);
    }

    function _payWith(MockERC20 token, uint256 id, uint256 amount) internal returns (uint256 credited) {
        token.mint(PAYER, amount);
        vm.startPrank(PAYER);
        token.approve(address(splitter), amount);
        credited = splitter.pay(id, address(token), amount);
        vm.stopPrank();
    }
}
