// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {Forge} from "../../contracts/Forge.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";

/// @notice Drives three Forges' escrows (ETH, a plain ERC-20, a 1 % fee-on-transfer ERC-20)
/// through contributions, time, results, refunds and releases, tracking what it expects itself.
contract EscrowHandler is TestBase {
    uint256 internal constant ACTORS = 5;

    Forge[3] public forges;
    address[3] public assets;
    uint256 internal immutable enclaveKey;

    // expected, per Forge
    uint256[3] public credited; // money in (net of fees)
    uint256[3] public refunded;
    uint256[3] public released;
    mapping(uint256 forgeIndex => mapping(address actor => uint256)) public position;
    mapping(uint256 forgeIndex => mapping(address actor => bool)) public wasRefunded;

    uint8[3] internal lastRank;
    bool public phaseWentBackwards;
    bool public refundedTwice;
    bool public releasedTwice;
    uint256 public calls;

    constructor(Forge[3] memory forges_, address[3] memory assets_, uint256 enclaveKey_) {
        forges = forges_;
        assets = assets_;
        enclaveKey = enclaveKey_;
        for (uint256 i; i < 3; ++i) lastRank[i] = _rank(forges_[i].phase());
    }

    function actor(uint256 seed) public pure returns (address) {
        return address(uint160(0xA000 + seed % ACTORS));
    }

    function contribute(uint256 forgeSeed, uint256 actorSeed, uint256 amount) external {
        uint256 k = forgeSeed % 3;
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
        Forge f = forges[forgeSeed % 3];
        _observe();
        if (f.phase() != IForge.Phase.Open) return;
        (bool exists,) = f.dataIdOf(actor(salt), keccak256(abi.encode(salt)));
        if (exists) return;
        vm.prank(actor(salt));
        f.contributeData(keccak256(abi.encode(salt)), 100, 1, "ipfs://d");
        ++calls;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 5 days));
        _observe();
    }

    function submitResult(uint256 forgeSeed) external {
        Forge f = forges[forgeSeed % 3];
        _observe();
        if (f.phase() != IForge.Phase.Closed) return;
        (uint256 nData,,) = f.counts();
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
        r.deadline = block.timestamp;
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(enclaveKey, f.hashEvalResult(r));
        f.submitEvalResult(r, abi.encodePacked(rr, s, v));
        _observe();
        ++calls;
    }

    function refund(uint256 forgeSeed, uint256 actorSeed) external {
        uint256 k = forgeSeed % 3;
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Failed) return;
        address who = actor(actorSeed);
        uint256 owed = position[k][who];
        if (owed == 0) {
            vm.prank(who);
            try f.refund() {
                if (wasRefunded[k][who]) refundedTwice = true;
            } catch {}
            return;
        }
        uint256 before = _balanceOf(k, who);
        vm.prank(who);
        uint256 amount = f.refund();
        assertEq(amount, owed, "refund is exactly the position");
        // (the fee-on-transfer token, Forge 2, takes its fee on the way out too)
        if (k != 2) assertEq(_balanceOf(k, who) - before, owed, "received in full");
        position[k][who] = 0;
        wasRefunded[k][who] = true;
        refunded[k] += owed;
        ++calls;
    }

    function release(uint256 forgeSeed) external {
        uint256 k = forgeSeed % 3;
        Forge f = forges[k];
        _observe();
        if (f.phase() != IForge.Phase.Live || credited[k] == 0) return;
        if (released[k] != 0) {
            try f.releaseCapital() {
                releasedTwice = true;
            } catch {}
            return;
        }
        f.releaseCapital();
        released[k] = credited[k];
        ++calls;
    }

    function outstanding(uint256 k) public view returns (uint256) {
        return credited[k] - refunded[k] - released[k];
    }

    function escrowBalance(uint256 k) public view returns (uint256) {
        return assets[k] == address(0) ? address(forges[k]).balance : IERC20(assets[k]).balanceOf(address(forges[k]));
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
        for (uint256 i; i < 3; ++i) {
            IForge.Phase p = forges[i].phase();
            uint8 rank = _rank(p);
            if (rank < lastRank[i]) phaseWentBackwards = true;
            lastRank[i] = rank;
        }
    }
}

contract ForgeInvariantTest is ForgeFixture {
    EscrowHandler internal handler;
    Forge[3] internal forges;
    IForge.Phase[3] internal finalPhase;

    function setUp() public override {
        super.setUp();
        address[3] memory assets = [address(0), address(new MockERC20("Plain", "PLN", 18)), address(new FeeOnTransferToken(100))];
        for (uint256 i; i < 3; ++i) {
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
    function invariant_moneyInEqualsRefundedPlusRefundablePlusReleased() external view {
        for (uint256 k; k < 3; ++k) {
            Forge f = forges[k];
            assertEq(f.totalCapital(), handler.credited(k), "credited as tracked");
            assertEq(f.totalRefunded(), handler.refunded(k), "refunded as tracked");
            uint256 releasedNow = f.capitalReleased() ? f.totalCapital() : 0;
            assertEq(releasedNow, handler.released(k), "released as tracked");
            // Positions stay on record after a release; they are refundable only while not Live.
            uint256 owed = f.phase() == IForge.Phase.Live ? 0 : handler.refundable(k);
            if (f.phase() == IForge.Phase.Live && !f.capitalReleased()) owed = f.totalCapital();
            assertEq(handler.credited(k), handler.refunded(k) + owed + releasedNow, "in = refunded + owed + released");
        }
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_escrowBalanceCoversWhatIsOwed() external view {
        for (uint256 k; k < 3; ++k) {
            assertEq(handler.escrowBalance(k), handler.outstanding(k), "balance equals what is still owed");
        }
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
        for (uint256 k; k < 3; ++k) {
            assertTrue(handler.refunded(k) == 0 || handler.released(k) == 0, "both refunded and released");
        }
    }
}
