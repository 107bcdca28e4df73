// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";

/// @notice F3: entries cost a bond (refunded when included or the Forge fails, forfeited to the
/// Ingot's holders when excluded) and capital positions a minimum, so filling a Forge costs money.
contract ForgeBondsTest is ForgeFixture {
    Forge internal forge;
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    address internal mallory = address(0xBAD);

    function setUp() public override {
        super.setUp();
        forge = createDefaultForge();
        vm.deal(alice, 100 ether);
        vm.deal(bob, 100 ether);
        vm.deal(mallory, 100 ether);
    }

    function _noBond(IForge.Pool pool, uint256 id) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IForge.ForgeNoBondToRefund.selector, pool, id);
    }

    /// Alice's data 0 and Bob's worker 0 included; Mallory's data 1 and worker 1 excluded.
    function _liveWithExclusions() internal returns (uint256 id) {
        vm.warp(START);
        contributeData(forge, alice, 1);
        contributeData(forge, mallory, 2);
        registerCompute(forge, bob, 1);
        registerCompute(forge, mallory, 2);
        vm.warp(END);
        IForge.EvalResult memory r = resultFor(forge);
        r.dataScores[1] = 0;
        r.computeWork[1] = 0;
        r.excludedData = new uint256[](1);
        r.excludedData[0] = 1;
        r.excludedCompute = new uint256[](1);
        r.excludedCompute[0] = 1;
        id = submit(forge, r);
    }

    // ------------------------------------------------------------ paying the bond

    function test_contributeData_RevertWhen_BondNotSentExactly() external {
        vm.warp(START);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadBond.selector, 0, DATA_BOND));
        forge.contributeData(keccak256("free"), 1, 1, "u");
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadBond.selector, DATA_BOND + 1, DATA_BOND));
        forge.contributeData{value: DATA_BOND + 1}(keccak256("free"), 1, 1, "u");
    }

    function test_registerCompute_RevertWhen_BondNotSentExactly() external {
        vm.warp(START);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadBond.selector, 0, COMPUTE_BOND));
        forge.registerCompute(mallory, bytes32(uint256(1)), 1, "", ed25519Placeholder());
    }

    function test_contributeCapital_RevertWhen_NewPositionBelowMinimum_butTopUpsMayBeSmaller() external {
        MockERC20 token = new MockERC20("USD", "USD", 6);
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = address(token);
        c.minCapital = 100e6;
        Forge f = createForge(c);
        vm.warp(START);
        token.mint(mallory, 1_000e6);
        vm.startPrank(mallory);
        token.approve(address(f), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeCapitalBelowMinimum.selector, 1, 100e6));
        f.contributeCapital(1);
        f.contributeCapital(100e6);
        assertEq(f.contributeCapital(1), 1, "a top-up below the minimum is accepted");
        vm.stopPrank();
        assertEq(f.capitalOf(mallory), 100e6 + 1, "position");
    }

    function test_totalBonds_isEntriesTimesBonds() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        contributeData(forge, bob, 2);
        registerCompute(forge, bob, 1);
        assertEq(forge.totalBonds(), 2 * DATA_BOND + COMPUTE_BOND, "total");
        assertEq(address(forge).balance, 2 * DATA_BOND + COMPUTE_BOND, "held");
    }

    // ------------------------------------------------------------ Live: refund included, forfeit excluded

    function test_refundBond_whenLiveAndIncluded_paysTheContributorOnce() external {
        _liveWithExclusions();
        uint256 before = alice.balance;
        vm.expectEmit(true, true, true, true);
        emit IForge.BondRefunded(IForge.Pool.Data, 0, alice, DATA_BOND);
        vm.prank(address(0xD00D)); // anyone
        assertEq(forge.refundBond(IForge.Pool.Data, 0), DATA_BOND, "refunded");
        assertEq(alice.balance - before, DATA_BOND, "alice received her bond");
        assertTrue(forge.isBondRefunded(IForge.Pool.Data, 0), "flag");
        vm.expectRevert(_noBond(IForge.Pool.Data, 0));
        forge.refundBond(IForge.Pool.Data, 0);

        before = bob.balance;
        forge.refundBond(IForge.Pool.Compute, 0);
        assertEq(bob.balance - before, COMPUTE_BOND, "bob received his bond");
        assertEq(forge.bondsRefunded(), DATA_BOND + COMPUTE_BOND, "total refunded");
    }

    function test_refundBond_RevertWhen_LiveAndExcluded() external {
        _liveWithExclusions();
        assertTrue(forge.isExcluded(IForge.Pool.Data, 1), "data excluded");
        assertTrue(forge.isExcluded(IForge.Pool.Compute, 1), "compute excluded");
        vm.expectRevert(_noBond(IForge.Pool.Data, 1));
        forge.refundBond(IForge.Pool.Data, 1);
        vm.expectRevert(_noBond(IForge.Pool.Compute, 1));
        forge.refundBond(IForge.Pool.Compute, 1);
        vm.expectRevert(_noBond(IForge.Pool.Data, 2));
        forge.refundBond(IForge.Pool.Data, 2); // no such entry
        vm.expectRevert(_noBond(IForge.Pool.Capital, 0));
        forge.refundBond(IForge.Pool.Capital, 0); // capital carries no bond
    }

    function test_forfeitBonds_whenLive_paysExcludedBondsToHoldersAsEthRevenueOnce() external {
        uint256 id = _liveWithExclusions();
        assertEq(forge.bondsForfeited(), DATA_BOND + COMPUTE_BOND, "forfeited");
        vm.expectEmit(true, false, false, true);
        emit IForge.BondsForfeited(id, DATA_BOND + COMPUTE_BOND);
        vm.prank(address(0xD00D)); // anyone
        assertEq(forge.forfeitBonds(), DATA_BOND + COMPUTE_BOND, "paid");
        assertEq(address(splitter).balance, DATA_BOND + COMPUTE_BOND, "splitter received");
        assertTrue(splitter.claimable(id, address(0), alice) > 0, "alice (a holder) earns from mallory's bonds");
        assertEq(splitter.claimable(id, address(0), mallory), 0, "mallory holds no shares");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToForfeit.selector));
        forge.forfeitBonds();
        // Refunds and the forfeit leave nothing behind.
        forge.refundBond(IForge.Pool.Data, 0);
        forge.refundBond(IForge.Pool.Compute, 0);
        assertEq(address(forge).balance, 0, "every bond wei paid out");
    }

    function test_forfeitBonds_RevertWhen_NothingExcluded() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        vm.warp(END);
        submit(forge, resultFor(forge));
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToForfeit.selector));
        forge.forfeitBonds();
    }

    // ------------------------------------------------------------ Failed: everything refunded

    function test_refundBond_whenFailed_refundsEveryEntry() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        contributeData(forge, mallory, 2);
        registerCompute(forge, mallory, 1);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Open, IForge.Phase.Live));
        forge.refundBond(IForge.Pool.Data, 0);
        vm.warp(EVAL_DEADLINE);
        forge.refundBond(IForge.Pool.Data, 0);
        forge.refundBond(IForge.Pool.Data, 1);
        forge.refundBond(IForge.Pool.Compute, 0);
        assertEq(forge.bondsRefunded(), 2 * DATA_BOND + COMPUTE_BOND, "all refunded");
        assertEq(address(forge).balance, 0, "nothing stuck");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Failed, IForge.Phase.Live));
        forge.forfeitBonds();
    }

    // ------------------------------------------------------------ the result's excluded lists

    function test_submitEvalResult_RevertWhen_ExcludedEntryCarriesAScore() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        vm.warp(END);
        IForge.EvalResult memory r = resultFor(forge);
        r.excludedData = new uint256[](1);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeExcludedWithWeight.selector, IForge.Pool.Data, 0));
        submit(forge, r);
    }

    function test_submitEvalResult_RevertWhen_ExcludedIdsNotStrictlyIncreasingOrOutOfRange() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        contributeData(forge, bob, 2);
        registerCompute(forge, bob, 1);
        vm.warp(END);
        IForge.EvalResult memory r = resultFor(forge);
        r.dataScores[0] = 0;
        r.dataScores[1] = 0;
        r.excludedData = new uint256[](2);
        r.excludedData[0] = 1;
        r.excludedData[1] = 1;
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadExcludedId.selector, IForge.Pool.Data, 1, 1));
        submit(forge, r);
        r.excludedData[1] = 2;
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadExcludedId.selector, IForge.Pool.Data, 1, 2));
        submit(forge, r);
        r.excludedData = new uint256[](0);
        r.computeWork[0] = 0;
        r.excludedCompute = new uint256[](1);
        r.excludedCompute[0] = 1;
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadExcludedId.selector, IForge.Pool.Compute, 0, 1));
        submit(forge, r);
    }

    /// F3: filling the Forge's slots is no longer free: each entry ties up its bond, and an
    /// excluded one loses it to the holders.
    function test_fillingAForge_costsABondPerEntry() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.caps = IForge.Caps({maxData: 50, maxCompute: 1, maxCapital: 1});
        Forge f = createForge(c);
        vm.warp(START);
        for (uint256 i; i < 50; ++i) contributeData(f, mallory, 100 + i);
        assertEq(address(f).balance, 50 * DATA_BOND, "50 slots tie up 50 bonds");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgePoolFull.selector, IForge.Pool.Data, 50));
        contributeData(f, alice, 1);
    }
}
