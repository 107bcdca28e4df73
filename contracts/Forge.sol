// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IForge} from "./interfaces/IForge.sol";
import {IForgeFactory} from "./interfaces/IForgeFactory.sol";
import {IIngot} from "./interfaces/IIngot.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";
import {IEnclaveRegistry} from "./interfaces/IEnclaveRegistry.sol";
import {ShareMath} from "./libraries/ShareMath.sol";
import {ShareTree} from "./libraries/ShareTree.sol";
import {RevenueMath} from "./libraries/RevenueMath.sol";
import {ForgeState} from "./ForgeState.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title Forge
/// @notice See IForge. Deployed once as an implementation by the ForgeFactory; every Forge is an
/// EIP-1167 clone initialized with its config. The immutables (factory, registry, splitter, the
/// EIP-712 name and version) live in the implementation's code and so are shared by all clones;
/// the EIP-712 domain is rebuilt per clone from `address(this)`.
contract Forge is IForge, ForgeState, Initializable, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IForge
    bytes32 public constant EVAL_RESULT_TYPEHASH = keccak256(
        "EvalResult(address forge,bytes32 holdoutRoot,bytes32 baseModelRoot,bytes32 adapterRoot,int256 metricBefore,int256 metricAfter,uint256[] dataIds,int256[] dataScores,uint256[] computeIds,uint256[] computeWork,uint256[] excludedData,uint256[] excludedCompute,bytes32 attributionLogRoot,bytes32 evalConfigHash,uint256 deadline)"
    );
    /// @inheritdoc IForge
    bytes32 public constant COMPUTE_REGISTRATION_TYPEHASH =
        keccak256("ComputeRegistration(address worker,address signer,bytes32 ed25519PublicKey)");
    /// @notice Shares per Ingot (IIngot.SHARE_SUPPLY, fixed protocol-wide).
    uint256 public constant SHARE_SUPPLY = 1_000_000_000;
    /// @notice Largest score or work figure accepted, so a pool's weights sum without overflow.
    uint256 public constant MAX_WEIGHT = type(uint128).max;
    /// @inheritdoc IForge
    uint256 public constant DIRECT_MINT_MAX_HOLDERS = 256;
    /// @inheritdoc IForge
    uint256 public constant RELEASE_GRACE = RELEASE_GRACE_SECONDS;
    uint256 private constant BPS = 10_000;

    /// @notice The contract whose code runs the pay-outs after the window (see ForgeSettlement).
    address public immutable settlement;

    constructor(address factory_, IEnclaveRegistry registry_, IRevenueSplitter splitter_, address settlement_)
        ForgeState(factory_, registry_, splitter_)
        EIP712("IngotForge", "1")
    {
        settlement = settlement_;
        _disableInitializers();
    }

    /// @inheritdoc IForge
    function initialize(ForgeConfig calldata config_, uint256 maxContributions_) external initializer {
        if (msg.sender != _factory) revert ForgeOnlyFactory(msg.sender);
        _config = config_;
        _maxContributions = uint32(maxContributions_);
    }

    // ------------------------------------------------------------ contributions

    /// @inheritdoc IForge
    function contributeData(bytes32 root, uint64 sizeBytes, uint32 exampleCount, string calldata metadataURI)
        external
        payable
        returns (uint256 dataId)
    {
        _requirePhase(Phase.Open);
        if (msg.value != _config.dataBond) revert ForgeBadBond(msg.value, _config.dataBond);
        if (root == bytes32(0)) revert ForgeZeroDataRoot();
        if (sizeBytes == 0) revert ForgeZeroDataSize(root);
        if (exampleCount == 0) revert ForgeZeroExampleCount(root);
        if (bytes(metadataURI).length == 0) revert ForgeEmptyDataMetadata(root);
        // Keyed by sender: a copy of someone's transaction is the copier's own entry and never
        // blocks the author (the enclave excludes a copy whose sealed binding names another sender).
        uint256 existing = _dataIdOf[msg.sender][root];
        if (existing != 0) revert ForgeDuplicateDataRoot(msg.sender, root, existing - 1);
        dataId = _dataContributors.length;
        if (dataId >= _config.caps.maxData) revert ForgePoolFull(Pool.Data, _config.caps.maxData);

        _countContribution();
        _dataContributors.push(msg.sender);
        _dataIdOf[msg.sender][root] = dataId + 1;
        emit DataContributed(dataId, msg.sender, root, sizeBytes, exampleCount, metadataURI);
    }

    /// @inheritdoc IForge
    function registerCompute(
        address signer,
        bytes32 ed25519PublicKey,
        uint32 capacity,
        bytes calldata signerSignature,
        bytes calldata ed25519Signature
    ) external payable returns (uint256 computeId) {
        _requirePhase(Phase.Open);
        if (signer == address(0)) revert ForgeZeroComputeSigner();
        if (ed25519PublicKey == bytes32(0)) revert ForgeZeroComputeKey(signer);
        if (capacity == 0) revert ForgeZeroCapacity(signer);
        if (msg.value != _config.computeBond) revert ForgeBadBond(msg.value, _config.computeBond);
        if (ed25519Signature.length != 64) revert ForgeBadEd25519ProofLength(ed25519PublicKey, ed25519Signature.length);
        _checkSignerProof(signer, ed25519PublicKey, signerSignature);
        uint256 bySigner = _computeIdOfSigner[signer];
        if (bySigner != 0) revert ForgeDuplicateComputeSigner(signer, bySigner - 1);
        computeId = _computeWorkers.length;
        if (computeId >= _config.caps.maxCompute) revert ForgePoolFull(Pool.Compute, _config.caps.maxCompute);

        _countContribution();
        _computeWorkers.push(msg.sender);
        _computeIdOfSigner[signer] = computeId + 1;
        emit ComputeRegistered(computeId, msg.sender, signer, ed25519PublicKey, capacity, ed25519Signature);
    }

    /// @inheritdoc IForge
    function contributeCapital(uint256 amount) external payable nonReentrant returns (uint256 credited) {
        _requirePhase(Phase.Open);
        if (amount == 0) revert ForgeZeroCapital();
        uint256 positionId = _positionOf[msg.sender];
        bool isNew = positionId == 0;
        if (isNew) {
            positionId = _capitalContributors.length;
            if (positionId >= _config.caps.maxCapital) revert ForgePoolFull(Pool.Capital, _config.caps.maxCapital);
            _countContribution();
        } else {
            positionId -= 1;
        }

        address asset = _config.capitalAsset;
        if (asset == address(0)) {
            if (msg.value != amount) revert ForgeBadValue(msg.value, amount);
            credited = amount;
        } else {
            if (msg.value != 0) revert ForgeBadValue(msg.value, amount);
            // Credit what arrived, not what was asked for: fee-on-transfer tokens are accepted, and
            // a balance that shrank during the transfer is charged to this contribution, never to
            // the positions already in (nothing credited when it shrank by as much as arrived).
            uint256 balanceBefore = IERC20(asset).balanceOf(address(this));
            IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
            uint256 balanceAfter = IERC20(asset).balanceOf(address(this));
            if (balanceAfter <= balanceBefore) revert ForgeZeroCapital();
            credited = balanceAfter - balanceBefore;
        }
        if (isNew && credited < _config.minCapital) revert ForgeCapitalBelowMinimum(credited, _config.minCapital);

        if (isNew) {
            _capitalContributors.push(msg.sender);
            _positionOf[msg.sender] = positionId + 1;
        }
        uint256 position = _capitalOf[msg.sender] + credited;
        _capitalOf[msg.sender] = position;
        uint256 total = _totalCapital + credited;
        uint256 limit = capitalLimit();
        if (total > limit) revert ForgeCapitalOverLimit(total, limit);
        _totalCapital = total;
        emit CapitalContributed(positionId, msg.sender, amount, credited, position);
    }

    /// @inheritdoc IForge
    function refund() external returns (uint256) {
        return abi.decode(_settle(), (uint256));
    }

    /// @inheritdoc IForge
    function releaseCapital() external returns (uint256) {
        return abi.decode(_settle(), (uint256));
    }

    /// @inheritdoc IForge
    function refundBond(Pool, uint256) external returns (uint256) {
        return abi.decode(_settle(), (uint256));
    }

    /// @inheritdoc IForge
    function reclaimCapital() external returns (uint256) {
        return abi.decode(_settle(), (uint256));
    }

    /// @inheritdoc IForge
    function forfeitBonds() external returns (uint256) {
        return abi.decode(_settle(), (uint256));
    }

    // ------------------------------------------------------------ result

    /// @inheritdoc IForge
    function submitEvalResult(EvalResult calldata result, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 id)
    {
        (address signer, bytes32 measurement) = _verifyResult(result, signature);
        _live = true;
        _liveAt = uint64(block.timestamp);
        _bondsForfeited = _recordExcluded(Pool.Data, result.excludedData) * _config.dataBond
            + _recordExcluded(Pool.Compute, result.excludedCompute) * _config.computeBond;
        id = _mintIngot(result, measurement);
        _ingotId = id;
        emit ResultAccepted(
            id,
            signer,
            measurement,
            result.adapterRoot,
            result.metricBefore,
            result.metricAfter,
            result.attributionLogRoot,
            result.evalConfigHash
        );
    }

    /// @inheritdoc IForge
    function claimShares(uint256, address, uint256, bytes32[] calldata) external {
        _settle();
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IForge
    function totalBonds() external view returns (uint256) {
        return _dataContributors.length * _config.dataBond + _computeWorkers.length * _config.computeBond;
    }

    /// @inheritdoc IForge
    function isExcluded(Pool pool, uint256 id) external view returns (bool) {
        return _isSet(_excludedBits[pool], id);
    }

    /// @inheritdoc IForge
    function isBondRefunded(Pool pool, uint256 id) external view returns (bool) {
        return _isSet(_bondRefundedBits[pool], id);
    }

    /// @inheritdoc IForge
    function isShareClaimed(uint256 index) external view returns (bool) {
        return _isSet(_claimedBits, index);
    }

    /// @inheritdoc IForge
    function previewAllocation(EvalResult calldata result)
        external
        view
        returns (address[] memory holders, uint256[] memory amounts, bytes32 root)
    {
        (, holders, amounts) = _allocate(result);
        root = ShareTree.root(holders, amounts);
    }

    /// @inheritdoc IForge
    function phase() external view returns (Phase) {
        return _phase();
    }

    /// @inheritdoc IForge
    function liveAt() external view returns (uint64) {
        return _liveAt;
    }

    /// @inheritdoc IForge
    function capitalReclaimStarted() external view returns (bool) {
        return _reclaimStarted;
    }

    /// @inheritdoc IForge
    function capitalLimit() public view returns (uint256) {
        uint256 accruing = RevenueMath.accruingShares(SHARE_SUPPLY, _config.split.lineageBps);
        return RevenueMath.MAX_PER_SHARE * accruing / RevenueMath.ACC_PRECISION;
    }

    /// @inheritdoc IForge
    function factory() external view returns (address) {
        return _factory;
    }

    /// @inheritdoc IForge
    function ingotId() external view returns (uint256) {
        return _ingotId;
    }

    /// @inheritdoc IForge
    function totalCapital() external view returns (uint256) {
        return _totalCapital;
    }

    /// @inheritdoc IForge
    function totalRefunded() external view returns (uint256) {
        return _totalRefunded;
    }

    /// @inheritdoc IForge
    function capitalReleased() external view returns (bool) {
        return _capitalReleased;
    }

    /// @inheritdoc IForge
    function sharesRoot() external view returns (bytes32) {
        return _sharesRoot;
    }

    /// @inheritdoc IForge
    function shareClaimCount() external view returns (uint256) {
        return _shareClaimCount;
    }

    /// @inheritdoc IForge
    function bondsRefunded() external view returns (uint256) {
        return _bondsRefunded;
    }

    /// @inheritdoc IForge
    function bondsForfeited() external view returns (uint256) {
        return _bondsForfeited;
    }

    /// @inheritdoc IForge
    function forfeitedBondsPaid() external view returns (bool) {
        return _forfeitedBondsPaid;
    }

    /// @inheritdoc IForge
    function config() external view returns (ForgeConfig memory) {
        return _config;
    }

    /// @inheritdoc IForge
    function lineage() external view returns (uint256 parentIngotId, uint16 lineageBps) {
        return (_config.parentIngotId, _config.split.lineageBps);
    }

    /// @inheritdoc IForge
    function maxContributions() external view returns (uint256) {
        return _maxContributions;
    }

    /// @inheritdoc IForge
    function counts() external view returns (uint256 data, uint256 compute, uint256 capital) {
        return (_dataContributors.length, _computeWorkers.length, _capitalContributors.length);
    }

    /// @inheritdoc IForge
    function dataContributor(uint256 dataId) external view returns (address) {
        return _dataContributors[dataId];
    }

    /// @inheritdoc IForge
    function dataIdOf(address contributor, bytes32 root) external view returns (bool exists, uint256 dataId) {
        uint256 idPlusOne = _dataIdOf[contributor][root];
        return idPlusOne == 0 ? (false, 0) : (true, idPlusOne - 1);
    }

    /// @inheritdoc IForge
    function computeWorker(uint256 computeId) external view returns (address) {
        return _computeWorkers[computeId];
    }

    /// @inheritdoc IForge
    function computeIdOfSigner(address signer) external view returns (bool exists, uint256 computeId) {
        uint256 idPlusOne = _computeIdOfSigner[signer];
        return idPlusOne == 0 ? (false, 0) : (true, idPlusOne - 1);
    }

    /// @inheritdoc IForge
    function capitalContributor(uint256 positionId) external view returns (address) {
        return _capitalContributors[positionId];
    }

    /// @inheritdoc IForge
    function capitalOf(address contributor) external view returns (uint256) {
        return _capitalOf[contributor];
    }

    /// @inheritdoc IForge
    function hashComputeRegistration(address worker, address signer, bytes32 ed25519PublicKey)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(COMPUTE_REGISTRATION_TYPEHASH, worker, signer, ed25519PublicKey)));
    }

    /// @inheritdoc IForge
    function hashEvalResult(EvalResult calldata r) public view returns (bytes32) {
        // Two static halves concatenated equal one abi.encode of all fields (and keep the stack shallow).
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(
                    EVAL_RESULT_TYPEHASH,
                    r.forge,
                    r.holdoutRoot,
                    r.baseModelRoot,
                    r.adapterRoot,
                    r.metricBefore,
                    r.metricAfter
                ),
                abi.encode(
                    keccak256(abi.encodePacked(r.dataIds)),
                    keccak256(abi.encodePacked(r.dataScores)),
                    keccak256(abi.encodePacked(r.computeIds)),
                    keccak256(abi.encodePacked(r.computeWork)),
                    keccak256(abi.encodePacked(r.excludedData)),
                    keccak256(abi.encodePacked(r.excludedCompute))
                ),
                abi.encode(
                    r.attributionLogRoot,
                    r.evalConfigHash,
                    r.deadline
                )
            )
        );
        return _hashTypedDataV4(structHash);
    }

    // ------------------------------------------------------------ internals

    /// @dev Every check on the result except the vectors (checked while weighing them).
    function _verifyResult(EvalResult calldata result, bytes calldata signature)
        private
        view
        returns (address signer, bytes32 measurement)
    {
        _requirePhase(Phase.Closed);
        if (block.timestamp > result.deadline) revert ForgeResultExpired(result.deadline, block.timestamp);
        if (result.forge != address(this)) revert ForgeResultWrongForge(result.forge, address(this));
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecover(hashEvalResult(result), signature);
        if (err != ECDSA.RecoverError.NoError) revert ForgeBadSignature(signature);
        measurement = _checkEnclave(signer);
        if (result.holdoutRoot != _config.holdoutRoot) {
            revert ForgeHoldoutRootMismatch(result.holdoutRoot, _config.holdoutRoot);
        }
        if (result.baseModelRoot != _config.baseModelRoot) {
            revert ForgeBaseModelRootMismatch(result.baseModelRoot, _config.baseModelRoot);
        }
    }

    /// @dev Allocate (see IForge), then mint to the holders directly, or, past
    /// DIRECT_MINT_MAX_HOLDERS, to this Forge as the escrow of a Merkle root they claim from.
    function _mintIngot(EvalResult calldata result, bytes32 measurement) private returns (uint256 id) {
        (PoolShares memory pools, address[] memory holders, uint256[] memory amounts) = _allocate(result);
        IIngot ingot = IForgeFactory(_factory).ingot();
        if (holders.length <= DIRECT_MINT_MAX_HOLDERS) {
            id = ingot.mint(_ingotInfo(result, measurement), holders, amounts, pools.lineage);
        } else {
            bytes32 root = ShareTree.root(holders, amounts);
            _sharesRoot = root;
            _shareClaimCount = holders.length;
            uint256 escrowed = SHARE_SUPPLY - pools.lineage;
            id = ingot.mintEscrowed(_ingotInfo(result, measurement), escrowed, pools.lineage);
            emit SharesEscrowed(id, root, holders.length, escrowed);
        }
        emit SharesAllocated(id, pools);
    }

    /// @dev Weigh every contribution (checking the vectors) and split the supply: the pools, then
    /// the holders in the documented order with their shares.
    function _allocate(EvalResult calldata result)
        private
        view
        returns (PoolShares memory pools, address[] memory holders, uint256[] memory amounts)
    {
        uint256[] memory dataWeights = _weights(Pool.Data, result.dataIds, _positiveScores(result.dataScores));
        uint256[] memory computeWeights = _weights(Pool.Compute, result.computeIds, result.computeWork);
        _checkExcluded(Pool.Data, result.excludedData, result);
        _checkExcluded(Pool.Compute, result.excludedCompute, result);
        (address[] memory capitalHolders, uint256[] memory capitalWeights) = _capitalPositions();

        pools = _poolShares(dataWeights, computeWeights, capitalWeights);
        (holders, amounts) = _holders(
            pools,
            ShareMath.allocate(pools.data, dataWeights),
            ShareMath.allocate(pools.compute, computeWeights),
            capitalHolders,
            ShareMath.allocate(pools.capital, capitalWeights)
        );
    }

    /// @dev The signer proves it agreed to be this sender's signing key: it is the sender (no
    /// signature needed), or it signed the registration's EIP-712 digest.
    function _checkSignerProof(address signer, bytes32 ed25519PublicKey, bytes calldata signature) private view {
        if (signature.length == 0) {
            if (signer != msg.sender) revert ForgeBadSignerProof(signer, address(0));
            return;
        }
        (address recovered, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(hashComputeRegistration(msg.sender, signer, ed25519PublicKey), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != signer) revert ForgeBadSignerProof(signer, recovered);
    }

    /// @dev Excluded ids must be strictly increasing entries whose score (data) or work (compute)
    /// is exactly 0. Called after `_weights` checked the vectors' lengths.
    function _checkExcluded(Pool pool, uint256[] calldata ids, EvalResult calldata r) private pure {
        uint256 n = pool == Pool.Data ? r.dataScores.length : r.computeWork.length;
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            if (id >= n || (i != 0 && id <= ids[i - 1])) revert ForgeBadExcludedId(pool, i, id);
            if (pool == Pool.Data ? r.dataScores[id] != 0 : r.computeWork[id] != 0) revert ForgeExcludedWithWeight(pool, id);
        }
    }

    /// @dev Sets the excluded bits (one storage write per 256-id word) and returns how many.
    function _recordExcluded(Pool pool, uint256[] calldata ids) private returns (uint256) {
        uint256 wordIndex;
        uint256 word;
        for (uint256 i; i < ids.length; ++i) {
            uint256 w = ids[i] >> 8;
            if (i != 0 && w != wordIndex) {
                _excludedBits[pool][wordIndex] = word;
                word = 0;
            }
            wordIndex = w;
            word |= 1 << (ids[i] & 0xff);
        }
        if (ids.length != 0) _excludedBits[pool][wordIndex] = word;
        return ids.length;
    }

    /// @dev Runs the called function in ForgeSettlement on this Forge's storage and balance
    /// (reverts bubble up unchanged); returns its return data.
    function _settle() private returns (bytes memory) {
        return Address.functionDelegateCall(settlement, msg.data);
    }

    function _countContribution() private {
        uint32 count = _contributionCount;
        if (count >= _maxContributions) revert ForgeFull(_maxContributions);
        _contributionCount = count + 1;
    }

    /// @dev The signer must be a live enclave key whose measurement this Forge allows.
    function _checkEnclave(address signer) private view returns (bytes32 measurement) {
        if (!_registry.isValid(signer)) revert ForgeSignerNotValid(signer);
        measurement = _registry.enclave(signer).measurement;
        bytes32[] storage allowed = _config.allowedMeasurements;
        for (uint256 i; i < allowed.length; ++i) {
            if (allowed[i] == measurement) return measurement;
        }
        revert ForgeMeasurementNotAllowed(signer, measurement);
    }

    /// @dev Scores <= 0 earn nothing; positive ones are their weight.
    function _positiveScores(int256[] calldata scores) private pure returns (uint256[] memory weights) {
        weights = new uint256[](scores.length);
        for (uint256 i; i < scores.length; ++i) {
            if (scores[i] > 0) weights[i] = uint256(scores[i]);
        }
    }

    /// @dev Checks that `ids` is exactly 0..n-1 for the pool's n contributions and that each
    /// weight is bounded; returns the weights.
    function _weights(Pool pool, uint256[] calldata ids, uint256[] memory weights)
        private
        view
        returns (uint256[] memory)
    {
        uint256 n = pool == Pool.Data ? _dataContributors.length : _computeWorkers.length;
        if (ids.length != n) revert ForgeBadVectorLength(pool, ids.length, n);
        if (weights.length != n) revert ForgeBadVectorLength(pool, weights.length, n);
        for (uint256 i; i < n; ++i) {
            if (ids[i] != i) revert ForgeBadContributionId(pool, i, ids[i]);
            if (weights[i] > MAX_WEIGHT) revert ForgeWeightTooLarge(pool, i, weights[i]);
        }
        return weights;
    }

    function _capitalPositions() private view returns (address[] memory contributors, uint256[] memory amounts) {
        contributors = _capitalContributors;
        amounts = new uint256[](contributors.length);
        for (uint256 i; i < contributors.length; ++i) {
            amounts[i] = _capitalOf[contributors[i]];
        }
    }

    /// @dev Lineage first (exact), then the rest between the non-empty pools by bps (see IForge).
    function _poolShares(uint256[] memory dataWeights, uint256[] memory computeWeights, uint256[] memory capitalWeights)
        private
        view
        returns (PoolShares memory pools)
    {
        Split memory split = _config.split;
        pools.lineage = SHARE_SUPPLY * split.lineageBps / BPS;
        uint256[] memory poolWeights = new uint256[](4);
        if (_anyPositive(dataWeights)) poolWeights[0] = split.dataBps;
        if (_anyPositive(computeWeights)) poolWeights[1] = split.computeBps;
        if (_anyPositive(capitalWeights)) poolWeights[2] = split.capitalBps;
        poolWeights[3] = split.creatorBps;
        uint256 rest = SHARE_SUPPLY - pools.lineage;
        uint256[] memory parts = ShareMath.allocate(rest, poolWeights);
        if (parts[0] + parts[1] + parts[2] + parts[3] == 0) parts[3] = rest;
        (pools.data, pools.compute, pools.capital, pools.creator) = (parts[0], parts[1], parts[2], parts[3]);
    }

    /// @dev Creator, then data, compute and capital members, skipping zero amounts.
    function _holders(
        PoolShares memory pools,
        uint256[] memory dataParts,
        uint256[] memory computeParts,
        address[] memory capitalHolders,
        uint256[] memory capitalParts
    ) private view returns (address[] memory holders, uint256[] memory amounts) {
        uint256 count = (pools.creator == 0 ? 0 : 1) + _nonZero(dataParts) + _nonZero(computeParts)
            + _nonZero(capitalParts);
        holders = new address[](count);
        amounts = new uint256[](count);
        uint256 k;
        if (pools.creator != 0) {
            (holders[0], amounts[0]) = (_config.creator, pools.creator);
            k = 1;
        }
        for (uint256 i; i < dataParts.length; ++i) {
            if (dataParts[i] == 0) continue;
            (holders[k], amounts[k]) = (_dataContributors[i], dataParts[i]);
            ++k;
        }
        for (uint256 i; i < computeParts.length; ++i) {
            if (computeParts[i] == 0) continue;
            (holders[k], amounts[k]) = (_computeWorkers[i], computeParts[i]);
            ++k;
        }
        for (uint256 i; i < capitalParts.length; ++i) {
            if (capitalParts[i] == 0) continue;
            (holders[k], amounts[k]) = (capitalHolders[i], capitalParts[i]);
            ++k;
        }
    }

    function _ingotInfo(EvalResult calldata result, bytes32 measurement)
        private
        view
        returns (IIngot.IngotInfo memory)
    {
        ForgeConfig storage c = _config;
        return IIngot.IngotInfo({
            forge: address(this),
            parentId: c.parentIngotId,
            royaltyBps: c.split.lineageBps,
            capitalAsset: c.capitalAsset,
            baseModelRoot: c.baseModelRoot,
            adapterRoot: result.adapterRoot,
            measurement: measurement,
            attributionLogRoot: result.attributionLogRoot,
            metricBefore: result.metricBefore,
            metricAfter: result.metricAfter,
            baseModelName: c.baseModelName,
            metadataURI: c.metadataURI
        });
    }

    function _anyPositive(uint256[] memory values) private pure returns (bool) {
        for (uint256 i; i < values.length; ++i) {
            if (values[i] != 0) return true;
        }
        return false;
    }

    function _nonZero(uint256[] memory values) private pure returns (uint256 count) {
        for (uint256 i; i < values.length; ++i) {
            if (values[i] != 0) ++count;
        }
    }
}
