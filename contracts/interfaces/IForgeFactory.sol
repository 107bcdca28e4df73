// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IForge} from "./IForge.sol";
import {IForgeRegistry} from "./IForgeRegistry.sol";
import {IIngot} from "./IIngot.sol";
import {IRevenueSplitter} from "./IRevenueSplitter.sol";
import {IEnclaveRegistry} from "./IEnclaveRegistry.sol";

/// @title IForgeFactory
/// @notice Creates Forges (EIP-1167 clones of one implementation it deploys in its constructor),
/// validates their configuration, keeps the registry the Ingot trusts, and knows the protocol's
/// Ingot, RevenueSplitter and EnclaveRegistry.
/// @dev Deployment: `new ForgeFactory(admin, enclaveRegistry, splitter)`, then
/// `new Ingot(factory, splitter)`, then `factory.bindIngot(ingot)` (PROTOCOL_ROLE, once).
/// The Forge implementation is deployed by the constructor (`implementation()`); every clone
/// reads the registry and splitter from the implementation's immutables and the Ingot from here.
///
/// Result size: each new Forge gets a bound on its total contributions across pools:
/// min(sum of its caps, `maxTotalContributions`), default 1,200, so its result always fits one
/// transaction under EIP-7825's per-transaction cap of 2^24 gas (Osaka and later). Up to
/// `IForge.DIRECT_MINT_MAX_HOLDERS` (256) holder entries `submitEvalResult` mints to every holder,
/// about 38k gas each (test/ts/contracts/forgeGas.test.ts); past it the shares are escrowed under
/// a Merkle root and claimed by proof (see IForge), about 11.9M gas for 1,000 data entries.
/// The admin may raise the bound only up to `MAX_TOTAL_CONTRIBUTIONS_BOUND` = 1,200, the measured
/// worst case: 1,000 one-account capital positions (two storage reads each, the dearest entry)
/// plus 200 data entries with distinct scores, all distinct holders, cost 16,038,124 gas
/// (test/ts/contracts/forgeGasBound.test.ts; 11.2k gas per extra entry, so 1,300 would not fit).
///
/// A fork names an existing Ingot as `parentIngotId` (Ingots exist only for LIVE Forges) with
/// `split.lineageBps > 0`; `lineageBps > 0` without a parent is refused. The lineage is emitted
/// (`ForgeForked`), stored on the Forge (`lineage()`) and passed to Ingot.mint at the result.
interface IForgeFactory is IForgeRegistry {
    /// @notice `config.creator` is zero.
    error FactoryZeroCreator();
    /// @notice A required text field of the config (`field`) is empty.
    error FactoryEmptyText(string field);
    /// @notice `config.baseModelRoot` is zero.
    error FactoryZeroBaseModelRoot();
    /// @notice `config.holdoutRoot` is zero.
    error FactoryZeroHoldoutRoot();
    /// @notice `config.holdoutExamples` is zero.
    error FactoryZeroHoldoutExamples();
    /// @notice The window is not ordered windowStart < windowEnd < evalDeadline.
    error FactoryWindowNotOrdered(uint64 windowStart, uint64 windowEnd, uint64 evalDeadline);
    /// @notice The window already ended (`windowEnd` <= now).
    error FactoryWindowInPast(uint64 windowEnd, uint256 nowTimestamp);
    /// @notice The window is open for `openSeconds` (from its start, or from now when it already
    /// started, to its end), below `minSeconds` (MIN_OPEN_WINDOW): nobody could contribute.
    error FactoryWindowTooShort(uint256 openSeconds, uint256 minSeconds);
    /// @notice The window ends at `windowEnd`, after `latest` (now + MAX_WINDOW_AHEAD): capital
    /// escrowed early would be locked for longer than that.
    error FactoryWindowTooFarAhead(uint64 windowEnd, uint256 latest);
    /// @notice `evalDeadline - windowEnd` is `evalSeconds`, outside [`minSeconds`, `maxSeconds`]
    /// (MIN_EVAL_PERIOD, MAX_EVAL_PERIOD): too short for any enclave to answer (the Forge could only
    /// fail), or too long to keep the capital locked waiting for an answer that may never come.
    error FactoryEvalPeriodOutOfRange(uint256 evalSeconds, uint256 minSeconds, uint256 maxSeconds);
    /// @notice The split's bps do not sum to 10,000.
    error FactorySplitSum(uint256 sum);
    /// @notice The cap of `pool` is zero or above `max`.
    error FactoryBadCap(IForge.Pool pool, uint256 cap, uint256 max);
    /// @notice `maxTotalContributions` must be between 1 and `bound` (MAX_TOTAL_CONTRIBUTIONS_BOUND).
    error FactoryBadMaxTotal(uint256 maxTotal, uint256 bound);
    /// @notice The capital asset is neither ETH (address(0)) nor a contract.
    error FactoryAssetNotContract(address asset);
    /// @notice `config.allowedMeasurements` is empty or longer than `max`.
    error FactoryBadMeasurementCount(uint256 count, uint256 max);
    /// @notice `config.allowedMeasurements[index]` is zero.
    error FactoryZeroMeasurement(uint256 index);
    /// @notice `parentIngotId` names no existing Ingot (there are `ingotCount`).
    error FactoryUnknownParent(uint256 parentIngotId, uint256 ingotCount);
    /// @notice A parent Ingot was named with `lineageBps == 0`.
    error FactoryParentWithoutLineage(uint256 parentIngotId);
    /// @notice `lineageBps > 0` without a parent Ingot.
    error FactoryLineageWithoutParent(uint16 lineageBps);
    /// @notice `lineageBps` would leave nothing to this Forge's own pools (must be below 10,000).
    error FactoryLineageTooLarge(uint16 lineageBps);
    /// @notice The Ingot was already bound.
    error FactoryIngotAlreadyBound(address ingot);
    /// @notice A zero address where a contract is required.
    error FactoryZeroAddress();

