// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";
import {IIngot} from "./interfaces/IIngot.sol";
import {RevenueMath} from "./libraries/RevenueMath.sol";

/// @title RevenueSplitter
/// @notice See {IRevenueSplitter}.
contract RevenueSplitter is IRevenueSplitter, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant PROTOCOL_ROLE = keccak256("PROTOCOL_ROLE");
    /// @inheritdoc IRevenueSplitter
    bytes32 public constant TRUSTED_PAYER_ROLE = keccak256("TRUSTED_PAYER_ROLE");
    /// @inheritdoc IRevenueSplitter
    uint256 public constant MAX_ASSETS_PER_INGOT = 8;
    /// @inheritdoc IRevenueSplitter
    uint256 public constant MAX_LINEAGE_DEPTH = 8;
    /// @inheritdoc IRevenueSplitter
    uint256 public constant ACC_PRECISION = RevenueMath.ACC_PRECISION;

    address private constant ETH = address(0);

    /// @dev One slot, read on every pay level and share move. `accruingShares == 0` = unregistered.
    /// `escrowed` saves Ingots without an escrow the read of `_escrowOf`.
    struct Lineage {
        uint64 parentId;
        uint16 royaltyBps;
        uint32 accruingShares;
        bool escrowed;
    }

    /// @dev One slot per (ingot, asset).
    struct Pool {
        uint216 perShare;
        uint32 dust;
        bool listed;
    }

    /// @dev One slot per ERC-20: whether the protocol allowlisted it (read on every payment in it)
    /// and the claim units all Ingots are owed in it, written on every payment and claim.
    struct Book {
        bool allowed;
        uint248 owed;
    }

    /// @dev Scaled by ACC_PRECISION.
    struct Account {
        uint256 checkpoint;
        uint256 accrued;
    }

    /// @inheritdoc IRevenueSplitter
    address public ingot;
    uint32 private _shareSupply;
    /// @inheritdoc IRevenueSplitter
    mapping(address asset => uint256) public minFirstPayment;

    mapping(address asset => Book) private _books;
    mapping(uint256 ingotId => Lineage) private _lineage;
    mapping(uint256 ingotId => address) private _capitalAsset;
    mapping(uint256 ingotId => address) private _escrowOf;
    mapping(uint256 ingotId => address[]) private _assets;
    mapping(uint256 ingotId => mapping(address asset => Pool)) private _pools;
    mapping(uint256 ingotId => mapping(address asset => mapping(address holder => Account))) private _accounts;

    modifier onlyIngot() {
        if (msg.sender != ingot) revert SplitterOnlyIngot(msg.sender);
        _;
    }

    modifier onlyRoleHolder(bytes32 role) {
        if (!hasRole(role, msg.sender)) revert SplitterUnauthorized(msg.sender, role);
        _;
    }

    constructor(address admin) {
        if (admin == address(0)) revert SplitterZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PROTOCOL_ROLE, admin);
    }

    /// @inheritdoc IRevenueSplitter
    function bindIngot(address ingot_) external onlyRoleHolder(DEFAULT_ADMIN_ROLE) {
        if (ingot != address(0)) revert SplitterIngotAlreadyBound(ingot);
        if (ingot_ == address(0)) revert SplitterZeroAddress();
        ingot = ingot_;
        _shareSupply = SafeCast.toUint32(IIngot(ingot_).SHARE_SUPPLY());
        emit IngotBound(ingot_);
    }

    /// @inheritdoc IRevenueSplitter
    function setAssetAllowed(address asset, bool allowed, uint256 minFirstPayment_)
        external
        onlyRoleHolder(PROTOCOL_ROLE)
    {
        if (allowed && minFirstPayment_ == 0) revert SplitterZeroMinFirstPayment(asset);
        uint256 minimum = allowed ? minFirstPayment_ : 0;
        _books[asset].allowed = allowed;
        minFirstPayment[asset] = minimum;
        emit AssetAllowed(asset, allowed, minimum);
    }

    /// @inheritdoc IRevenueSplitter
    function registerIngot(uint256 ingotId, uint256 parentId, uint16 royaltyBps, address capitalAsset)
        external
        onlyIngot
    {
        if (_lineage[ingotId].accruingShares != 0) revert SplitterIngotExists(ingotId);
        bool badParent = parentId != 0 && (parentId >= ingotId || _lineage[parentId].accruingShares == 0);
        if (
            ingotId == 0 || ingotId > type(uint64).max || badParent || (parentId == 0 && royaltyBps != 0)
                || royaltyBps >= RevenueMath.BPS
        ) revert SplitterBadLineage(ingotId, parentId, royaltyBps);

        _lineage[ingotId] = Lineage({
            parentId: uint64(parentId),
            royaltyBps: royaltyBps,
            accruingShares: uint32(RevenueMath.accruingShares(_shareSupply, royaltyBps)),
            escrowed: false
        });
        if (capitalAsset != ETH) _capitalAsset[ingotId] = capitalAsset;
        emit IngotRegistered(ingotId, parentId, royaltyBps, capitalAsset);
    }

    /// @inheritdoc IRevenueSplitter
    function registerEscrow(uint256 ingotId, address escrow) external onlyIngot {
        Lineage storage l = _lineage[ingotId];
        if (l.accruingShares == 0) revert SplitterUnknownIngot(ingotId);
        if (escrow == address(0) || escrow == address(this)) revert SplitterZeroAddress();
        // Pinning the escrow's checkpoint at 0 is exact only while every accumulator is still 0.
        if (l.escrowed || _assets[ingotId].length != 0) revert SplitterEscrowTooLate(ingotId, escrow);
        l.escrowed = true;
        _escrowOf[ingotId] = escrow;
        emit EscrowRegistered(ingotId, escrow);
    }

    /// @inheritdoc IRevenueSplitter
    function onSharesMoved(uint256 ingotId, address from, address to, uint256 amount) external onlyIngot {
        Lineage memory l = _lineage[ingotId];
        if (l.accruingShares == 0) revert SplitterUnknownIngot(ingotId);
        if (to == address(this) && from != address(0)) revert SplitterSharesToSplitter(ingotId, from);
        address escrow = l.escrowed ? _escrowOf[ingotId] : address(0);
        if (to == escrow && from != address(0) && escrow != address(0)) revert SplitterSharesToEscrow(ingotId, from);

        address[] storage assets = _assets[ingotId];
        if (assets.length == 0) return;
        if (from == escrow && escrow != address(0)) _settleRelease(ingotId, assets, to, amount);
        else _settleMove(ingotId, assets, from, to);
    }

    /// @inheritdoc IRevenueSplitter
    function pay(uint256 ingotId, address asset, uint256 amount)
        external
        payable
        nonReentrant
        returns (uint256 credited)
    {
        if (_lineage[ingotId].accruingShares == 0) revert SplitterUnknownIngot(ingotId);
        if (amount == 0) revert SplitterZeroPayment(ingotId, asset);
        if (asset == ETH) {
            if (msg.value != amount) revert SplitterBadValue(msg.value, amount);
        } else if (msg.value != 0) {
            revert SplitterBadValue(msg.value, 0);
        }
        if (!_accepts(ingotId, asset)) revert SplitterAssetNotAccepted(ingotId, asset);
        Pool storage pool = _pools[ingotId][asset];
        if (!pool.listed && !_hasFreeSlot(ingotId, asset)) {
            revert SplitterTooManyAssets(ingotId, asset, MAX_ASSETS_PER_INGOT);
        }

        // The one interaction before effects: only the balance actually received can be credited.
        uint256 units = amount;
        if (asset == ETH) credited = amount;
        else (credited, units) = _pull(ingotId, asset, amount);
        if (!pool.listed) {
            uint256 minimum = _minimumToList(ingotId, asset);
            if (credited < minimum && !_payerIsTrusted()) {
                revert SplitterFirstPaymentTooSmall(ingotId, asset, credited, minimum);
            }
            _list(ingotId, asset, pool);
        }

        uint256 royalty = _distribute(ingotId, asset, units);
        emit Paid(ingotId, asset, msg.sender, credited, royalty);
    }

    /// @inheritdoc IRevenueSplitter
    function claim(uint256 ingotId, address asset, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert SplitterZeroAddress();
        Lineage memory l = _lineage[ingotId];
        if (l.accruingShares == 0) revert SplitterUnknownIngot(ingotId);

        // Settled in memory so `accrued` is written once (a first claim would otherwise write it
        // from zero and back).
        Account storage account = _accounts[ingotId][asset][msg.sender];
        uint256 perShare = _pools[ingotId][asset].perShare;
        uint256 checkpoint = account.checkpoint;
        uint256 scaled = account.accrued;
        if (checkpoint != perShare) {
            uint256 balance = _earningBalance(ingotId, l, msg.sender);
            scaled += RevenueMath.earned(balance, perShare, checkpoint);
            account.checkpoint = perShare;
        }
        (uint256 units, uint256 rest) = RevenueMath.toWei(scaled);
        amount = units == 0 || asset == ETH ? units : _redeem(asset, units);
        // Units worth no whole token now (the asset's balance shrank) stay accrued.
        account.accrued = amount == 0 ? scaled : rest;
        if (amount == 0) return 0;
        emit Claimed(ingotId, asset, msg.sender, to, amount);

        if (asset == ETH) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert SplitterEthTransferFailed(to, amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }

    /// @inheritdoc IRevenueSplitter
    function claimable(uint256 ingotId, address asset, address holder) external view returns (uint256) {
        Lineage memory l = _lineage[ingotId];
        if (l.accruingShares == 0 || holder == address(this)) return 0;
        Account storage account = _accounts[ingotId][asset][holder];
        uint256 balance = _earningBalance(ingotId, l, holder);
        uint256 scaled =
            account.accrued + RevenueMath.earned(balance, _pools[ingotId][asset].perShare, account.checkpoint);
        (uint256 units,) = RevenueMath.toWei(scaled);
        if (units == 0 || asset == ETH) return units;
        return RevenueMath.toTokens(units, _heldOf(asset), _books[asset].owed);
    }

    /// @inheritdoc IRevenueSplitter
    function assetAllowed(address asset) external view returns (bool) {
        return _books[asset].allowed;
    }

    /// @inheritdoc IRevenueSplitter
    function owedIn(address asset) external view returns (uint256) {
        return _books[asset].owed;
    }

    /// @inheritdoc IRevenueSplitter
    function assetsOf(uint256 ingotId) external view returns (address[] memory) {
        return _assets[ingotId];
    }

    /// @inheritdoc IRevenueSplitter
    function accepts(uint256 ingotId, address asset) external view returns (bool) {
        return _lineage[ingotId].accruingShares != 0 && _accepts(ingotId, asset);
    }

    /// @inheritdoc IRevenueSplitter
    function lineageOf(uint256 ingotId)
        external
        view
        returns (uint256 parentId, uint16 royaltyBps, uint256 accruingShares, address capitalAsset)
    {
        Lineage memory l = _lineage[ingotId];
        return (l.parentId, l.royaltyBps, l.accruingShares, _capitalAsset[ingotId]);
    }

    /// @inheritdoc IRevenueSplitter
    function escrowOf(uint256 ingotId) external view returns (address) {
        return _escrowOf[ingotId];
    }

    /// @inheritdoc IRevenueSplitter
    function poolOf(uint256 ingotId, address asset) external view returns (uint256 perShare, uint256 dust) {
        Pool memory pool = _pools[ingotId][asset];
        return (pool.perShare, pool.dust);
    }

    /// @dev Credits `amount` to `ingotId` and climbs the lineage; returns the royalty the paid
    /// Ingot forwarded. Each level forwards only what its parent can take, so no level reverts
    /// except the first (the payer's own Ingot), whose acceptance was checked before.
    function _distribute(uint256 ingotId, address asset, uint256 amount) private returns (uint256 firstRoyalty) {
        uint256 id = ingotId;
        for (uint256 level;; ++level) {
            Lineage memory l = _lineage[id];
            uint256 royalty;
            if (level < MAX_LINEAGE_DEPTH && l.parentId != 0) {
                royalty = RevenueMath.royalty(amount, l.royaltyBps);
                if (royalty != 0 && !_canTake(l.parentId, asset, royalty)) {
                    emit RoyaltyRetained(id, l.parentId, asset, royalty);
                    royalty = 0;
                }
            }
            if (!_accrue(id, asset, amount - royalty, l.accruingShares)) {
                revert SplitterPaymentTooLarge(ingotId, asset, amount);
            }
            if (level == 0) firstRoyalty = royalty;
            if (royalty == 0) return firstRoyalty;
            emit RoyaltyForwarded(id, l.parentId, asset, royalty);
            id = l.parentId;
            amount = royalty;
        }
    }

    /// @dev Whether `parentId` can take `royalty` of `asset`; lists the asset for it when it can.
    /// A royalty that would open the parent's slot must meet the minimum first payment, as a
    /// payment would (unless the payer is trusted).
    function _canTake(uint256 parentId, address asset, uint256 royalty) private returns (bool) {
        if (!_accepts(parentId, asset)) return false;
        Pool storage pool = _pools[parentId][asset];
        if (!pool.listed) {
            if (!_hasFreeSlot(parentId, asset)) return false;
            if (royalty < _minimumToList(parentId, asset) && !_payerIsTrusted()) return false;
        }
        (bool ok,,) = RevenueMath.accrue(pool.perShare, pool.dust, royalty, _lineage[parentId].accruingShares);
        if (ok && !pool.listed) _list(parentId, asset, pool);
        return ok;
    }

    function _accrue(uint256 ingotId, address asset, uint256 amount, uint256 shares) private returns (bool ok) {
        Pool storage pool = _pools[ingotId][asset];
        (bool fits, uint256 perShare, uint256 dust) = RevenueMath.accrue(pool.perShare, pool.dust, amount, shares);
        if (!fits) return false;
        pool.perShare = uint216(perShare);
        pool.dust = uint32(dust);
        return true;
    }

    function _list(uint256 ingotId, address asset, Pool storage pool) private {
        pool.listed = true;
        _assets[ingotId].push(asset);
    }

    /// @dev An ordinary move: both sides settled on their balances before the move.
    function _settleMove(uint256 ingotId, address[] storage assets, address from, address to) private {
        bool settleFrom = from != address(0) && from != address(this);
        bool settleTo = to != address(0) && to != from;
        uint256 fromBalance = settleFrom ? IERC1155(ingot).balanceOf(from, ingotId) : 0;
        uint256 toBalance = settleTo ? IERC1155(ingot).balanceOf(to, ingotId) : 0;
        uint256 n = assets.length;
        for (uint256 i; i < n; ++i) {
            address asset = assets[i];
            uint256 perShare = _pools[ingotId][asset].perShare;
            if (settleFrom) _settle(_accounts[ingotId][asset][from], fromBalance, perShare);
            if (settleTo) _settle(_accounts[ingotId][asset][to], toBalance, perShare);
        }
    }

    /// @dev `amount` shares leave the escrow (never settled: its checkpoint stays at 0): the
    /// receiver is settled on what it held, then credited what those shares earned since the mint.
    function _settleRelease(uint256 ingotId, address[] storage assets, address to, uint256 amount) private {
        uint256 toBalance = IERC1155(ingot).balanceOf(to, ingotId);
        uint256 n = assets.length;
        for (uint256 i; i < n; ++i) {
            address asset = assets[i];
            uint256 perShare = _pools[ingotId][asset].perShare;
            Account storage account = _accounts[ingotId][asset][to];
            _settle(account, toBalance, perShare);
            account.accrued += RevenueMath.earned(amount, perShare, 0);
        }
    }

    function _settle(Account storage account, uint256 balance, uint256 perShare) private {
        uint256 checkpoint = account.checkpoint;
        if (checkpoint == perShare) return;
        if (balance != 0) account.accrued += RevenueMath.earned(balance, perShare, checkpoint);
        account.checkpoint = perShare;
    }

    /// @dev Shares that earn for `holder` itself: none for the escrow, whose shares' revenue is
    /// credited to their claimers.
    function _earningBalance(uint256 ingotId, Lineage memory l, address holder) private view returns (uint256) {
        if (l.escrowed && holder == _escrowOf[ingotId]) return 0;
        return IERC1155(ingot).balanceOf(holder, ingotId);
    }

    /// @dev Pulls `amount` and credits what arrived as claim units at the rate before the
    /// transfer (one per token unless a shortfall was seen), so a payment neither makes up an
    /// earlier shortfall nor is diluted by it. A balance that fell during the transfer is refused.
    function _pull(uint256 ingotId, address asset, uint256 amount) private returns (uint256 received, uint256 units) {
        IERC20 token = IERC20(asset);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter = token.balanceOf(address(this));
        if (balanceAfter <= before) revert SplitterZeroPayment(ingotId, asset);
        received = balanceAfter - before;

        Book storage book = _books[asset];
        uint256 owed = book.owed;
        // A drained balance counts as one token, so payments go on: what is owed shares that one
        // token of this payment, and the payment loses less than one token to it.
        bool fits;
        (fits, units) = RevenueMath.toUnits(received, before == 0 ? 1 : before, owed);
        if (!fits || units > type(uint248).max - owed) revert SplitterPaymentTooLarge(ingotId, asset, received);
        book.owed = uint248(owed + units);
    }

    /// @dev What `units` of `asset` are worth now (see {RevenueMath-toTokens}); unless nothing,
    /// they leave the book.
    function _redeem(address asset, uint256 units) private returns (uint256 amount) {
        Book storage book = _books[asset];
        uint256 owed = book.owed;
        amount = RevenueMath.toTokens(units, IERC20(asset).balanceOf(address(this)), owed);
        if (amount != 0) book.owed = uint248(owed - units);
    }

    /// @dev The balance a view reads; a token whose balanceOf reverts is taken as covering what is owed.
    function _heldOf(address asset) private view returns (uint256) {
        try IERC20(asset).balanceOf(address(this)) returns (uint256 held) {
            return held;
        } catch {
            return type(uint256).max;
        }
    }

    /// @dev ETH and the capital asset each keep a slot until they use it, so filling the slots
    /// with allowlisted tokens can never block the Forge's capital release or ETH revenue.
    function _hasFreeSlot(uint256 ingotId, address asset) private view returns (bool) {
        uint256 used = _assets[ingotId].length;
        address capital = _capitalAsset[ingotId];
        if (asset == ETH || asset == capital) return used < MAX_ASSETS_PER_INGOT;
        uint256 reserved = _pools[ingotId][ETH].listed ? 0 : 1;
        if (capital != ETH && !_pools[ingotId][capital].listed) reserved++;
        return used + reserved < MAX_ASSETS_PER_INGOT;
    }

    /// @dev The least a payment must credit to open `ingotId`'s slot for `asset`: none for ETH and
    /// the capital asset (their slots are reserved), the protocol's minimum for allowlisted ones.
    function _minimumToList(uint256 ingotId, address asset) private view returns (uint256) {
        if (asset == ETH || asset == _capitalAsset[ingotId]) return 0;
        return minFirstPayment[asset];
    }

    /// @dev The payer (msg.sender of `pay`) may open slots below the minimum first payment.
    function _payerIsTrusted() private view returns (bool) {
        return hasRole(TRUSTED_PAYER_ROLE, msg.sender);
    }

    function _accepts(uint256 ingotId, address asset) private view returns (bool) {
        return asset == ETH || asset == _capitalAsset[ingotId] || _books[asset].allowed;
    }
}
