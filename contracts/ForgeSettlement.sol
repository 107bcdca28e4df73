// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IForge} from "./interfaces/IForge.sol";
import {IForgeFactory} from "./interfaces/IForgeFactory.sol";
import {ShareTree} from "./libraries/ShareTree.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";
import {IEnclaveRegistry} from "./interfaces/IEnclaveRegistry.sol";
import {ForgeState} from "./ForgeState.sol";

/// @title ForgeSettlement
/// @notice The Forge's pay-outs after its window (see IForge for each function): capital refunds
/// and release, bond refunds and forfeits. Deployed once by the ForgeFactory beside the Forge
/// implementation; a Forge runs these functions by delegatecall, on its own storage and balance
/// (`ForgeState`). Called directly it acts on its own empty storage and holds no money.
contract ForgeSettlement is ForgeState, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    constructor(address factory_, IEnclaveRegistry registry_, IRevenueSplitter splitter_)
        ForgeState(factory_, registry_, splitter_)
    {}

    /// @notice See IForge.refund.
    function refund() external nonReentrant returns (uint256 amount) {
        _requirePhase(IForge.Phase.Failed);
        uint256 position = _capitalOf[msg.sender];
        if (position == 0) revert IForge.ForgeNothingToRefund(msg.sender);
        amount = _closePosition(position);
        emit IForge.CapitalRefunded(msg.sender, amount);
        _payCapital(msg.sender, amount);
    }

    /// @notice See IForge.releaseCapital.
    function releaseCapital() external nonReentrant returns (uint256 credited) {
        _requirePhase(IForge.Phase.Live);
        uint256 amount = _totalCapital;
        uint256 id = _ingotId;
        if (_capitalReleased) revert IForge.ForgeCapitalAlreadyReleased(id, amount);
        if (_reclaimStarted) revert IForge.ForgeCapitalBeingReclaimed();
        if (amount == 0) revert IForge.ForgeNothingToRelease();
        address asset = _config.capitalAsset;
        if (asset != address(0)) {
            // A token may hold less than was credited (it took or rebased balance away): release
            // what is held. ETH cannot leave but through this contract, so it is all there.
            uint256 held = IERC20(asset).balanceOf(address(this));
            if (held < amount) amount = held;
            if (amount == 0) revert IForge.ForgeNothingToRelease();
        }
        _capitalReleased = true;
        emit IForge.CapitalReleased(id, asset, amount);

        if (asset == address(0)) {
            credited = _splitter.pay{value: amount}(id, address(0), amount);
        } else {
            IERC20(asset).forceApprove(address(_splitter), amount);
            credited = _splitter.pay(id, asset, amount);
        }
    }

    /// @notice See IForge.reclaimCapital.
    function reclaimCapital() external nonReentrant returns (uint256 amount) {
        _requirePhase(IForge.Phase.Live);
        uint256 total = _totalCapital;
        if (_capitalReleased) revert IForge.ForgeCapitalAlreadyReleased(_ingotId, total);
        uint256 opensAt = uint256(_liveAt) + RELEASE_GRACE_SECONDS;
        if (block.timestamp < opensAt) revert IForge.ForgeReclaimNotOpen(opensAt, block.timestamp);
        uint256 position = _capitalOf[msg.sender];
        if (position == 0) revert IForge.ForgeNothingToRefund(msg.sender);
        _reclaimStarted = true;
        amount = _closePosition(position);
        emit IForge.CapitalReclaimed(msg.sender, position, amount);
        _payCapital(msg.sender, amount);
    }

    /// @notice See IForge.refundBond.
    function refundBond(IForge.Pool pool, uint256 id) external nonReentrant returns (uint256 amount) {
        IForge.Phase current = _phase();
        if (current != IForge.Phase.Live && current != IForge.Phase.Failed) {
            revert IForge.ForgeWrongPhase(address(this), current, IForge.Phase.Live);
        }
        address to;
        if (pool == IForge.Pool.Data && id < _dataContributors.length) {
            (to, amount) = (_dataContributors[id], _config.dataBond);
        } else if (pool == IForge.Pool.Compute && id < _computeWorkers.length) {
            (to, amount) = (_computeWorkers[id], _config.computeBond);
        }
        uint256 bit = 1 << (id & 0xff);
        uint256 word = _bondRefundedBits[pool][id >> 8];
        bool forfeited = current == IForge.Phase.Live && _isSet(_excludedBits[pool], id);
        if (amount == 0 || word & bit != 0 || forfeited) revert IForge.ForgeNoBondToRefund(pool, id);
        _bondRefundedBits[pool][id >> 8] = word | bit;
        _bondsRefunded += amount;
        emit IForge.BondRefunded(pool, id, to, amount);
        _sendEth(to, amount);
    }

    /// @notice See IForge.forfeitBonds.
    function forfeitBonds() external nonReentrant returns (uint256 amount) {
        _requirePhase(IForge.Phase.Live);
        amount = _bondsForfeited;
        if (amount == 0 || _forfeitedBondsPaid) revert IForge.ForgeNothingToForfeit();
        _forfeitedBondsPaid = true;
        uint256 id = _ingotId;
        emit IForge.BondsForfeited(id, amount);
        _splitter.pay{value: amount}(id, address(0), amount);
    }

    /// @notice See IForge.claimShares.
    function claimShares(uint256 index, address account, uint256 amount, bytes32[] calldata proof)
        external
        nonReentrant
    {
        bytes32 root = _sharesRoot;
        if (root == bytes32(0)) revert IForge.ForgeNoShareClaims(address(this));
        if (!MerkleProof.verifyCalldata(proof, root, ShareTree.leaf(index, account, amount))) {
            revert IForge.ForgeInvalidShareProof(index, account, amount);
        }
        uint256 bit = 1 << (index & 0xff);
        uint256 word = _claimedBits[index >> 8];
        if (word & bit != 0) revert IForge.ForgeSharesAlreadyClaimed(index, account);
        _claimedBits[index >> 8] = word | bit;
        uint256 id = _ingotId;
        emit IForge.SharesClaimed(id, index, account, amount);
        IForgeFactory(_factory).ingot().releaseEscrowed(account, amount);
    }

    /// @dev Closes the caller's `position` (refund or reclaim) and returns what it is paid: the
    /// whole position while the escrow holds every open position; when a token took or rebased
    /// balance away, the position's share of what is held now, pro rata to the positions still
    /// open, rounded down. So nobody is paid out of another's position, and the last one takes
    /// what is left: nothing stays behind. ETH cannot leave but through this contract, so an ETH
    /// escrow is always whole (its balance also holds the bonds, so it is not read).
    function _closePosition(uint256 position) private returns (uint256 amount) {
        uint256 closed = _totalRefunded;
        uint256 open = _totalCapital - closed;
        _capitalOf[msg.sender] = 0;
        _totalRefunded = closed + position;
        amount = position;
        address asset = _config.capitalAsset;
        if (asset != address(0)) {
            uint256 held = IERC20(asset).balanceOf(address(this));
            if (held < open) amount = Math.mulDiv(position, held, open);
        }
    }

    function _payCapital(address to, uint256 amount) private {
        address asset = _config.capitalAsset;
        if (asset == address(0)) _sendEth(to, amount);
        else IERC20(asset).safeTransfer(to, amount);
    }
}