    /// @notice A Forge was created as the `index`-th of this factory.
    event ForgeCreated(
        address indexed forge, address indexed creator, uint256 indexed index, address capitalAsset, uint64 windowEnd
    );
    /// @notice `forge` forks Ingot `parentIngotId` with `lineageBps` (its lineage pool and royalty).
    event ForgeForked(address indexed forge, uint256 indexed parentIngotId, uint16 lineageBps);
    /// @notice The Ingot contract was bound.
    event IngotBound(address indexed ingot);
    /// @notice The bound on a new Forge's total contributions changed.
    event MaxTotalContributionsChanged(uint256 maxTotal);

    /// @notice Validate `config` and create a Forge with it.
    function createForge(IForge.ForgeConfig calldata config) external returns (address forge);

    /// @notice PROTOCOL_ROLE, once: bind the Ingot contract Forges mint into.
    function bindIngot(IIngot ingot) external;

    /// @notice PROTOCOL_ROLE: bound the sum of a new Forge's caps (existing Forges keep theirs),
    /// at most `MAX_TOTAL_CONTRIBUTIONS_BOUND`.
    function setMaxTotalContributions(uint256 maxTotal) external;

    /// @notice The largest `maxTotalContributions` the admin may set: a Forge filled to it with
    /// attacker-shaped entries (every entry its own account and holder, 1,000 capital positions,
    /// the rest data with distinct scores) still gets its result in one transaction under
    /// 2^24 gas, measured (test/ts/contracts/forgeGasBound.test.ts).
    function MAX_TOTAL_CONTRIBUTIONS_BOUND() external view returns (uint256);

    /// @notice The largest sum of caps a new Forge may have.
    function maxTotalContributions() external view returns (uint256);

    /// @notice The bound Ingot contract (zero before `bindIngot`).
    function ingot() external view returns (IIngot);

    /// @notice The RevenueSplitter released capital is paid into.
    function splitter() external view returns (IRevenueSplitter);

    /// @notice The EnclaveRegistry results are checked against.
    function enclaveRegistry() external view returns (IEnclaveRegistry);

    /// @notice The Forge implementation every Forge is a clone of.
    function implementation() external view returns (address);

    /// @notice The `index`-th Forge created.
    function forges(uint256 index) external view returns (address);

    /// @notice Number of Forges created.
    function forgeCount() external view returns (uint256);

    /// @notice Maximum contributions per pool a Forge may allow.
    function MAX_POOL_CAP() external view returns (uint256);

    /// @notice Maximum allowed measurements per Forge.
    function MAX_MEASUREMENTS() external view returns (uint256);

    /// @notice The shortest window a new Forge may have open (from its start, or from its creation
    /// when the start is past, to its end): 5 minutes.
    function MIN_OPEN_WINDOW() external view returns (uint256);

    /// @notice How far after its creation a new Forge's window may end at most: 365 days (capital
    /// escrowed on the first day is locked until the window closes).
    function MAX_WINDOW_AHEAD() external view returns (uint256);

    /// @notice The shortest eval period (`evalDeadline - windowEnd`) a new Forge may have: 10 minutes.
    function MIN_EVAL_PERIOD() external view returns (uint256);

    /// @notice The longest eval period a new Forge may have: 90 days, the most its capital and bonds
    /// wait for a result before the Forge fails and they become refundable.
    function MAX_EVAL_PERIOD() external view returns (uint256);
}
