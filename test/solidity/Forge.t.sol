// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";

/// @notice Phases, contributions and the capital escrow (refund on FAILED, release on LIVE).
contract ForgeTest is ForgeFixture {
    Forge internal forge;
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);

    function setUp() public override {
        super.setUp();
        forge = createDefaultForge();
    }

    function _wrongPhase(Forge f, IForge.Phase current, IForge.Phase expected) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(f), current, expected);
    }

    function _tokenForge(uint256 feeBps) internal returns (Forge f, FeeOnTransferToken token) {
        token = new FeeOnTransferToken(feeBps);
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = address(token);
        f = createForge(c);
    }

    function _contributeToken(Forge f, FeeOnTransferToken token, address who, uint256 amount) internal returns (uint256) {
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(f), amount);
        uint256 credited = f.contributeCapital(amount);
        vm.stopPrank();
        return credited;
    }

    // ------------------------------------------------------------ phases

    function test_phase_movesPendingOpenClosedFailedWithTime() external {
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Pending), "pending");
        vm.warp(START - 1);
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Pending), "pending until start");
        vm.warp(START);
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Open), "open at start");
        vm.warp(END - 1);
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Open), "open until end");
        vm.warp(END);
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Closed), "closed at end");
        vm.warp(EVAL_DEADLINE);
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Failed), "failed at deadline");
    }

    function test_phase_whenResultAccepted_staysLiveAfterDeadline() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        vm.warp(END);
        submit(forge, resultFor(forge));
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Live), "live");
        vm.warp(EVAL_DEADLINE + 365 days);
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Live), "still live");
    }

    // ------------------------------------------------------------ data

    function test_contributeData_recordsContributorAndEmits() external {
        vm.warp(START);
        bytes32 root = keccak256("dataset");
        vm.expectEmit(true, true, true, true);
        emit IForge.DataContributed(0, alice, root, 4_096, 32, "ipfs://license");
        vm.prank(alice);
        uint256 id = forge.contributeData(root, 4_096, 32, "ipfs://license");
        assertEq(id, 0, "first id");
        assertEq(forge.dataContributor(0), alice, "contributor");
        (bool exists, uint256 dataId) = forge.dataIdOf(alice, root);
        assertTrue(exists && dataId == 0, "root indexed");
        assertEq(contributeData(forge, bob, 2), 1, "second id");
    }

    function test_contributeData_RevertWhen_NotOpen() external {
        vm.expectRevert(_wrongPhase(forge, IForge.Phase.Pending, IForge.Phase.Open));
        forge.contributeData(keccak256("d"), 1, 1, "u");
        vm.warp(END);
        vm.expectRevert(_wrongPhase(forge, IForge.Phase.Closed, IForge.Phase.Open));
        forge.contributeData(keccak256("d"), 1, 1, "u");
    }

    /// F1: Mallory copies Alice's pending contributeData and lands first: Alice's own call must
    /// still be accepted as her entry, and Mallory's copy is a separate entry of Mallory's.
    function test_contributeData_whenRootCopiedByAnotherSenderFirst_acceptsTheAuthorToo() external {
        vm.warp(START);
        bytes32 root = keccak256("alice's dataset");
        address mallory = address(0xBAD);
        vm.prank(mallory);
        uint256 copyId = forge.contributeData(root, 4_096, 32, "ipfs://license");
        vm.prank(alice);
        uint256 aliceId = forge.contributeData(root, 4_096, 32, "ipfs://license");
        assertEq(copyId, 0, "copy id");
        assertEq(aliceId, 1, "author id");
        assertEq(forge.dataContributor(aliceId), alice, "author credited for her entry");
        (bool exists, uint256 id) = forge.dataIdOf(alice, root);
        assertTrue(exists && id == aliceId, "alice's entry indexed under alice");
        (exists, id) = forge.dataIdOf(mallory, root);
        assertTrue(exists && id == copyId, "mallory's copy indexed under mallory");
    }

    function test_contributeData_RevertWhen_SameSenderRepeatsRoot() external {
        vm.warp(START);
        bytes32 root = keccak256("dataset");
        vm.prank(alice);
        forge.contributeData(root, 1, 1, "u");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeDuplicateDataRoot.selector, alice, root, 0));
        forge.contributeData(root, 2, 2, "v");
    }

    function test_contributeData_RevertWhen_FieldZero() external {
        vm.warp(START);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroDataRoot.selector));
        forge.contributeData(0, 1, 1, "u");
        bytes32 root = keccak256("d");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroDataSize.selector, root));
        forge.contributeData(root, 0, 1, "u");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroExampleCount.selector, root));
        forge.contributeData(root, 1, 0, "u");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeEmptyDataMetadata.selector, root));
        forge.contributeData(root, 1, 1, "");
    }

    function test_contributeData_RevertWhen_CapReached() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.caps.maxData = 2;
        Forge f = createForge(c);
        vm.warp(START);
        contributeData(f, alice, 1);
        contributeData(f, alice, 2);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgePoolFull.selector, IForge.Pool.Data, 2));
        contributeData(f, alice, 3);
    }

    function test_contribute_RevertWhen_ForgeHoldsMaxContributionsAcrossPools() external {
        vm.prank(admin);
        factory.setMaxTotalContributions(3);
        Forge f = createDefaultForge();
        vm.warp(START);
        contributeData(f, alice, 1);
        registerCompute(f, alice, 1);
        contributeEth(f, alice, 1);
        contributeEth(f, alice, 1); // a top-up is not a new contribution
        bytes memory full = abi.encodeWithSelector(IForge.ForgeFull.selector, 3);
        vm.expectRevert(full);
        contributeData(f, bob, 2);
        vm.expectRevert(full);
        registerCompute(f, bob, 2);
        vm.deal(bob, 1);
        vm.prank(bob);
        vm.expectRevert(full);
        f.contributeCapital{value: 1}(1);
    }

    // ------------------------------------------------------------ compute

    function test_registerCompute_recordsWorkerAndEmits() external {
        vm.warp(START);
        vm.expectEmit(true, true, true, true);
        emit IForge.ComputeRegistered(0, alice, address(0x5167), bytes32(uint256(7)), 4);
        vm.prank(alice);
        uint256 id = forge.registerCompute(address(0x5167), bytes32(uint256(7)), 4);
        assertEq(id, 0, "id");
        assertEq(forge.computeWorker(0), alice, "worker");
        (bool exists, uint256 cid) = forge.computeIdOfSigner(address(0x5167));
        assertTrue(exists && cid == 0, "signer indexed");
    }

    function test_registerCompute_RevertWhen_SignerOrKeyReused() external {
        vm.warp(START);
        vm.prank(alice);
        forge.registerCompute(address(0x5167), bytes32(uint256(7)), 4);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeDuplicateComputeSigner.selector, address(0x5167), 0));
        forge.registerCompute(address(0x5167), bytes32(uint256(8)), 4);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeDuplicateComputeKey.selector, bytes32(uint256(7)), 0));
        forge.registerCompute(address(0x5168), bytes32(uint256(7)), 4);
    }

    function test_registerCompute_RevertWhen_FieldZero() external {
        vm.warp(START);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroComputeSigner.selector));
        forge.registerCompute(address(0), bytes32(uint256(7)), 4);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroComputeKey.selector, address(0x5167)));
        forge.registerCompute(address(0x5167), 0, 4);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroCapacity.selector, address(0x5167)));
        forge.registerCompute(address(0x5167), bytes32(uint256(7)), 0);
    }

    function test_registerCompute_RevertWhen_CapReachedOrNotOpen() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.caps.maxCompute = 1;
        Forge f = createForge(c);
        vm.expectRevert(_wrongPhase(f, IForge.Phase.Pending, IForge.Phase.Open));
        registerCompute(f, alice, 1);
        vm.warp(START);
        registerCompute(f, alice, 1);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgePoolFull.selector, IForge.Pool.Compute, 1));
        registerCompute(f, bob, 2);
    }

    // ------------------------------------------------------------ capital

    function test_contributeCapital_whenEth_escrowsAndTopsUpOnePosition() external {
        vm.warp(START);
        vm.expectEmit(true, true, false, true);
        emit IForge.CapitalContributed(0, alice, 1 ether, 1 ether, 1 ether);
        contributeEth(forge, alice, 1 ether);
        contributeEth(forge, bob, 2 ether);
        vm.expectEmit(true, true, false, true);
        emit IForge.CapitalContributed(0, alice, 0.5 ether, 0.5 ether, 1.5 ether);
        contributeEth(forge, alice, 0.5 ether);
        (,, uint256 positions) = forge.counts();
        assertEq(positions, 2, "one position per address");
        assertEq(forge.capitalOf(alice), 1.5 ether, "alice position");
        assertEq(forge.totalCapital(), 3.5 ether, "total");
        assertEq(address(forge).balance, 3.5 ether, "escrowed");
    }

    function test_contributeCapital_RevertWhen_EthValueMismatch() external {
        vm.warp(START);
        vm.deal(alice, 2 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadValue.selector, 1 ether, 2 ether));
        forge.contributeCapital{value: 1 ether}(2 ether);
    }

    function test_contributeCapital_RevertWhen_ZeroAmount() external {
        vm.warp(START);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeZeroCapital.selector));
        forge.contributeCapital(0);
    }

    function test_contributeCapital_RevertWhen_NewPositionOverCap() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.caps.maxCapital = 1;
        Forge f = createForge(c);
        vm.warp(START);
        contributeEth(f, alice, 1);
        contributeEth(f, alice, 1); // a top-up is not a new position
        vm.deal(bob, 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgePoolFull.selector, IForge.Pool.Capital, 1));
        f.contributeCapital{value: 1}(1);
    }

    function test_contributeCapital_whenErc20_pullsAndCredits() external {
        (Forge f, FeeOnTransferToken token) = _tokenForge(0);
        vm.warp(START);
        assertEq(_contributeToken(f, token, alice, 500), 500, "credited");
        assertEq(token.balanceOf(address(f)), 500, "escrowed");
        assertEq(f.capitalOf(alice), 500, "position");
    }

    function test_contributeCapital_whenFeeOnTransfer_creditsAmountReceived() external {
        (Forge f, FeeOnTransferToken token) = _tokenForge(100); // 1 % fee
        vm.warp(START);
        token.mint(alice, 10_000);
        vm.startPrank(alice);
        token.approve(address(f), 10_000);
        vm.expectEmit(true, true, false, true);
        emit IForge.CapitalContributed(0, alice, 10_000, 9_900, 9_900);
        f.contributeCapital(10_000);
        vm.stopPrank();
        assertEq(f.capitalOf(alice), 9_900, "net position");
        assertEq(f.totalCapital(), token.balanceOf(address(f)), "escrow equals balance");
    }

    function test_contributeCapital_RevertWhen_EthSentToErc20Forge() external {
        (Forge f,) = _tokenForge(0);
        vm.warp(START);
        vm.deal(alice, 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeBadValue.selector, 1, 1));
        f.contributeCapital{value: 1}(1);
    }

    // ------------------------------------------------------------ refund

    function test_refund_whenFailed_returnsExactlyWhatWasCreditedOnce() external {
        vm.warp(START);
        contributeEth(forge, alice, 1 ether);
        contributeEth(forge, alice, 2 ether);
        contributeEth(forge, bob, 5 ether);
        vm.warp(EVAL_DEADLINE);
        uint256 before = alice.balance;
        vm.expectEmit(true, false, false, true);
        emit IForge.CapitalRefunded(alice, 3 ether);
        vm.prank(alice);
        assertEq(forge.refund(), 3 ether, "refunded");
        assertEq(alice.balance - before, 3 ether, "received");
        assertEq(forge.totalRefunded(), 3 ether, "total refunded");
        assertEq(address(forge).balance, 5 ether, "bob's stays");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToRefund.selector, alice));
        forge.refund();
    }

    function test_refund_whenErc20FeeOnTransfer_returnsCreditedAmount() external {
        (Forge f, FeeOnTransferToken token) = _tokenForge(100);
        vm.warp(START);
        _contributeToken(f, token, alice, 10_000);
        vm.warp(EVAL_DEADLINE);
        vm.prank(alice);
        assertEq(f.refund(), 9_900, "refund is the credited amount");
        assertEq(token.balanceOf(address(f)), 0, "escrow empty");
    }

    function test_refund_RevertWhen_NotFailed() external {
        vm.warp(START);
        contributeEth(forge, alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(_wrongPhase(forge, IForge.Phase.Open, IForge.Phase.Failed));
        forge.refund();
        vm.warp(END);
        vm.prank(alice);
        vm.expectRevert(_wrongPhase(forge, IForge.Phase.Closed, IForge.Phase.Failed));
        forge.refund();
    }

    function test_refund_RevertWhen_ReceiverRejectsEth() external {
        Rejecter rejecter = new Rejecter();
        vm.warp(START);
        contributeEth(forge, address(rejecter), 1 ether);
        vm.warp(EVAL_DEADLINE);
        vm.prank(address(rejecter));
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeEthTransferFailed.selector, address(rejecter), 1 ether));
        forge.refund();
        assertEq(forge.capitalOf(address(rejecter)), 1 ether, "position kept");
    }

    function test_refund_RevertWhen_Reentered() external {
        Reenterer attacker = new Reenterer(forge);
        vm.warp(START);
        contributeEth(forge, address(attacker), 1 ether);
        vm.warp(EVAL_DEADLINE);
        // The reentrant refund fails inside receive(), so the outer ETH transfer fails.
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeEthTransferFailed.selector, address(attacker), 1 ether));
        attacker.attack();
        assertEq(address(forge).balance, 1 ether, "nothing left the escrow");
    }

    // ------------------------------------------------------------ release

    function test_releaseCapital_whenLive_paysWholeEscrowToSplitterOnce() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        contributeEth(forge, alice, 1 ether);
        contributeEth(forge, bob, 3 ether);
        vm.warp(END);
        uint256 id = submit(forge, resultFor(forge));
        vm.expectEmit(true, true, false, true);
        emit IForge.CapitalReleased(id, address(0), 4 ether);
        vm.prank(address(0xD00D)); // anyone
        assertEq(forge.releaseCapital(), 4 ether, "credited");
        assertEq(address(splitter).balance, 4 ether, "splitter received");
        // No worker registered: the compute pool's 20 % is spread over data, capital and creator
        // by their bps, so the creator holds 1,000 / 8,000 of the supply.
        assertEq(splitter.claimable(id, address(0), creator), 0.5 ether, "creator earns its 12.5 %");
        assertEq(address(forge).balance, 0, "escrow empty");
        assertTrue(forge.capitalReleased(), "flag");
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeCapitalAlreadyReleased.selector, id, 4 ether));
        forge.releaseCapital();
    }

    function test_releaseCapital_whenErc20FeeOnTransfer_paysNetAndEmptiesEscrow() external {
        (Forge f, FeeOnTransferToken token) = _tokenForge(100);
        vm.warp(START);
        contributeData(f, alice, 1);
        _contributeToken(f, token, alice, 10_000);
        vm.warp(END);
        submit(f, resultFor(f));
        assertEq(f.releaseCapital(), 9_801, "splitter credits what it received");
        assertEq(token.balanceOf(address(f)), 0, "escrow empty");
        assertEq(token.balanceOf(address(splitter)), 9_801, "received");
    }

    function test_releaseCapital_RevertWhen_NotLive() external {
        vm.warp(START);
        contributeEth(forge, alice, 1 ether);
        vm.warp(END);
        vm.expectRevert(_wrongPhase(forge, IForge.Phase.Closed, IForge.Phase.Live));
        forge.releaseCapital();
        vm.warp(EVAL_DEADLINE);
        vm.expectRevert(_wrongPhase(forge, IForge.Phase.Failed, IForge.Phase.Live));
        forge.releaseCapital();
    }

    function test_releaseCapital_RevertWhen_NoCapitalRaised() external {
        vm.warp(START);
        contributeData(forge, alice, 1);
        vm.warp(END);
        submit(forge, resultFor(forge));
        vm.expectRevert(abi.encodeWithSelector(IForge.ForgeNothingToRelease.selector));
        forge.releaseCapital();
    }
}

contract Rejecter {}

contract Reenterer {
    Forge internal immutable forge;

    constructor(Forge forge_) {
        forge = forge_;
    }

    function attack() external {
        forge.refund();
    }

    receive() external payable {
        forge.refund();
    }
}
