// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";

/// @notice An Ingot minted from a Forge in which nobody earned a share: no contribution at all, or
/// every entry excluded. Its shares are never held by nobody: the supply is fixed
/// (SHARE_SUPPLY, minted in full at the result), a lineage royalty is below 100%, and every pool
/// left empty goes to the creator (see IForge), so the creator holds every share the lineage pool
/// leaves. Fees paid to such an Ingot, forfeited bonds and lineage royalties are all claimable:
/// nothing is stuck.
contract ForgeEmptyIngotTest is ForgeFixture {
    address internal constant PAYER = address(0x9A7E2);
    address internal constant D0 = address(0xD0);
    address internal constant D1 = address(0xD1);

    function _payEth(uint256 id, uint256 amount) internal {
        vm.deal(PAYER, amount);
        vm.prank(PAYER);
        splitter.pay{value: amount}(id, address(0), amount);
    }

    function _claimEth(uint256 id, address holder) internal returns (uint256 amount) {
        vm.prank(holder);
        amount = splitter.claim(id, address(0), holder);
    }

    function test_submitEvalResult_whenNoContribution_creatorHoldsEveryShareAndClaimsEveryFee() external {
        Forge f = createDefaultForge();
        vm.warp(END);
        uint256 id = submit(f, resultFor(f));
        assertEq(uint256(f.phase()), uint256(IForge.Phase.Live), "live");
        assertEq(ingot.balanceOf(creator, id), SUPPLY, "the creator holds the whole supply");

        _payEth(id, 1 ether);
        assertEq(_claimEth(id, creator), 1 ether, "the creator claims the whole fee");
        assertEq(address(splitter).balance, 0, "nothing stuck");

        vm.expectRevert(IForge.ForgeNothingToRelease.selector);
        f.releaseCapital();
        vm.expectRevert(IForge.ForgeNothingToForfeit.selector);
        f.forfeitBonds();
    }

    function test_submitEvalResult_whenNoContributionToAnErc20Forge_creatorClaimsFeesInTheCapitalAsset() external {
        MockERC20 usd = new MockERC20("USD Coin", "USDC", 6);
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = address(usd);
        Forge f = createForge(c);
        vm.warp(END);
        uint256 id = submit(f, resultFor(f));

        usd.mint(PAYER, 1_000e6);
        vm.startPrank(PAYER);
        usd.approve(address(splitter), 1_000e6);
        splitter.pay(id, address(usd), 1_000e6);
        vm.stopPrank();
        vm.prank(creator);
        assertEq(splitter.claim(id, address(usd), creator), 1_000e6, "the creator claims the whole fee");
        assertEq(usd.balanceOf(address(splitter)), 0, "nothing stuck");
    }

    function test_submitEvalResult_whenEveryEntryExcluded_creatorClaimsTheForfeitedBonds() external {
        Forge f = createDefaultForge();
        vm.warp(START);
        contributeData(f, D0, 0);
        contributeData(f, D1, 1);
        vm.warp(END);
        IForge.EvalResult memory r = resultFor(f);
        (r.dataScores[0], r.dataScores[1]) = (int256(0), int256(0));
        r.excludedData = new uint256[](2);
        (r.excludedData[0], r.excludedData[1]) = (0, 1);
        uint256 id = submit(f, r);
        assertEq(ingot.balanceOf(creator, id), SUPPLY, "the creator holds the whole supply");
        assertEq(ingot.balanceOf(D0, id) + ingot.balanceOf(D1, id), 0, "excluded entries earn nothing");

        assertEq(f.forfeitBonds(), 2 * DATA_BOND, "both bonds forfeited to the Ingot");
        assertEq(_claimEth(id, creator), 2 * DATA_BOND, "the creator claims them");
        assertEq(address(splitter).balance, 0, "nothing stuck");
    }

    function test_submitEvalResult_whenForkHasNoContribution_creatorHoldsAllButTheLineagePool() external {
        Forge parentForge = createDefaultForge();
        vm.warp(START);
        contributeData(parentForge, D0, 0);
        vm.warp(END);
        uint256 parent = submit(parentForge, resultFor(parentForge));

        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        c.split = IForge.Split({dataBps: 5_000, computeBps: 2_000, capitalBps: 2_000, creatorBps: 500, lineageBps: 500});
        Forge child = createForge(c);
        vm.warp(c.windowEnd);
        uint256 id = submit(child, resultFor(child));
        assertEq(ingot.balanceOf(creator, id), SUPPLY - 50_000_000, "the creator holds all but the lineage pool");
        assertEq(ingot.balanceOf(address(splitter), id), 50_000_000, "the lineage pool, held for the parent");

        _payEth(id, 1 ether);
        uint256 paid = _claimEth(id, creator) + _claimEth(parent, creator) + _claimEth(parent, D0);
        assertEq(paid, 1 ether, "the child's creator and the parent's holders claim all of it");
        assertEq(address(splitter).balance, 0, "nothing stuck");
    }
}
