// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {ShareTreeReference} from "./utils/ShareTreeReference.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {IIngot} from "../../contracts/interfaces/IIngot.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {Forge} from "../../contracts/Forge.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @notice Claim by proof: a result with more than DIRECT_MINT_MAX_HOLDERS holder entries escrows
/// the shares in the Forge under a Merkle root; holders claim them with proofs, and revenue paid
/// meanwhile reaches them exactly.
contract ForgeShareClaimsTest is ForgeFixture {
    uint256 internal constant ACC = 1e18;
    address internal constant WORKER = address(0xE0);
    address internal constant FUNDER = address(0xF0);
    address internal constant STRANGER = address(0x5757);

    Forge internal forge;

    function setUp() public override {
        super.setUp();
        forge = createDefaultForge();
    }

    function _dataContributor(uint256 i) internal pure returns (address) {
        return address(uint160(0x100000 + i));
    }

    /// @dev `nData` data contributions from distinct accounts, one worker, one capital position:
    /// 3 + nData holder entries (creator, data, compute, capital).
    function _populate(Forge f, uint256 nData) internal {
        vm.warp(f.config().windowStart);
        for (uint256 i; i < nData; ++i) {
            contributeData(f, _dataContributor(i), i);
        }
        registerCompute(f, WORKER, 0);
        contributeEth(f, FUNDER, 2 ether);
        vm.warp(f.config().windowEnd);
    }

    /// @dev Uneven scores so the data shares differ (and round).
    function _result(Forge f) internal view returns (IForge.EvalResult memory r) {
        r = resultFor(f);
        for (uint256 i; i < r.dataScores.length; ++i) {
            r.dataScores[i] = int256(1 + (i % 7)) * 1e16;
        }
    }

    /// @dev Submits a result with 257 holder entries (one past the direct-mint limit).
    function _escrowed() internal returns (uint256 id, address[] memory holders, uint256[] memory amounts) {
        _populate(forge, forge.DIRECT_MINT_MAX_HOLDERS() - 2);
        IForge.EvalResult memory r = _result(forge);
        (holders, amounts,) = forge.previewAllocation(r);
        id = submit(forge, r);
    }

    function _proof(address[] memory holders, uint256[] memory amounts, uint256 index)
        internal
        pure
        returns (bytes32[] memory)
    {
        return ShareTreeReference.proof(ShareTreeReference.leaves(holders, amounts), index);
    }

    function _claim(address[] memory holders, uint256[] memory amounts, uint256 index) internal {
        vm.prank(STRANGER);
        forge.claimShares(index, holders[index], amounts[index], _proof(holders, amounts, index));
    }

    function _payEth(uint256 id, uint256 amount) internal {
        vm.deal(STRANGER, amount);
        vm.prank(STRANGER);
        splitter.pay{value: amount}(id, address(0), amount);
    }

    // ------------------------------------------------------------ which path

    function test_submitEvalResult_whenHoldersAtLimit_mintsDirectly() external {
        _populate(forge, forge.DIRECT_MINT_MAX_HOLDERS() - 3);
        IForge.EvalResult memory r = _result(forge);
        (address[] memory holders, uint256[] memory amounts,) = forge.previewAllocation(r);
        assertEq(holders.length, forge.DIRECT_MINT_MAX_HOLDERS(), "entries at the limit");
        uint256 id = submit(forge, r);
        assertEq(forge.sharesRoot(), bytes32(0), "no root");
        assertEq(forge.shareClaimCount(), 0, "no leaves");
        assertEq(ingot.balanceOf(address(forge), id), 0, "nothing escrowed");
        for (uint256 i; i < holders.length; ++i) {
            assertEq(ingot.balanceOf(holders[i], id), amounts[i], "minted as previewed");
        }
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNoShareClaims.selector, address(forge)));
        forge.claimShares(0, holders[0], amounts[0], new bytes32[](0));
    }

    function test_submitEvalResult_whenHoldersAboveLimit_escrowsSharesUnderRoot() external {
        _populate(forge, forge.DIRECT_MINT_MAX_HOLDERS() - 2);
        IForge.EvalResult memory r = _result(forge);
        (address[] memory holders, uint256[] memory amounts, bytes32 previewRoot) = forge.previewAllocation(r);
        bytes32 expectedRoot = ShareTreeReference.root(ShareTreeReference.leaves(holders, amounts));
        assertEq(previewRoot, expectedRoot, "preview root");

        uint256 sum;
        for (uint256 i; i < amounts.length; ++i) sum += amounts[i];
        assertEq(sum, SUPPLY, "entries sum to the supply");

        vm.expectEmit(true, true, true, true);
        emit IForge.SharesEscrowed(1, expectedRoot, holders.length, SUPPLY);
        uint256 id = submit(forge, r);

        assertEq(forge.sharesRoot(), expectedRoot, "stored root");
        assertEq(forge.shareClaimCount(), holders.length, "leaf count");
        assertEq(holders.length, forge.DIRECT_MINT_MAX_HOLDERS() + 1, "entries past the limit");
        assertEq(ingot.balanceOf(address(forge), id), SUPPLY, "escrow holds every share");
        assertEq(ingot.balanceOf(creator, id), 0, "creator waits for its claim");
        assertEq(splitter.escrowOf(id), address(forge), "escrow registered");
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Live), "live");
    }

    function test_submitEvalResult_whenForkEscrows_lineageStillGoesToSplitter() external {
        Forge parentForge = createDefaultForge();
        vm.warp(START);
        contributeData(parentForge, _dataContributor(0), 999_999);
        vm.warp(END);
        uint256 parent = submit(parentForge, resultFor(parentForge));

        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        c.split = IForge.Split({dataBps: 5_000, computeBps: 2_000, capitalBps: 2_000, creatorBps: 500, lineageBps: 500});
        forge = createForge(c);
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        assertEq(ingot.balanceOf(address(splitter), id), 50_000_000, "lineage pool");
        assertEq(ingot.balanceOf(address(forge), id), SUPPLY - 50_000_000, "escrowed");
        _claim(holders, amounts, 1);
        assertEq(ingot.balanceOf(holders[1], id), amounts[1], "claimed on a fork");
    }

    // ------------------------------------------------------------ claims

    function test_claimShares_whenProofValid_movesSharesToAccountAndMarksIndex() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        uint256 k = 17;
        bytes32[] memory proof = _proof(holders, amounts, k);
        vm.expectEmit(true, true, true, true);
        emit IForge.SharesClaimed(id, k, holders[k], amounts[k]);
        vm.prank(holders[k]);
        forge.claimShares(k, holders[k], amounts[k], proof);
        assertEq(ingot.balanceOf(holders[k], id), amounts[k], "claimed");
        assertEq(ingot.balanceOf(address(forge), id), SUPPLY - amounts[k], "escrow lowered");
        assertTrue(forge.isShareClaimed(k), "marked");
        assertTrue(!forge.isShareClaimed(k + 1) && !forge.isShareClaimed(k - 1), "neighbours untouched");
    }

    function test_claimShares_whenSentByAnother_sharesGoToTheAccount() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        _claim(holders, amounts, 0);
        assertEq(ingot.balanceOf(creator, id), amounts[0], "creator (leaf 0) got its shares");
        assertEq(ingot.balanceOf(STRANGER, id), 0, "sender got nothing");
    }

    function test_claimShares_RevertWhen_ProofInvalid() external {
        (, address[] memory holders, uint256[] memory amounts) = _escrowed();
        uint256 k = 5;
        bytes32[] memory proof = _proof(holders, amounts, k);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeInvalidShareProof.selector, k, holders[k], amounts[k] + 1));
        forge.claimShares(k, holders[k], amounts[k] + 1, proof);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeInvalidShareProof.selector, k, STRANGER, amounts[k]));
        forge.claimShares(k, STRANGER, amounts[k], proof);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeInvalidShareProof.selector, k + 1, holders[k], amounts[k]));
        forge.claimShares(k + 1, holders[k], amounts[k], proof);
        proof[0] = bytes32(uint256(proof[0]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeInvalidShareProof.selector, k, holders[k], amounts[k]));
        forge.claimShares(k, holders[k], amounts[k], proof);
    }

    function test_claimShares_RevertWhen_AlreadyClaimed() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        uint256 k = 200;
        _claim(holders, amounts, k);
        bytes32[] memory proof = _proof(holders, amounts, k);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeSharesAlreadyClaimed.selector, k, holders[k]));
        forge.claimShares(k, holders[k], amounts[k], proof);
        assertEq(ingot.balanceOf(holders[k], id), amounts[k], "claimed once");
    }

    function test_claimShares_RevertWhen_NoResultYet() external {
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNoShareClaims.selector, address(forge)));
        forge.claimShares(0, creator, 1, new bytes32[](0));
    }

    function test_claimShares_whenEveryLeafClaimed_escrowIsEmptyAndBalancesMatch() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        bytes32[] memory leaves = ShareTreeReference.leaves(holders, amounts);
        for (uint256 i; i < holders.length; ++i) {
            forge.claimShares(i, holders[i], amounts[i], ShareTreeReference.proof(leaves, i));
        }
        assertEq(ingot.balanceOf(address(forge), id), 0, "escrow empty");
        for (uint256 i; i < holders.length; ++i) {
            assertEq(ingot.balanceOf(holders[i], id), amounts[i], "holder balance");
        }
    }

    // ------------------------------------------------------------ revenue

    function test_claimShares_whenRevenuePaidBefore_claimerReceivesItExactly() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        assertEq(forge.releaseCapital(), 2 ether, "capital released as first revenue");
        _payEth(id, 1 ether);
        (uint256 perShare,) = splitter.poolOf(id, address(0));
        assertEq(splitter.claimable(id, address(0), address(forge)), 0, "escrow earns nothing itself");

        uint256 k = 42;
        assertEq(splitter.claimable(id, address(0), holders[k]), 0, "nothing before the claim");
        _claim(holders, amounts, k);
        uint256 expected = amounts[k] * perShare / ACC;
        assertEq(splitter.claimable(id, address(0), holders[k]), expected, "revenue followed the shares");
        // perShare is 3 ether spread over 1e9 shares (floored); the exact share is within one wei.
        assertLe(expected, amounts[k] * 3 ether / SUPPLY, "not above the exact share");
        assertGe(expected + 1, amounts[k] * 3 ether / SUPPLY, "not a wei below");

        vm.prank(holders[k]);
        assertEq(splitter.claim(id, address(0), holders[k]), expected, "paid out");
        assertEq(holders[k].balance, expected, "received");
    }

    function test_transfer_whenSharesWereClaimed_settlesBothSidesLikeAnyShares() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        uint256 k = 9;
        _claim(holders, amounts, k);
        _payEth(id, 1 ether);
        (uint256 p1,) = splitter.poolOf(id, address(0));
        _claim(holders, amounts, k + 1);
        vm.prank(holders[k]);
        ingot.safeTransferFrom(holders[k], holders[k + 1], id, amounts[k] / 2, "");
        _payEth(id, 1 ether);
        (uint256 p2,) = splitter.poolOf(id, address(0));

        uint256 keptByK = amounts[k] - amounts[k] / 2;
        uint256 expectedK = (amounts[k] * p1 + keptByK * (p2 - p1)) / ACC;
        uint256 expectedNext = (amounts[k + 1] * p2 + (amounts[k] / 2) * (p2 - p1)) / ACC;
        assertEq(splitter.claimable(id, address(0), holders[k]), expectedK, "sender settled before the transfer");
        assertEq(splitter.claimable(id, address(0), holders[k + 1]), expectedNext, "claimer: escrowed + received");
    }

    function test_claimShares_whenAccountAlreadyHoldsShares_creditsOnlyTheClaimedShares() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        uint256 a = 3;
        uint256 b = 4;
        _claim(holders, amounts, a);
        _payEth(id, 1 ether);
        (uint256 p1,) = splitter.poolOf(id, address(0));
        // a gives all its shares to b's account before b claims: b is settled on them (earned
        // nothing yet as b's), then credited its own leaf's earnings since the mint.
        vm.prank(holders[a]);
        ingot.safeTransferFrom(holders[a], holders[b], id, amounts[a], "");
        _claim(holders, amounts, b);
        _payEth(id, 1 ether);
        (uint256 p2,) = splitter.poolOf(id, address(0));
        assertEq(splitter.claimable(id, address(0), holders[a]), amounts[a] * p1 / ACC, "a kept the first payment");
        assertEq(
            splitter.claimable(id, address(0), holders[b]),
            (amounts[b] * p2 + amounts[a] * (p2 - p1)) / ACC,
            "b: own leaf since mint + a's shares since the transfer"
        );
    }

    function test_claimShares_whenEveryLeafClaimedAfterRevenue_paymentsAreFullyAccounted() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        _payEth(id, 7 ether + 13);
        bytes32[] memory leaves = ShareTreeReference.leaves(holders, amounts);
        for (uint256 i; i < holders.length; ++i) {
            forge.claimShares(i, holders[i], amounts[i], ShareTreeReference.proof(leaves, i));
        }
        _payEth(id, 1 ether);
        uint256 owed;
        for (uint256 i; i < holders.length; ++i) {
            owed += splitter.claimable(id, address(0), holders[i]);
        }
        assertLe(owed, 8 ether + 13, "never more than paid");
        assertGe(owed + holders.length, 8 ether + 13, "at most a wei of dust per holder");
    }

    // ------------------------------------------------------------ the escrow cannot be abused

    function test_escrow_RevertWhen_SharesSentIntoIt() external {
        (uint256 id, address[] memory holders, uint256[] memory amounts) = _escrowed();
        _claim(holders, amounts, 2);
        vm.prank(holders[2]);
        vm.expectRevert(abi.encodeWithSelector(IRevenueSplitter.SplitterSharesToEscrow.selector, id, holders[2]));
        ingot.safeTransferFrom(holders[2], address(forge), id, 1, "");
    }

    function test_releaseEscrowed_RevertWhen_CallerHasNoIngot() external {
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotOnlyForge.selector, address(this)));
        ingot.releaseEscrowed(address(this), 1);
        vm.prank(address(forge));
        vm.expectRevert(abi.encodeWithSelector(IIngot.IngotOnlyForge.selector, address(forge)));
        ingot.releaseEscrowed(creator, 1);
    }

    function test_releaseEscrowed_RevertWhen_DirectForgeHoldsNoShares() external {
        _populate(forge, 2);
        uint256 id = submit(forge, _result(forge));
        vm.prank(address(forge));
        vm.expectRevert(
            abi.encodeWithSelector(IERC1155Errors.ERC1155InsufficientBalance.selector, address(forge), 0, 1, id)
        );
        ingot.releaseEscrowed(creator, 1);
    }

    // ------------------------------------------------------------ preview

    function test_previewAllocation_matchesDirectMint() external {
        _populate(forge, 12);
        IForge.EvalResult memory r = _result(forge);
        r.dataScores[3] = -1e18; // no shares: omitted
        (address[] memory holders, uint256[] memory amounts,) = forge.previewAllocation(r);
        assertEq(holders.length, 1 + 11 + 1 + 1, "zero entries omitted");
        uint256 id = submit(forge, r);
        for (uint256 i; i < holders.length; ++i) {
            assertEq(ingot.balanceOf(holders[i], id), amounts[i], "balance as previewed");
        }
        assertEq(holders[0], creator, "creator first");
        assertEq(holders[holders.length - 1], FUNDER, "capital last");
    }

    function test_previewAllocation_RevertWhen_VectorsWrong() external {
        _populate(forge, 3);
        IForge.EvalResult memory r = _result(forge);
        r.dataIds[1] = 2;
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadContributionId.selector, IForge.Pool.Data, 1, 2));
        forge.previewAllocation(r);
    }
}
