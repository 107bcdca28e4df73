// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {IForgeFactory} from "../../contracts/interfaces/IForgeFactory.sol";
import {IIngot} from "../../contracts/interfaces/IIngot.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {IEnclaveRegistry} from "../../contracts/interfaces/IEnclaveRegistry.sol";
import {Forge} from "../../contracts/Forge.sol";
import {ForgeFactory} from "../../contracts/ForgeFactory.sol";
import {Ingot} from "../../contracts/Ingot.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";

contract ForgeFactoryTest is ForgeFixture {
    function _expectCreateRevert(IForge.ForgeConfig memory c, bytes memory err) internal {
        vm.expectRevert(err);
        factory.createForge(c);
    }

    // ------------------------------------------------------------ creation and registry

    function test_createForge_registersCloneWithConfig() external {
        IForge.ForgeConfig memory c = defaultConfig();
        vm.expectEmit(false, true, true, false);
        emit IForgeFactory.ForgeCreated(address(0), creator, 0, address(0), END);
        Forge f = createForge(c);

        assertTrue(factory.isForge(address(f)), "isForge");
        assertEq(factory.forgeCount(), 1, "forgeCount");
        assertEq(factory.forges(0), address(f), "forges(0)");
        assertEq(f.factory(), address(factory), "factory");
        assertEq(f.maxContributions(), 1_200, "default bound (caps sum to 2,100)");
        IForge.ForgeConfig memory stored = f.config();
        assertEq(stored.creator, creator, "creator");
        assertEq(stored.holdoutRoot, HOLDOUT_ROOT, "holdoutRoot");
        assertEq(stored.baseModelRoot, BASE_ROOT, "baseModelRoot");
        assertEq(uint256(stored.windowEnd), uint256(END), "windowEnd");
        assertEq(uint256(stored.split.dataBps), 5_000, "dataBps");
        assertEq(uint256(stored.caps.maxCompute), 100, "maxCompute");
        assertEq(stored.allowedMeasurements[0], MEASUREMENT, "measurement");
        assertEq(keccak256(bytes(stored.baseModelName)), keccak256("Qwen2.5-Coder-3B-Instruct"), "baseModelName");
        assertEq(keccak256(bytes(stored.evalMetric)), keccak256("perplexity"), "evalMetric");
    }

    function test_createForge_deploysDistinctClonesOfOneImplementation() external {
        Forge a = createDefaultForge();
        Forge b = createDefaultForge();
        assertTrue(address(a) != address(b), "distinct");
        assertEq(factory.forges(1), address(b), "second");
        // EIP-1167 minimal proxy: 45 bytes of runtime code.
        assertEq(address(a).code.length, 45, "clone size");
        assertTrue(!factory.isForge(factory.implementation()), "implementation is not a Forge");
    }

    function test_initialize_RevertWhen_CalledAgain() external {
        Forge f = createDefaultForge();
        IForge.ForgeConfig memory c = defaultConfig();
        vm.prank(address(factory));
        vm.expectRevert(abi.encodeWithSelector(Initializable.InvalidInitialization.selector));
        f.initialize(c, 10);
    }

    function test_initialize_RevertWhen_ImplementationInitialized() external {
        Forge impl = Forge(factory.implementation());
        IForge.ForgeConfig memory c = defaultConfig();
        vm.prank(address(factory));
        vm.expectRevert(abi.encodeWithSelector(Initializable.InvalidInitialization.selector));
        impl.initialize(c, 10);
    }

    function test_constructor_RevertWhen_ZeroAddress() external {
        vm.expectRevert(abi.encodeWithSelector(IForgeFactory.FactoryZeroAddress.selector));
        new ForgeFactory(admin, IEnclaveRegistry(address(0)), IRevenueSplitter(address(splitter)));
    }

    // ------------------------------------------------------------ validation

    function test_createForge_RevertWhen_ZeroCreator() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.creator = address(0);
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryZeroCreator.selector));
    }

    function test_createForge_RevertWhen_TextFieldEmpty() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.metadataURI = "";
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryEmptyText.selector, "metadataURI"));
        c = defaultConfig();
        c.baseModelName = "";
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryEmptyText.selector, "baseModelName"));
        c = defaultConfig();
        c.task = "";
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryEmptyText.selector, "task"));
        c = defaultConfig();
        c.fineTuneMethod = "";
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryEmptyText.selector, "fineTuneMethod"));
        c = defaultConfig();
        c.evalMetric = "";
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryEmptyText.selector, "evalMetric"));
    }

    function test_createForge_RevertWhen_RootsOrHoldoutZero() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.baseModelRoot = 0;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryZeroBaseModelRoot.selector));
        c = defaultConfig();
        c.holdoutRoot = 0;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryZeroHoldoutRoot.selector));
        c = defaultConfig();
        c.holdoutExamples = 0;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryZeroHoldoutExamples.selector));
    }

    function test_createForge_RevertWhen_WindowNotOrdered() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.windowStart = END;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryWindowNotOrdered.selector, END, END, EVAL_DEADLINE));
        c = defaultConfig();
        c.evalDeadline = END;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryWindowNotOrdered.selector, START, END, END));
    }

    function test_createForge_RevertWhen_WindowAlreadyEnded() external {
        IForge.ForgeConfig memory c = defaultConfig();
        vm.warp(END);
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryWindowInPast.selector, END, uint256(END)));
    }

    function test_createForge_whenWindowStartInPast_opensAtOnce() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.windowStart = T0 - 1;
        Forge f = createForge(c);
        assertEq(uint256(f.phase()), uint256(IForge.Phase.Open), "open");
    }

    // Configs that can never go LIVE, or that lock money for an unbounded time, are refused.

    function test_createForge_RevertWhen_OpenWindowShorterThanMinimum() external {
        uint256 min = factory.MIN_OPEN_WINDOW();
        IForge.ForgeConfig memory c = defaultConfig();
        c.windowEnd = START + uint64(min) - 1; // nobody can contribute in practice
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryWindowTooShort.selector, min - 1, min));
        // a start in the past opens now: what is left of the window counts
        c = defaultConfig();
        c.windowStart = T0 - 1 days;
        c.windowEnd = T0 + uint64(min) - 1;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryWindowTooShort.selector, min - 1, min));
        c.windowEnd = T0 + uint64(min);
        assertEq(uint256(createForge(c).phase()), uint256(IForge.Phase.Open), "the minimum is accepted");
    }

    function test_createForge_RevertWhen_WindowEndsTooFarAhead() external {
        uint256 maxAhead = factory.MAX_WINDOW_AHEAD();
        IForge.ForgeConfig memory c = defaultConfig();
        c.windowEnd = T0 + uint64(maxAhead) + 1; // capital escrowed on day one is locked past it
        c.evalDeadline = c.windowEnd + 1 days;
        _expectCreateRevert(
            c, abi.encodeWithSelector(IForgeFactory.FactoryWindowTooFarAhead.selector, c.windowEnd, T0 + maxAhead)
        );
        c.windowEnd = T0 + uint64(maxAhead);
        c.evalDeadline = c.windowEnd + 1 days;
        createForge(c);
    }

    function test_createForge_RevertWhen_EvalPeriodTooShortOrTooLong() external {
        uint256 min = factory.MIN_EVAL_PERIOD();
        uint256 max = factory.MAX_EVAL_PERIOD();
        IForge.ForgeConfig memory c = defaultConfig();
        c.evalDeadline = END + uint64(min) - 1; // no enclave can answer in time: it can only fail
        _expectCreateRevert(
            c, abi.encodeWithSelector(IForgeFactory.FactoryEvalPeriodOutOfRange.selector, min - 1, min, max)
        );
        c.evalDeadline = END + uint64(max) + 1; // capital locked that long if the enclave never answers
        _expectCreateRevert(
            c, abi.encodeWithSelector(IForgeFactory.FactoryEvalPeriodOutOfRange.selector, max + 1, min, max)
        );
        c.evalDeadline = END + uint64(min);
        createForge(c);
        c.evalDeadline = END + uint64(max);
        createForge(c);
    }

    /// minCapital is a uint128 and capitalLimit() is at least about 1.05e52 (lineage 9,999 bps), so
    /// the minimum capital can always be reached under the limit: no creation check is needed.
    function test_createForge_whenMinCapitalIsLargestAndLineageLargest_aMinimumPositionFitsTheLimit() external {
        uint256 parent = _liveIngot();
        MockERC20 token = new MockERC20("Big", "BIG", 18);
        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        c.split = IForge.Split({dataBps: 0, computeBps: 0, capitalBps: 1, creatorBps: 0, lineageBps: 9_999});
        c.capitalAsset = address(token);
        c.minCapital = type(uint128).max;
        Forge f = createForge(c);
        assertGe(f.capitalLimit(), uint256(type(uint128).max), "the limit is above any minimum");
        vm.warp(c.windowStart);
        token.mint(address(0xA11CE), type(uint128).max);
        vm.startPrank(address(0xA11CE));
        token.approve(address(f), type(uint256).max);
        assertEq(f.contributeCapital(type(uint128).max), type(uint128).max, "a minimum position is accepted");
        vm.stopPrank();
    }

    function test_createForge_RevertWhen_SplitDoesNotSumTo10000() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.split.creatorBps = 999;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactorySplitSum.selector, 9_999));
    }

    function test_createForge_RevertWhen_CapZeroOrTooHigh() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.caps.maxData = 0;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryBadCap.selector, IForge.Pool.Data, 0, 1_000));
        c = defaultConfig();
        c.caps.maxCompute = 1_001;
        _expectCreateRevert(
            c, abi.encodeWithSelector(IForgeFactory.FactoryBadCap.selector, IForge.Pool.Compute, 1_001, 1_000)
        );
        c = defaultConfig();
        c.caps.maxCapital = 0;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryBadCap.selector, IForge.Pool.Capital, 0, 1_000));
    }

    function test_setMaxTotalContributions_boundsNewForges() external {
        vm.expectEmit(false, false, false, true);
        emit IForgeFactory.MaxTotalContributionsChanged(400);
        vm.prank(admin);
        factory.setMaxTotalContributions(400);
        assertEq(factory.maxTotalContributions(), 400, "stored");
        assertEq(createDefaultForge().maxContributions(), 400, "bound below the caps' sum");
        IForge.ForgeConfig memory c = defaultConfig();
        c.caps = IForge.Caps({maxData: 100, maxCompute: 50, maxCapital: 50});
        assertEq(createForge(c).maxContributions(), 200, "caps' sum below the bound");
    }

    function test_setMaxTotalContributions_RevertWhen_OutOfRangeOrUnauthorized() external {
        vm.startPrank(admin);
        uint256 bound = factory.MAX_TOTAL_CONTRIBUTIONS_BOUND();
        vm.expectRevert(abi.encodeWithSelector(IForgeFactory.FactoryBadMaxTotal.selector, 0, bound));
        factory.setMaxTotalContributions(0);
        // F6: 2,101 entries (accepted before, up to 3,000) cost 22.3M gas to settle: refused.
        vm.expectRevert(abi.encodeWithSelector(IForgeFactory.FactoryBadMaxTotal.selector, 2_101, bound));
        factory.setMaxTotalContributions(2_101);
        vm.expectRevert(abi.encodeWithSelector(IForgeFactory.FactoryBadMaxTotal.selector, bound + 1, bound));
        factory.setMaxTotalContributions(bound + 1);
        factory.setMaxTotalContributions(bound);
        vm.stopPrank();
        bytes32 role = factory.PROTOCOL_ROLE();
        vm.prank(address(0xBAD));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(0xBAD), role)
        );
        factory.setMaxTotalContributions(400);
    }

    function test_createForge_RevertWhen_AssetNotContract() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = address(0xDEAD);
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryAssetNotContract.selector, address(0xDEAD)));
    }

    function test_createForge_RevertWhen_MeasurementsEmptyTooManyOrZero() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.allowedMeasurements = new bytes32[](0);
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryBadMeasurementCount.selector, 0, 8));
        c.allowedMeasurements = new bytes32[](9);
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryBadMeasurementCount.selector, 9, 8));
        c.allowedMeasurements = new bytes32[](2);
        c.allowedMeasurements[0] = MEASUREMENT;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryZeroMeasurement.selector, 1));
    }

    // ------------------------------------------------------------ forks

    function test_createForge_RevertWhen_LineageWithoutParent() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.split.creatorBps = 500;
        c.split.lineageBps = 500;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryLineageWithoutParent.selector, 500));
    }

    function test_createForge_RevertWhen_LineageTakesWholeSupply() external {
        uint256 parent = _liveIngot();
        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        c.split = IForge.Split({dataBps: 0, computeBps: 0, capitalBps: 0, creatorBps: 0, lineageBps: 10_000});
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryLineageTooLarge.selector, 10_000));
    }

    function test_createForge_RevertWhen_ParentUnknown() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.parentIngotId = 1;
        c.split.creatorBps = 500;
        c.split.lineageBps = 500;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryUnknownParent.selector, 1, 0));
    }

    function test_createForge_RevertWhen_ParentWithoutLineage() external {
        uint256 parent = _liveIngot();
        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        _expectCreateRevert(c, abi.encodeWithSelector(IForgeFactory.FactoryParentWithoutLineage.selector, parent));
    }

    function test_createForge_whenParentIsLiveIngot_recordsLineage() external {
        uint256 parent = _liveIngot();
        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        c.split.creatorBps = 500;
        c.split.lineageBps = 500;
        vm.expectEmit(false, true, false, true);
        emit IForgeFactory.ForgeForked(address(0), parent, 500);
        Forge child = createForge(c);
        (uint256 parentId, uint16 bps) = child.lineage();
        assertEq(parentId, parent, "parent recorded");
        assertEq(uint256(bps), 500, "lineage bps recorded");
    }

    // ------------------------------------------------------------ ingot binding

    function test_bindIngot_RevertWhen_AlreadyBound() external {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IForgeFactory.FactoryIngotAlreadyBound.selector, address(ingot)));
        factory.bindIngot(IIngot(address(0x1)));
    }

    function test_bindIngot_RevertWhen_CallerLacksProtocolRole() external {
        ForgeFactory fresh = new ForgeFactory(admin, registry, IRevenueSplitter(address(splitter)));
        bytes32 role = fresh.PROTOCOL_ROLE();
        vm.prank(address(0xBAD));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(0xBAD), role)
        );
        fresh.bindIngot(ingot);
    }

    function test_bindIngot_RevertWhen_ZeroIngot() external {
        ForgeFactory fresh = new ForgeFactory(admin, registry, IRevenueSplitter(address(splitter)));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IForgeFactory.FactoryZeroAddress.selector));
        fresh.bindIngot(IIngot(address(0)));
    }

    function test_bindIngot_bindsOnceAndEmits() external {
        ForgeFactory fresh = new ForgeFactory(admin, registry, IRevenueSplitter(address(splitter)));
        Ingot other = new Ingot(address(fresh), address(splitter));
        vm.expectEmit(true, false, false, false);
        emit IForgeFactory.IngotBound(address(other));
        vm.prank(admin);
        fresh.bindIngot(other);
        assertEq(address(fresh.ingot()), address(other), "bound");
    }

    /// @dev Creates a Forge, takes it to LIVE with one data contribution, returns its Ingot id.
    function _liveIngot() internal returns (uint256) {
        Forge f = createDefaultForge();
        vm.warp(START);
        contributeData(f, address(0xDA7A), 1);
        vm.warp(END);
        return submit(f, resultFor(f));
    }
}
