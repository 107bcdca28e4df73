// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {ShrinkingToken} from "../../contracts/mocks/tokens/ShrinkingToken.sol";

/// @notice Drives four Forges' escrows (ETH, a plain ERC-20, a 1 % fee-on-transfer ERC-20, and a
/// shrinking ERC-20 that rebases the Forge's balance down and may take extra from every sender)
/// through contributions, time, results, refunds, reclaims and releases, tracking what it expects
/// itself; and their bonds (native ETH, one per data and compute entry) through refunds and forfeits.
contract EscrowHandler is TestBase {
    uint256 internal constant ACTORS = 5;
    uint256 internal constant N = 4;
    uint256 internal constant SHRINKING = 3;

    Forge[4] public forges;
    address[4] public assets;
    uint256 internal immutable enclaveKey;

    // expected, per Forge
    uint256[4] public credited; // money in (net of fees)
    uint256[4] public refunded; // paid out by refunds and reclaims
    uint256[4] public closed; // the positions those refunds and reclaims closed
    uint256[4] public released; // what left the Forge with the release
    bool[4] public releaseDone;
    uint256[4] public taken; // what the shrinking token took from the Forge (rebases, send taxes)
    bool public paidMoreThanPosition;
    bool public payoutWrong; // a refund or reclaim paid other than the position or its share of what is held
    bool public payoutRefused; // a due refund, reclaim or release reverted
    mapping(uint256 forgeIndex => mapping(address actor => uint256)) public position;
    mapping(uint256 forgeIndex => mapping(address actor => bool)) public wasRefunded;

    // bonds, per Forge: in = refunded + forfeited (paid to the splitter) + outstanding
    uint256[4] public bondsIn;
    uint256[4] public bondsRefunded;
    uint256[4] public bondsForfeitedPaid;
    mapping(uint256 forgeIndex => mapping(uint256 poolIndex => mapping(uint256 id => uint256 bond))) public bondOf;
    mapping(uint256 forgeIndex => mapping(uint256 poolIndex => mapping(uint256 id => bool))) public excluded;
    mapping(uint256 forgeIndex => mapping(uint256 poolIndex => mapping(uint256 id => bool))) public bondSettled;
    bool public bondPaidWrongly;

    uint8[4] internal lastRank;
    bool public phaseWentBackwards;
    bool public refundedTwice;
    bool public releasedTwice;
    uint256 public calls;

    constructor(Forge[4] memory forges_, address[4] memory assets_, uint256 enclaveKey_) {
        forges = forges_;
        assets = assets_;
        enclaveKey = enclaveKey_;
        for (uint256 i; i < N; ++i) lastRank[i] = _rank(forges_[i].phase());
    }

    /// @dev The Forge a seed picks: half of the picks go to the shrinking-token Forge (the
    /// hardest escrow), the rest evenly to all four.
    function _k(uint256 forgeSeed) internal pure returns (uint256) {
        uint256 k = forgeSeed % (2 * N);
        return k < N ? k : SHRINKING;
    }

    function actor(uint256 seed) public pure returns (address) {
        return address(uint160(0xA000 + seed % ACTORS));
    }

    function contribute(uint256 forgeSeed, uint256 actorSeed, uint256 amount) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Open) return;
        address who = actor(actorSeed);
        amount = bound(amount, 1_000, 1e24);
        uint256 got;
        if (assets[k] == address(0)) {
            vm.deal(who, amount);
            vm.prank(who);
            got = f.contributeCapital{value: amount}(amount);
            assertEq(got, amount, "ETH credited in full");
        } else {
            MockERC20(assets[k]).mint(who, amount);
            vm.prank(who);
            IERC20(assets[k]).approve(address(f), amount);
            uint256 before = IERC20(assets[k]).balanceOf(address(f));
            vm.prank(who);
            got = f.contributeCapital(amount);
            assertEq(got, IERC20(assets[k]).balanceOf(address(f)) - before, "credited what arrived");
        }
        credited[k] += got;
        position[k][who] += got;
        ++calls;
    }

    function contributeData(uint256 forgeSeed, uint256 salt) external {
        Forge f = forges[_k(forgeSeed)];
        _observe();
        if (f.phase() != IForge.Phase.Open) return;
        (bool exists,) = f.dataIdOf(actor(salt), keccak256(abi.encode(salt)));
        if (exists) return;
        uint256 bond = f.config().dataBond;
        vm.deal(actor(salt), actor(salt).balance + bond);
        vm.prank(actor(salt));
        uint256 id = f.contributeData{value: bond}(keccak256(abi.encode(salt)), 100, 1, "ipfs://d");
        bondOf[_k(forgeSeed)][0][id] = bond;
        bondsIn[_k(forgeSeed)] += bond;
        ++calls;
    }

    function registerCompute(uint256 forgeSeed, uint256 actorSeed) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Open) return;
        address who = actor(actorSeed);
        (bool exists,) = f.computeIdOfSigner(who);
        if (exists) return;
        uint256 bond = f.config().computeBond;
        vm.deal(who, who.balance + bond);
        vm.prank(who);
        uint256 id = f.registerCompute{value: bond}(who, keccak256(abi.encode(who)), 1, "", new bytes(64));
        bondOf[k][1][id] = bond;
        bondsIn[k] += bond;
        ++calls;
    }

    /// @dev Anyone refunds entry `idSeed` of a pool; checks it pays exactly when it should.
    function refundBond(uint256 forgeSeed, uint256 poolSeed, uint256 idSeed) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        uint256 pool = poolSeed % 2;
        (uint256 nData, uint256 nCompute,) = f.counts();
        uint256 n = pool == 0 ? nData : nCompute;
        if (n == 0) return;
        uint256 id = idSeed % n;
        IForge.Phase ph = f.phase();
        bool due = (ph == IForge.Phase.Failed || (ph == IForge.Phase.Live && !excluded[k][pool][id]))
            && !bondSettled[k][pool][id] && bondOf[k][pool][id] != 0;
        address to = pool == 0 ? f.dataContributor(id) : f.computeWorker(id);
        uint256 before = to.balance;
        try f.refundBond(IForge.Pool(pool), id) returns (uint256 amount) {
            if (!due || amount != bondOf[k][pool][id] || to.balance - before != amount) bondPaidWrongly = true;
            bondSettled[k][pool][id] = true;
            bondsRefunded[k] += amount;
            ++calls;
        } catch {
            if (due) bondPaidWrongly = true;
        }
    }

    function forfeitBonds(uint256 forgeSeed) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Live) return;
        try f.forfeitBonds() returns (uint256 amount) {
            if (bondsForfeitedPaid[k] != 0 || amount != f.bondsForfeited()) bondPaidWrongly = true;
            bondsForfeitedPaid[k] += amount;
            ++calls;
        } catch {}
    }

    /// @dev Bonds not yet refunded or paid out, by the handler's own record of every entry.
    function bondsOutstanding(uint256 k) public view returns (uint256 sum) {
        Forge f = forges[k];
        (uint256 nData, uint256 nCompute,) = f.counts();
        bool forfeitsPaid = bondsForfeitedPaid[k] != 0;
        for (uint256 pool; pool < 2; ++pool) {
            uint256 n = pool == 0 ? nData : nCompute;
            for (uint256 id; id < n; ++id) {
                if (bondSettled[k][pool][id]) continue;
                if (excluded[k][pool][id] && forfeitsPaid) continue;
                sum += bondOf[k][pool][id];
            }
        }
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 5 days));
        _observe();
    }

    /// @dev Moves time to Forge `forgeSeed`'s next boundary (its window's start or end, its eval
    /// deadline, or RELEASE_GRACE after its result), so every phase is reached within a run.
    function advance(uint256 forgeSeed) external {
        Forge f = forges[_k(forgeSeed)];
        IForge.ForgeConfig memory c = f.config();
        IForge.Phase ph = f.phase();
        uint256 to;
        if (ph == IForge.Phase.Pending) to = c.windowStart;
        else if (ph == IForge.Phase.Open) to = c.windowEnd;
        else if (ph == IForge.Phase.Closed) to = c.evalDeadline;
        else if (ph == IForge.Phase.Live) to = uint256(f.liveAt()) + f.RELEASE_GRACE();
        if (to > block.timestamp) vm.warp(to);
        _observe();
    }

    /// @dev The first actor from `seed` on with an open position in Forge `k`, else actor(seed).
    function holderFrom(uint256 k, uint256 seed) public view returns (address) {
        for (uint256 i; i < ACTORS; ++i) {
            address a = actor(seed % ACTORS + i);
            if (position[k][a] != 0) return a;
        }
        return actor(seed);
    }

    function submitResult(uint256 forgeSeed) external {
        Forge f = forges[_k(forgeSeed)];
        _observe();
        if (f.phase() != IForge.Phase.Closed) return;
        (uint256 nData, uint256 nCompute,) = f.counts();
        IForge.EvalResult memory r;
        r.forge = address(f);
        r.holdoutRoot = f.config().holdoutRoot;
        r.baseModelRoot = f.config().baseModelRoot;
        r.adapterRoot = keccak256("adapter");
        r.dataIds = new uint256[](nData);
        r.dataScores = new int256[](nData);
        for (uint256 i; i < nData; ++i) {
            r.dataIds[i] = i;
            r.dataScores[i] = int256(i % 3) - 1;
        }
        // Every data entry scored exactly 0 and every idle worker is excluded (bond forfeited).
        r.excludedData = new uint256[]((nData + 1) / 3);
        for (uint256 i = 1; i < nData; i += 3) {
            r.excludedData[i / 3] = i;
            excluded[_k(forgeSeed)][0][i] = true;
        }
        r.computeIds = new uint256[](nCompute);
        r.computeWork = new uint256[](nCompute);
        r.excludedCompute = new uint256[](nCompute / 2);
        for (uint256 i; i < nCompute; ++i) {
            r.computeIds[i] = i;
            r.computeWork[i] = i % 2;
            if (i % 2 == 0 && i / 2 < r.excludedCompute.length) {
                r.excludedCompute[i / 2] = i;
                excluded[_k(forgeSeed)][1][i] = true;
            }
        }
        r.deadline = block.timestamp;
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(enclaveKey, f.hashEvalResult(r));
        f.submitEvalResult(r, abi.encodePacked(rr, s, v));
        _observe();
        ++calls;
    }

    function refund(uint256 forgeSeed, uint256 actorSeed) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Failed) return;
        address who = holderFrom(k, actorSeed);
        uint256 owed = position[k][who];
        if (owed == 0) {
            vm.prank(who);
            try f.refund() {
                if (wasRefunded[k][who]) refundedTwice = true;
            } catch {}
            return;
        }
        uint256 expected = expectedPayout(k, owed);
        uint256 before = _balanceOf(k, who);
        uint256 heldBefore = escrowBalance(k);
        vm.prank(who);
        try f.refund() returns (uint256 amount) {
            // the position, or its share of what is held; (the fee-on-transfer token, Forge 2,
            // takes its fee on the way out too)
            if (amount != expected || (k != 2 && _balanceOf(k, who) - before != amount)) payoutWrong = true;
            _paidOut(k, who, owed, amount, heldBefore);
            wasRefunded[k][who] = true;
            ++calls;
        } catch {
            payoutRefused = true; // a due refund must never revert (no token here refuses)
        }
    }

    function release(uint256 forgeSeed) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Live || credited[k] == 0) return;
        uint256 heldBefore = escrowBalance(k);
        if (releaseDone[k] || f.capitalReclaimStarted() || heldBefore == 0) {
            try f.releaseCapital() {
                releasedTwice = true;
            } catch {}
            return;
        }
        try f.releaseCapital() {} catch {
            payoutRefused = true;
            return;
        }
        releaseDone[k] = true;
        released[k] = heldBefore - escrowBalance(k);
        ++calls;
    }

    /// @dev The shrinking token rebases the Forge's balance down by up to half.
    function shrink(uint256 bps) external {
        _observe();
        address forge = address(forges[SHRINKING]);
        uint256 before = IERC20(assets[SHRINKING]).balanceOf(forge);
        ShrinkingToken(assets[SHRINKING]).shrink(forge, bound(bps, 1, 5_000));
        taken[SHRINKING] += before - IERC20(assets[SHRINKING]).balanceOf(forge);
        ++calls;
    }

    /// @dev The shrinking token starts (or stops) taking up to 20 % more from every sender.
    function setSendTax(uint256 bps) external {
        _observe();
        ShrinkingToken(assets[SHRINKING]).setSendTaxBps(bound(bps, 0, 2_000));
    }

    /// @dev What a refund or reclaim of `owed` should pay now: the whole position while the escrow
    /// holds every open position, else its share of what is held, pro rata to the open positions.
    function expectedPayout(uint256 k, uint256 owed) public view returns (uint256) {
        if (assets[k] == address(0)) return owed;
        uint256 open = credited[k] - closed[k];
        uint256 held = escrowBalance(k);
        return held < open ? owed * held / open : owed;
    }

    function _paidOut(uint256 k, address who, uint256 owed, uint256 amount, uint256 heldBefore) internal {
        if (amount > owed) paidMoreThanPosition = true;
        position[k][who] = 0;
        refunded[k] += amount;
        closed[k] += owed;
        // a token that takes more than it sends takes it from the Forge
        taken[k] += heldBefore - escrowBalance(k) - amount;
    }

    /// @dev A contributor takes its capital back once the release has not happened within the grace.
    function reclaim(uint256 forgeSeed, uint256 actorSeed) external {
        uint256 k = _k(forgeSeed);
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Live || releaseDone[k]) return;
        if (block.timestamp < uint256(f.liveAt()) + f.RELEASE_GRACE()) return;
        address who = holderFrom(k, actorSeed);
        uint256 owed = position[k][who];
        if (owed == 0) return;
        uint256 expected = expectedPayout(k, owed);
        uint256 heldBefore = escrowBalance(k);
        uint256 before = _balanceOf(k, who);
        vm.prank(who);
        try f.reclaimCapital() returns (uint256 amount) {
            if (amount != expected || (k != 2 && _balanceOf(k, who) - before != amount)) payoutWrong = true;
            _paidOut(k, who, owed, amount, heldBefore);
            ++calls;
        } catch {
            payoutRefused = true;
        }
    }

    /// @dev What the escrow should hold: money in less what was paid out, released or taken.
    function outstanding(uint256 k) public view returns (uint256) {
        return credited[k] - refunded[k] - released[k] - taken[k];
    }

    /// @dev The capital escrow (for the ETH Forge: its ETH balance less the bonds it holds).
    function escrowBalance(uint256 k) public view returns (uint256) {
        return assets[k] == address(0)
            ? address(forges[k]).balance - bondsOutstanding(k)
            : IERC20(assets[k]).balanceOf(address(forges[k]));
    }

    function refundable(uint256 k) public view returns (uint256 sum) {
        for (uint256 i; i < ACTORS; ++i) sum += forges[k].capitalOf(actor(i));
    }

    function _balanceOf(uint256 k, address who) internal view returns (uint256) {
        return assets[k] == address(0) ? who.balance : IERC20(assets[k]).balanceOf(who);
    }

    /// @dev Live and Failed are both final; otherwise the order is Pending, Open, Closed.
    function _rank(IForge.Phase p) internal pure returns (uint8) {
        if (p == IForge.Phase.Live || p == IForge.Phase.Failed) return 3;
        return uint8(p);
    }

    function _observe() internal {
        for (uint256 i; i < N; ++i) {
            IForge.Phase p = forges[i].phase();
            uint8 rank = _rank(p);
            if (rank < lastRank[i]) phaseWentBackwards = true;
            lastRank[i] = rank;
        }
    }
}

