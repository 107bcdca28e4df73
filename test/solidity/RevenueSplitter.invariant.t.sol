// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {IngotFixture} from "./utils/IngotFixture.sol";
import {RevenueSplitter} from "../../contracts/RevenueSplitter.sol";
import {Ingot} from "../../contracts/Ingot.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {ShrinkingToken} from "../../contracts/mocks/tokens/ShrinkingToken.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {MockForge} from "../../contracts/mocks/MockForge.sol";

/// @notice Drives the splitter with random payments (ETH, an ERC-20 and a fee-on-transfer token,
/// on a three-generation lineage plus a fork whose shares start in its Forge's escrow), share
/// transfers, releases from the escrow (claims by proof, without the proof) and revenue claims,
/// and keeps its own reference of what each holder earned: sum over payments of
/// balance-at-payment * amount-kept-by-that-Ingot / accruing shares, where a share released from
/// the escrow counts as held by its receiver since the mint.
///
/// A fourth asset, a token that shrinks (the splitter's balance rebased down, more taken than
/// sent on every send, a take armed inside someone's payment or claim), is kept apart: its
/// reference is what each Ingot was paid, valued in tokens when paid, and the lowest ratio of
/// balance to units owed ever seen after an action.
contract SplitterHandler is TestBase {
    uint256 internal constant BPS = 10_000;

    RevenueSplitter internal immutable splitter;
    Ingot internal immutable ingot;
    address[] internal actors;
    uint256[] internal ids;
    address[3] internal assets;
    MockForge internal immutable escrow;
    uint256 internal immutable escrowedId;

    mapping(address asset => uint256) public paidIn;
    mapping(address asset => uint256) public claimedOut;
    /// @dev Numerator of the exact reference earnings; divide by the Ingot's accruing shares.
    mapping(uint256 id => mapping(address asset => mapping(address actor => uint256))) public earnedNum;
    mapping(uint256 id => mapping(address asset => mapping(address actor => uint256))) public claimedBy;
    /// @dev Everything an Ingot kept of its payments so far, per asset (what one share of the
    /// supply earned since the mint, times the accruing shares).
    mapping(uint256 id => mapping(address asset => uint256)) public keptTotal;
    bool public claimedWrongAmount;
    bool public claimableAfterClaim;
    uint256 public calls;
    /// @dev Allowlisted tokens nobody pays more than dust in (issue 23, F8), and what came of it.
    MockERC20[] internal dustTokens;
    bool public dustAccepted;
    uint256 public dustRefused;

    /// @dev The shrinking token, and the value (tokens) each Ingot's holders were paid in it,
    /// each payment's kept units valued at its tokens per unit, floored and ceiled.
    ShrinkingToken public shrinking;
    mapping(uint256 id => uint256) public shrinkValueFloor;
    mapping(uint256 id => uint256) public shrinkValueCeil;
    mapping(uint256 id => uint256) public shrinkClaimedOn;
    uint256 public shrinkPayments;
    uint256 public shrinkClaims;
    /// @dev Lowest balance / owed seen after any action, scaled by 1e18 (1e18 while whole).
    uint256 public shrinkMinRate = 1e18;
    bool public shrinkClaimFailed;
    bool public shrinkPayFailedOddly;
    /// @dev A payment credited other than floor(tokens * owed / balance) units, or a claim of u
    /// units paid other than floor(u * balance / owed), at the balance and units before it.
    bool public shrinkRateRuleBroken;

    constructor(
        RevenueSplitter splitter_,
        Ingot ingot_,
        MockERC20 token,
        FeeOnTransferToken feeToken,
        address[] memory actors_,
        uint256[] memory ids_,
        MockForge escrow_,
        uint256 escrowedId_
    ) {
        splitter = splitter_;
        ingot = ingot_;
        actors = actors_;
        ids = ids_;
        assets = [address(0), address(token), address(feeToken)];
        escrow = escrow_;
        escrowedId = escrowedId_;
    }

    function payEth(uint256 ingotSeed, uint256 amount) external {
        uint256 id = ids[ingotSeed % ids.length];
        amount = bound(amount, 1, 1e24);
        vm.deal(address(this), amount);
        splitter.pay{value: amount}(id, address(0), amount);
        _record(id, address(0), amount);
    }

    function payToken(uint256 ingotSeed, uint256 amount) external {
        uint256 id = ids[ingotSeed % ids.length];
        amount = bound(amount, 1, 1e24);
        MockERC20 token = MockERC20(assets[1]);
        token.mint(address(this), amount);
        token.approve(address(splitter), amount);
        splitter.pay(id, address(token), amount);
        _record(id, address(token), amount);
    }

    /// @dev Credited by what arrived: the reference follows the splitter's return value, and the
    /// invariant checks that value against the balance the token really moved.
    function payFeeToken(uint256 ingotSeed, uint256 amount) external {
        uint256 id = ids[ingotSeed % ids.length];
        amount = bound(amount, 1, 1e24);
        FeeOnTransferToken token = FeeOnTransferToken(assets[2]);
        token.mint(address(this), amount);
        token.approve(address(splitter), amount);
        uint256 credited = splitter.pay(id, address(token), amount);
        _record(id, address(token), credited);
    }

    /// @dev Set once, by the test's setUp (later calls, the fuzzer's included, change nothing).
    function setDustTokens(MockERC20[] memory tokens) external {
        if (dustTokens.length != 0) return;
        for (uint256 i; i < tokens.length; ++i) dustTokens.push(tokens[i]);
    }

    /// @dev A first payment below the token's minimum: refused, so it never takes a slot and
    /// never enters the money the other invariants count.
    function payDust(uint256 ingotSeed, uint256 tokenSeed, uint256 amount) external {
        if (dustTokens.length == 0) return;
        uint256 id = ids[ingotSeed % ids.length];
        MockERC20 token = dustTokens[tokenSeed % dustTokens.length];
        amount = bound(amount, 1, splitter.minFirstPayment(address(token)) - 1);
        token.mint(address(this), amount);
        token.approve(address(splitter), amount);
        try splitter.pay(id, address(token), amount) {
            dustAccepted = true;
        } catch {
            ++dustRefused;
        }
        token.approve(address(splitter), 0);
    }

    /// @dev Set once, by the test's setUp.
    function setShrinking(ShrinkingToken token) external {
        if (address(shrinking) == address(0)) shrinking = token;
    }

    /// @dev A payment in the shrinking token, credited by what arrived. An armed take larger than
    /// the payment makes the balance fall during it: refused with `SplitterZeroPayment` only.
    function payShrinking(uint256 ingotSeed, uint256 amount) external {
        uint256 id = ids[ingotSeed % ids.length];
        amount = bound(amount, 1, 1e24);
        shrinking.mint(address(this), amount);
        shrinking.approve(address(splitter), amount);
        uint256 owedBefore = splitter.owedIn(address(shrinking));
        uint256 heldBefore = shrinking.balanceOf(address(splitter));
        try splitter.pay(id, address(shrinking), amount) returns (uint256 credited) {
            uint256 units = splitter.owedIn(address(shrinking)) - owedBefore;
            uint256 rate = heldBefore == 0 ? 1 : heldBefore;
            if (units != (rate >= owedBefore ? credited : credited * owedBefore / rate)) shrinkRateRuleBroken = true;
            _recordShrinking(id, credited, units);
        } catch (bytes memory reason) {
            if (bytes4(reason) != IRevenueSplitter.SplitterZeroPayment.selector) shrinkPayFailedOddly = true;
            shrinking.approve(address(splitter), 0);
        }
        _seeRate();
    }

    /// @dev A downward rebase of the splitter's balance, by up to half.
    function shrinkSplitter(uint256 bps) external {
        shrinking.shrink(address(splitter), bound(bps, 1, 5_000));
        _seeRate();
    }

    /// @dev From now on every send also burns up to 20% of its amount from the sender.
    function setSendTax(uint256 bps) external {
        shrinking.setSendTaxBps(bound(bps, 0, 2_000));
    }

    /// @dev The next transfer of the token, whoever makes it, also takes from the splitter.
    function armTake(uint256 amount) external {
        shrinking.setNextTransferTake(address(splitter), bound(amount, 0, 1e22));
    }

    /// @dev Never reverts and pays exactly what `claimable` said.
    function claimShrinking(uint256 actorSeed, uint256 ingotSeed) external {
        uint256 id = ids[ingotSeed % ids.length];
        address actor = actors[actorSeed % actors.length];
        uint256 expected = splitter.claimable(id, address(shrinking), actor);
        uint256 owedBefore = splitter.owedIn(address(shrinking));
        uint256 heldBefore = shrinking.balanceOf(address(splitter));
        vm.prank(actor);
        try splitter.claim(id, address(shrinking), actor) returns (uint256 got) {
            if (got != expected) shrinkClaimFailed = true;
            uint256 units = owedBefore - splitter.owedIn(address(shrinking));
            if (got != (heldBefore >= owedBefore ? units : units * heldBefore / owedBefore)) shrinkRateRuleBroken = true;
            shrinkClaimedOn[id] += got;
            claimedBy[id][address(shrinking)][actor] += got;
            ++shrinkClaims;
        } catch {
            shrinkClaimFailed = true;
        }
        _seeRate();
    }

    function _recordShrinking(uint256 id, uint256 credited, uint256 units) private {
        ++shrinkPayments;
        uint256 amount = units;
        for (uint256 level;; ++level) {
            (uint256 parentId, uint16 bps,,) = splitter.lineageOf(id);
            uint256 royalty = parentId != 0 && level < 8 ? (amount * bps) / BPS : 0;
            uint256 num = credited * (amount - royalty);
            shrinkValueFloor[id] += num / units;
            shrinkValueCeil[id] += (num + units - 1) / units;
            if (royalty == 0) return;
            (id, amount) = (parentId, royalty);
        }
    }

    function _seeRate() private {
        uint256 owed = splitter.owedIn(address(shrinking));
        if (owed == 0) return;
        uint256 rate = shrinking.balanceOf(address(splitter)) * 1e18 / owed;
        if (rate < shrinkMinRate) shrinkMinRate = rate;
        calls++;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 ingotSeed, uint256 amount) external {
        uint256 id = ids[ingotSeed % ids.length];
        address from = actors[fromSeed % actors.length];
        address to = actors[toSeed % actors.length];
        amount = bound(amount, 0, ingot.balanceOf(from, id));
        vm.prank(from);
        ingot.safeTransferFrom(from, to, id, amount, "");
        calls++;
    }

    /// @dev A claim by proof as the Forge performs it once the proof checked out.
    function release(uint256 actorSeed, uint256 amount) external {
        address to = actors[actorSeed % actors.length];
        amount = bound(amount, 0, ingot.balanceOf(address(escrow), escrowedId));
        escrow.release(ingot, to, amount);
        for (uint256 a; a < assets.length; ++a) {
            earnedNum[escrowedId][assets[a]][to] += amount * keptTotal[escrowedId][assets[a]];
        }
        calls++;
    }

    function claim(uint256 actorSeed, uint256 ingotSeed, uint256 assetSeed) external {
        uint256 id = ids[ingotSeed % ids.length];
        address actor = actors[actorSeed % actors.length];
        address asset = assets[assetSeed % assets.length];
        uint256 expected = splitter.claimable(id, asset, actor);
        vm.prank(actor);
        uint256 got = splitter.claim(id, asset, actor);
        if (got != expected) claimedWrongAmount = true;
        if (splitter.claimable(id, asset, actor) != 0) claimableAfterClaim = true;
        claimedOut[asset] += got;
        claimedBy[id][asset][actor] += got;
        calls++;
    }

    /// @dev The reference climbs the lineage by the documented rule; every asset here is
    /// accepted everywhere and slots never fill, so every royalty is forwarded.
    function _record(uint256 id, address asset, uint256 amount) private {
        paidIn[asset] += amount;
        calls++;
        for (uint256 level;; ++level) {
            (uint256 parentId, uint16 bps,,) = splitter.lineageOf(id);
            uint256 royalty = parentId != 0 && level < 8 ? (amount * bps) / BPS : 0;
            uint256 kept = amount - royalty;
            keptTotal[id][asset] += kept;
            for (uint256 i; i < actors.length; ++i) {
                earnedNum[id][asset][actors[i]] += ingot.balanceOf(actors[i], id) * kept;
            }
            if (royalty == 0) return;
            (id, amount) = (parentId, royalty);
        }
    }

    function actorList() external view returns (address[] memory) {
        return actors;
    }

    function idList() external view returns (uint256[] memory) {
        return ids;
    }

    function assetList() external view returns (address[3] memory) {
        return assets;
    }

    function escrowed() external view returns (address, uint256) {
        return (address(escrow), escrowedId);
    }

    receive() external payable {}
}

