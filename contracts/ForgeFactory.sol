// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {IForge} from "./interfaces/IForge.sol";
import {IForgeFactory} from "./interfaces/IForgeFactory.sol";
import {IForgeRegistry} from "./interfaces/IForgeRegistry.sol";
import {IIngot} from "./interfaces/IIngot.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";
import {IEnclaveRegistry} from "./interfaces/IEnclaveRegistry.sol";
import {Forge} from "./Forge.sol";
import {ForgeSettlement} from "./ForgeSettlement.sol";

/// @title ForgeFactory
/// @notice See IForgeFactory.
contract ForgeFactory is IForgeFactory, AccessControl {
    bytes32 public constant PROTOCOL_ROLE = keccak256("PROTOCOL_ROLE");
    /// @inheritdoc IForgeFactory
    uint256 public constant MAX_POOL_CAP = 1_000;
    /// @inheritdoc IForgeFactory
    uint256 public constant MAX_MEASUREMENTS = 8;
    /// @inheritdoc IForgeFactory
    uint256 public constant MIN_OPEN_WINDOW = 5 minutes;
    /// @inheritdoc IForgeFactory
    uint256 public constant MAX_WINDOW_AHEAD = 365 days;
    /// @inheritdoc IForgeFactory
    uint256 public constant MIN_EVAL_PERIOD = 10 minutes;
    /// @inheritdoc IForgeFactory
    uint256 public constant MAX_EVAL_PERIOD = 90 days;
    uint256 private constant BPS = 10_000;
    uint256 private constant DEFAULT_MAX_TOTAL = 1_200;
    /// @inheritdoc IForgeFactory
    uint256 public constant MAX_TOTAL_CONTRIBUTIONS_BOUND = 1_200;

    /// @inheritdoc IForgeFactory
    address public immutable implementation;
    /// @inheritdoc IForgeFactory
    IRevenueSplitter public immutable splitter;
    /// @inheritdoc IForgeFactory
    IEnclaveRegistry public immutable enclaveRegistry;
    /// @inheritdoc IForgeFactory
    IIngot public ingot;
    /// @inheritdoc IForgeFactory
    address[] public forges;
    /// @inheritdoc IForgeRegistry
    mapping(address forge => bool) public isForge;
    /// @inheritdoc IForgeFactory
    uint256 public maxTotalContributions = DEFAULT_MAX_TOTAL;

    constructor(address admin, IEnclaveRegistry enclaveRegistry_, IRevenueSplitter splitter_) {
        if (admin == address(0) || address(enclaveRegistry_) == address(0) || address(splitter_) == address(0)) {
            revert FactoryZeroAddress();
        }
        enclaveRegistry = enclaveRegistry_;
        splitter = splitter_;
        address settlement = address(new ForgeSettlement(address(this), enclaveRegistry_, splitter_));
        implementation = address(new Forge(address(this), enclaveRegistry_, splitter_, settlement));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PROTOCOL_ROLE, admin);
    }

    /// @inheritdoc IForgeFactory
    function createForge(IForge.ForgeConfig calldata config) external returns (address forge) {
        _validate(config);
        forge = Clones.clone(implementation);
        uint256 index = forges.length;
        forges.push(forge);
        isForge[forge] = true;
        emit ForgeCreated(forge, config.creator, index, config.capitalAsset, config.windowEnd);
        if (config.parentIngotId != 0) emit ForgeForked(forge, config.parentIngotId, config.split.lineageBps);
        uint256 capsTotal = uint256(config.caps.maxData) + config.caps.maxCompute + config.caps.maxCapital;
        IForge(forge).initialize(config, capsTotal < maxTotalContributions ? capsTotal : maxTotalContributions);
    }

    /// @inheritdoc IForgeFactory
    function bindIngot(IIngot ingot_) external onlyRole(PROTOCOL_ROLE) {
        if (address(ingot) != address(0)) revert FactoryIngotAlreadyBound(address(ingot));
        if (address(ingot_) == address(0)) revert FactoryZeroAddress();
        ingot = ingot_;
        emit IngotBound(address(ingot_));
    }

    /// @inheritdoc IForgeFactory
    function setMaxTotalContributions(uint256 maxTotal) external onlyRole(PROTOCOL_ROLE) {
        if (maxTotal == 0 || maxTotal > MAX_TOTAL_CONTRIBUTIONS_BOUND) {
            revert FactoryBadMaxTotal(maxTotal, MAX_TOTAL_CONTRIBUTIONS_BOUND);
        }
        maxTotalContributions = maxTotal;
        emit MaxTotalContributionsChanged(maxTotal);
    }

    /// @inheritdoc IForgeFactory
    function forgeCount() external view returns (uint256) {
        return forges.length;
    }

    function _validate(IForge.ForgeConfig calldata c) private view {
        if (c.creator == address(0)) revert FactoryZeroCreator();
        if (bytes(c.metadataURI).length == 0) revert FactoryEmptyText("metadataURI");
        if (bytes(c.baseModelName).length == 0) revert FactoryEmptyText("baseModelName");
        if (bytes(c.task).length == 0) revert FactoryEmptyText("task");
        if (bytes(c.fineTuneMethod).length == 0) revert FactoryEmptyText("fineTuneMethod");
        if (bytes(c.evalMetric).length == 0) revert FactoryEmptyText("evalMetric");
        if (c.baseModelRoot == bytes32(0)) revert FactoryZeroBaseModelRoot();
        if (c.holdoutRoot == bytes32(0)) revert FactoryZeroHoldoutRoot();
        if (c.holdoutExamples == 0) revert FactoryZeroHoldoutExamples();
        if (!(c.windowStart < c.windowEnd && c.windowEnd < c.evalDeadline)) {
            revert FactoryWindowNotOrdered(c.windowStart, c.windowEnd, c.evalDeadline);
        }
        if (c.windowEnd <= block.timestamp) revert FactoryWindowInPast(c.windowEnd, block.timestamp);
        _validateTimes(c.windowStart, c.windowEnd, c.evalDeadline);
        _validateSplit(c.split, c.parentIngotId);
        _validateCap(IForge.Pool.Data, c.caps.maxData);
        _validateCap(IForge.Pool.Compute, c.caps.maxCompute);
        _validateCap(IForge.Pool.Capital, c.caps.maxCapital);
        if (c.capitalAsset != address(0) && c.capitalAsset.code.length == 0) {
            revert FactoryAssetNotContract(c.capitalAsset);
        }
        uint256 m = c.allowedMeasurements.length;
        if (m == 0 || m > MAX_MEASUREMENTS) revert FactoryBadMeasurementCount(m, MAX_MEASUREMENTS);
        for (uint256 i; i < m; ++i) {
            if (c.allowedMeasurements[i] == bytes32(0)) revert FactoryZeroMeasurement(i);
        }
    }

    /// @dev Called once the times are ordered and the window ends in the future: refuses a window
    /// too short to contribute in, one ending too far ahead, and an eval period too short for a
    /// result (the Forge could only fail) or too long to keep capital and bonds locked.
    function _validateTimes(uint64 windowStart, uint64 windowEnd, uint64 evalDeadline) private view {
        uint256 opensAt = windowStart > block.timestamp ? windowStart : block.timestamp;
        uint256 open = windowEnd - opensAt;
        if (open < MIN_OPEN_WINDOW) revert FactoryWindowTooShort(open, MIN_OPEN_WINDOW);
        uint256 latest = block.timestamp + MAX_WINDOW_AHEAD;
        if (windowEnd > latest) revert FactoryWindowTooFarAhead(windowEnd, latest);
        uint256 evalPeriod = evalDeadline - windowEnd;
        if (evalPeriod < MIN_EVAL_PERIOD || evalPeriod > MAX_EVAL_PERIOD) {
            revert FactoryEvalPeriodOutOfRange(evalPeriod, MIN_EVAL_PERIOD, MAX_EVAL_PERIOD);
        }
    }

    function _validateSplit(IForge.Split calldata s, uint256 parentIngotId) private view {
        uint256 sum = uint256(s.dataBps) + s.computeBps + s.capitalBps + s.creatorBps + s.lineageBps;
        if (sum != BPS) revert FactorySplitSum(sum);
        if (s.lineageBps >= BPS) revert FactoryLineageTooLarge(s.lineageBps);
        if (parentIngotId == 0) {
            if (s.lineageBps != 0) revert FactoryLineageWithoutParent(s.lineageBps);
            return;
        }
        // Ingots exist only for LIVE Forges, so an existing id is a LIVE parent.
        IIngot ingot_ = ingot;
        uint256 ingotCount = address(ingot_) == address(0) ? 0 : ingot_.count();
        if (parentIngotId > ingotCount) revert FactoryUnknownParent(parentIngotId, ingotCount);
        if (s.lineageBps == 0) revert FactoryParentWithoutLineage(parentIngotId);
    }

    function _validateCap(IForge.Pool pool, uint16 cap) private pure {
        if (cap == 0 || cap > MAX_POOL_CAP) revert FactoryBadCap(pool, cap, MAX_POOL_CAP);
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IForgeFactory).interfaceId || super.supportsInterface(interfaceId);
    }
}
