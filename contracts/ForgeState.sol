// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IForge} from "./interfaces/IForge.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";
import {IEnclaveRegistry} from "./interfaces/IEnclaveRegistry.sol";

/// @title ForgeState
/// @notice The storage of a Forge and the few helpers both of its code contracts use: `Forge`
/// (contributions, the result, shares) and `ForgeSettlement` (the money paid out after the
/// window: capital refunds and release, bond refunds and forfeits), which the Forge runs by
/// delegatecall so that the two together fit the 24,576-byte code limit. Both inherit this
/// contract first, so the layout is the same in both.
abstract contract ForgeState {
    /// @dev See IForge.RELEASE_GRACE (the Forge's public constant is this one).
    uint256 internal constant RELEASE_GRACE_SECONDS = 7 days;

    address internal immutable _factory;
    IEnclaveRegistry internal immutable _registry;
    IRevenueSplitter internal immutable _splitter;

    IForge.ForgeConfig internal _config;

    bool internal _live;
    bool internal _capitalReleased;
    uint32 internal _contributionCount; // across pools (top-ups excluded); shares the flags' slot
    uint32 internal _maxContributions;
    bool internal _forfeitedBondsPaid;
    bool internal _reclaimStarted; // a contributor reclaimed capital: release is off for good
    uint64 internal _liveAt; // when the result was accepted
    uint256 internal _ingotId;
    uint256 internal _totalCapital;
    uint256 internal _totalRefunded; // the positions closed by refunds (Failed) or reclaims (Live)
    bytes32 internal _sharesRoot;
    uint256 internal _shareClaimCount;
    mapping(uint256 word => uint256 bits) internal _claimedBits;
    uint256 internal _bondsRefunded;
    uint256 internal _bondsForfeited;
    mapping(IForge.Pool pool => mapping(uint256 word => uint256 bits)) internal _excludedBits;
    mapping(IForge.Pool pool => mapping(uint256 word => uint256 bits)) internal _bondRefundedBits;

    address[] internal _dataContributors;
    mapping(address contributor => mapping(bytes32 root => uint256 idPlusOne)) internal _dataIdOf;
    address[] internal _computeWorkers;
    mapping(address signer => uint256 idPlusOne) internal _computeIdOfSigner;
    address[] internal _capitalContributors;
    mapping(address contributor => uint256 idPlusOne) internal _positionOf;
    mapping(address contributor => uint256 amount) internal _capitalOf;

    constructor(address factory_, IEnclaveRegistry registry_, IRevenueSplitter splitter_) {
        _factory = factory_;
        _registry = registry_;
        _splitter = splitter_;
    }

    /// @dev See IForge.phase.
    function _phase() internal view returns (IForge.Phase) {
        if (_live) return IForge.Phase.Live;
        IForge.ForgeConfig storage c = _config;
        if (block.timestamp < c.windowStart) return IForge.Phase.Pending;
        if (block.timestamp < c.windowEnd) return IForge.Phase.Open;
        if (block.timestamp < c.evalDeadline) return IForge.Phase.Closed;
        return IForge.Phase.Failed;
    }

    /// @dev Whether bit `id` is set in a bitmap of 256-bit words (excluded entries, refunded bonds,
    /// claimed share leaves).
    function _isSet(mapping(uint256 word => uint256 bits) storage bitmap, uint256 id) internal view returns (bool) {
        return bitmap[id >> 8] & (1 << (id & 0xff)) != 0;
    }

    function _requirePhase(IForge.Phase expected) internal view {
        IForge.Phase current = _phase();
        if (current != expected) revert IForge.ForgeWrongPhase(address(this), current, expected);
    }

    function _sendEth(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert IForge.ForgeEthTransferFailed(to, amount);
    }
}