/// forge-config: default.invariant.runs = 24
/// forge-config: default.invariant.depth = 40
contract RevenueSplitterInvariantTest is IngotFixture {
    SplitterHandler internal handler;
    MockERC20 internal token;
    FeeOnTransferToken internal feeToken;
    ShrinkingToken internal shrinking;
    address[] internal actors;
    uint256[] internal ids;
    MockForge internal escrow;
    uint256 internal escrowedId;

    function setUp() external {
        _deploy();
        token = new MockERC20("USD Coin", "USDC", 6);
        splitter.setAssetAllowed(address(token), true, 1);
        feeToken = new FeeOnTransferToken(250);
        splitter.setAssetAllowed(address(feeToken), true, 1);
        actors.push(ALICE);
        actors.push(BOB);
        actors.push(CAROL);
        actors.push(PAYER);
        uint256 root = _mintThree(0, 0, address(0));
        uint256 child = _mintThree(root, 1_000, address(token));
        uint256 grandchild = _mintThree(child, 2_500, address(0));
        ids.push(root);
        ids.push(child);
        ids.push(grandchild);
        escrow = new MockForge();
        registry.setForge(address(escrow), true);
        uint256 lineage = (SUPPLY * 1_500) / 10_000;
        escrowedId = escrow.mintEscrowed(ingot, _info(root, 1_500, address(0)), SUPPLY - lineage, lineage);
        ids.push(escrowedId);
        handler = new SplitterHandler(splitter, ingot, token, feeToken, actors, ids, escrow, escrowedId);
        MockERC20[] memory dust = new MockERC20[](3);
        for (uint256 i; i < dust.length; ++i) {
            dust[i] = new MockERC20("Dust", "DUST", 18);
            splitter.setAssetAllowed(address(dust[i]), true, 1e18);
        }
        handler.setDustTokens(dust);
        shrinking = new ShrinkingToken();
        splitter.setAssetAllowed(address(shrinking), true, 1);
        handler.setShrinking(shrinking);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Money in = claimed + claimable + owed to escrowed shares + dust, and the splitter's
    /// balance covers it: the dust is below one wei per (holder, Ingot) plus one per pool and one
    /// for the escrow.
    function invariant_moneyIn_equalsClaimedPlusClaimablePlusDust() external view {
        address[3] memory assets = handler.assetList();
        for (uint256 a; a < assets.length; ++a) {
            address asset = assets[a];
            uint256 held = asset == address(0) ? address(splitter).balance : MockERC20(asset).balanceOf(address(splitter));
            assertEq(held, handler.paidIn(asset) - handler.claimedOut(asset), "balance = in - out");
            uint256 owed;
            for (uint256 i; i < ids.length; ++i) {
                for (uint256 j; j < actors.length; ++j) {
                    owed += splitter.claimable(ids[i], asset, actors[j]);
                }
                assertEq(splitter.claimable(ids[i], asset, address(splitter)), 0, "lineage shares accrue");
            }
            (uint256 perShare,) = splitter.poolOf(escrowedId, asset);
            owed += ingot.balanceOf(address(escrow), escrowedId) * perShare / 1e18;
            assertEq(splitter.claimable(escrowedId, asset, address(escrow)), 0, "escrow accrues");
            assertLe(owed, held, "claimable exceeds balance");
            assertLe(held - owed, ids.length * (actors.length + 1) + 1, "dust above bound");
        }
    }

    /// @notice Each holder's claimed + claimable is its exact pro-rata earnings, floored, within one wei.
    function invariant_eachHolderEarnsExactlyItsShare() external view {
        address[3] memory assets = handler.assetList();
        for (uint256 i; i < ids.length; ++i) {
            (,, uint256 accruing,) = splitter.lineageOf(ids[i]);
            for (uint256 a; a < assets.length; ++a) {
                for (uint256 j; j < actors.length; ++j) {
                    uint256 ref = handler.earnedNum(ids[i], assets[a], actors[j]) / accruing;
                    uint256 got =
                        splitter.claimable(ids[i], assets[a], actors[j]) + handler.claimedBy(ids[i], assets[a], actors[j]);
                    assertLe(got, ref + 1, "holder above reference");
                    assertGe(got + 1, ref, "holder below reference");
                }
            }
        }
    }

    /// @notice A claim pays exactly what was claimable, and nothing is claimable right after.
    function invariant_nothingClaimableTwice() external view {
        assertTrue(!handler.claimedWrongAmount(), "claim paid other than claimable");
        assertTrue(!handler.claimableAfterClaim(), "claimable after claim");
    }

    /// @notice Shares never appear or vanish, and the lineage pool never leaves the splitter.
    /// @dev Issue 23, F8: a first payment below an allowlisted asset's minimum never opens a slot.
    function invariant_dustNeverTakesAnAssetSlot() external view {
        assertTrue(!handler.dustAccepted(), "a payment below the minimum first payment was accepted");
        for (uint256 i; i < ids.length; ++i) {
            address[] memory listed = splitter.assetsOf(ids[i]);
            for (uint256 j; j < listed.length; ++j) {
                assertTrue(
                    listed[j] == address(0) || listed[j] == address(token) || listed[j] == address(feeToken)
                        || listed[j] == address(shrinking),
                    "a dust token holds a slot"
                );
            }
        }
    }

    /// @notice Shrinking token: every claim went through and paid what `claimable` said; a payment
    /// was refused only when the balance fell during it.
    function invariant_shrinkingToken_claimsNeverFail() external view {
        assertTrue(!handler.shrinkClaimFailed(), "a claim in the shrinking token reverted or paid other than claimable");
        assertTrue(!handler.shrinkPayFailedOddly(), "a payment in the shrinking token failed with another error");
    }

    /// @notice Shrinking token: every payment and claim followed the documented rate, balance /
    /// units owed before it (so a payment after a shortfall is neither diluted nor makes it up).
    function invariant_shrinkingToken_paymentsAndClaimsAtTheRateBeforeThem() external view {
        assertTrue(!handler.shrinkRateRuleBroken(), "a payment or claim off the balance / owed rate");
    }

    /// @notice Shrinking token: what the holders can claim (and the escrowed shares' part) never
    /// exceeds what the splitter holds, and all of it but dust is claimable: nothing is stuck.
    function invariant_shrinkingToken_everythingHeldIsClaimableAndNoMore() external view {
        uint256 held = shrinking.balanceOf(address(splitter));
        uint256 claimable;
        for (uint256 i; i < ids.length; ++i) claimable += _shrinkClaimable(ids[i]);
        assertLe(claimable, held, "claimable exceeds balance");
        assertLe(held - claimable, 2 * ids.length * (actors.length + 2), "dust above bound");
        assertLe(held, splitter.owedIn(address(shrinking)), "balance above units owed");
    }

    /// @notice Shrinking token: no Ingot's holders get more than that Ingot was paid (beyond
    /// rounding dust), and each Ingot's holders bear no more than the worst shortfall seen: they
    /// get at least its value times the lowest balance / owed ever seen.
    function invariant_shrinkingToken_eachIngotBearsItsShareOfTheShortfall() external view {
        uint256 dust = handler.shrinkClaims() + handler.shrinkPayments() + actors.length + 3;
        for (uint256 i; i < ids.length; ++i) {
            uint256 got = handler.shrinkClaimedOn(ids[i]) + _shrinkClaimable(ids[i]);
            assertLe(got, handler.shrinkValueCeil(ids[i]) + dust, "an Ingot paid from another's revenue");
            assertGe(got + dust, handler.shrinkValueFloor(ids[i]) * handler.shrinkMinRate() / 1e18, "an Ingot bore more than its share");
        }
    }

    /// @dev What the actors can claim on `id` in the shrinking token, plus its escrowed shares' part.
    function _shrinkClaimable(uint256 id) internal view returns (uint256 total) {
        address asset = address(shrinking);
        for (uint256 j; j < actors.length; ++j) total += splitter.claimable(id, asset, actors[j]);
        if (id != escrowedId) return total;
        (uint256 perShare,) = splitter.poolOf(id, asset);
        uint256 units = ingot.balanceOf(address(escrow), id) * perShare / 1e18;
        uint256 held = shrinking.balanceOf(address(splitter));
        uint256 owed = splitter.owedIn(asset);
        total += held >= owed ? units : units * held / owed;
    }

    function invariant_sharesSumToSupply() external view {
        for (uint256 i; i < ids.length; ++i) {
            uint256 sum = ingot.balanceOf(address(splitter), ids[i]) + ingot.balanceOf(address(escrow), ids[i]);
            for (uint256 j; j < actors.length; ++j) {
                sum += ingot.balanceOf(actors[j], ids[i]);
            }
            assertEq(sum, SUPPLY, "supply");
            (, uint16 bps,,) = splitter.lineageOf(ids[i]);
            assertEq(ingot.balanceOf(address(splitter), ids[i]), (SUPPLY * bps) / 10_000, "lineage pool");
        }
    }
}