contract ForgeInvariantTest is ForgeFixture {
    EscrowHandler internal handler;
    uint256 internal constant N = 4;
    Forge[4] internal forges;

    function setUp() public override {
        super.setUp();
        address[4] memory assets = [
            address(0),
            address(new MockERC20("Plain", "PLN", 18)),
            address(new FeeOnTransferToken(100)),
            address(new ShrinkingToken())
        ];
        for (uint256 i; i < N; ++i) {
            IForge.ForgeConfig memory c = defaultConfig();
            c.capitalAsset = assets[i];
            c.caps.maxCapital = 5;
            forges[i] = createForge(c);
        }
        handler = new EscrowHandler(forges, assets, ENCLAVE_KEY);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_moneyInEqualsRefundedPlusReleasedPlusTakenPlusHeld() external view {
        for (uint256 k; k < N; ++k) {
            Forge f = forges[k];
            assertEq(f.totalCapital(), handler.credited(k), "credited as tracked");
            assertEq(f.totalRefunded(), handler.closed(k), "positions refunded or reclaimed as tracked");
            assertTrue(f.capitalReleased() == handler.releaseDone(k), "released as tracked");
            // Without a shrinking token the release is the whole capital and nothing is taken.
            if (k != 3) {
                assertEq(f.capitalReleased() ? f.totalCapital() : 0, handler.released(k), "whole capital released");
                assertEq(handler.taken(k), 0, "nothing taken");
                assertEq(handler.refunded(k), handler.closed(k), "every refund the whole position");
            }
            // Positions stay on record after a release; those not refunded or reclaimed.
            assertEq(handler.refundable(k), handler.credited(k) - handler.closed(k), "open positions as tracked");
            assertEq(
                handler.credited(k),
                handler.refunded(k) + handler.released(k) + handler.taken(k) + handler.escrowBalance(k),
                "in = refunded + released + taken by the token + held"
            );
        }
        assertTrue(!handler.paidMoreThanPosition(), "a refund or reclaim paid more than its position");
        assertTrue(!handler.payoutWrong(), "a refund or reclaim paid other than its share of what is held");
        assertTrue(!handler.payoutRefused(), "a due refund, reclaim or release reverted");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_escrowBalanceCoversWhatIsOwed() external view {
        for (uint256 k; k < N; ++k) {
            uint256 held = handler.escrowBalance(k);
            assertEq(held, handler.outstanding(k), "balance equals what is still owed");
            uint256 open = handler.credited(k) - handler.closed(k);
            // What is held never exceeds the open positions, and is empty once they are all closed
            // or released: nothing stays stuck, even when the token shrank the escrow.
            assertLe(held, open, "held <= open positions");
            if (open == 0 || handler.releaseDone(k)) assertEq(held, 0, "nothing stuck");
        }
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_bondsInEqualRefundedPlusForfeitedPlusOutstanding() external view {
        for (uint256 k; k < N; ++k) {
            Forge f = forges[k];
            assertEq(f.totalBonds(), handler.bondsIn(k), "bonds in as tracked");
            assertEq(f.bondsRefunded(), handler.bondsRefunded(k), "bonds refunded as tracked");
            uint256 paid = f.forfeitedBondsPaid() ? f.bondsForfeited() : 0;
            assertEq(paid, handler.bondsForfeitedPaid(k), "forfeits paid as tracked");
            assertEq(
                handler.bondsIn(k),
                handler.bondsRefunded(k) + handler.bondsForfeitedPaid(k) + handler.bondsOutstanding(k),
                "bonds in = refunded + forfeited + outstanding"
            );
            // Every outstanding wei is held: the ETH balance covers the bonds (and, for the ETH
            // Forge, the capital still owed), exactly.
            uint256 capitalHeld = k == 0 ? handler.outstanding(0) : 0;
            assertEq(address(f).balance, capitalHeld + handler.bondsOutstanding(k), "ETH held = owed");
        }
        assertTrue(!handler.bondPaidWrongly(), "a bond was paid when it should not be, or refused when due");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_phasesNeverMoveBackwards() external view {
        assertTrue(!handler.phaseWentBackwards(), "phase moved backwards");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_nothingRefundedOrReleasedTwice() external view {
        assertTrue(!handler.refundedTwice(), "refunded twice");
        assertTrue(!handler.releasedTwice(), "released twice");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_refundsAndReleaseAreExclusive() external view {
        for (uint256 k; k < N; ++k) {
            assertTrue(handler.closed(k) == 0 || !handler.releaseDone(k), "both refunded and released");
        }
    }
}
