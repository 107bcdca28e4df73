// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IIngot} from "./interfaces/IIngot.sol";
import {IForgeRegistry} from "./interfaces/IForgeRegistry.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";
import {IngotMetadata} from "./libraries/IngotMetadata.sol";

/// @title Ingot
/// @notice See {IIngot}.
contract Ingot is IIngot, ERC1155 {
    /// @inheritdoc IIngot
    uint256 public constant SHARE_SUPPLY = 1_000_000_000;
    uint256 private constant BPS = 10_000;

    /// @inheritdoc IIngot
    address public immutable factory;
    /// @inheritdoc IIngot
    address public immutable splitter;

    /// @inheritdoc IIngot
    uint256 public count;
    /// @inheritdoc IIngot
    mapping(address forge => uint256 ingotId) public ingotOf;
    mapping(uint256 ingotId => IngotInfo) private _infos;

    constructor(address factory_, address splitter_) ERC1155("") {
        factory = factory_;
        splitter = splitter_;
    }

    /// @inheritdoc IIngot
    function mint(IngotInfo calldata info_, address[] calldata holders, uint256[] calldata amounts, uint256 lineageShares)
        external
        returns (uint256 ingotId)
    {
        _checkMinter();
        _checkLineage(info_.parentId, info_.royaltyBps, lineageShares);
        _checkAllocation(holders, amounts, lineageShares);

        ingotId = _register(info_);
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = ingotId;
        // `_update`, not `_mint`: no receiver hook may veto a Forge's result.
        for (uint256 i; i < holders.length; ++i) {
            values[0] = amounts[i];
            _update(address(0), holders[i], ids, values);
        }
        _mintLineage(ids, values, lineageShares);
    }

    /// @inheritdoc IIngot
    function mintEscrowed(IngotInfo calldata info_, uint256 escrowedShares, uint256 lineageShares)
        external
        returns (uint256 ingotId)
    {
        _checkMinter();
        _checkLineage(info_.parentId, info_.royaltyBps, lineageShares);
        if (escrowedShares + lineageShares != SHARE_SUPPLY) {
            revert IngotBadAllocation(1, 1, escrowedShares + lineageShares, SHARE_SUPPLY);
        }

        ingotId = _register(info_);
        IRevenueSplitter(splitter).registerEscrow(ingotId, msg.sender);
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = ingotId;
        values[0] = escrowedShares;
        _update(address(0), msg.sender, ids, values);
        _mintLineage(ids, values, lineageShares);
    }

    /// @inheritdoc IIngot
    function releaseEscrowed(address to, uint256 amount) external {
        uint256 ingotId = ingotOf[msg.sender];
        if (ingotId == 0) revert IngotOnlyForge(msg.sender);
        if (to == address(0)) revert IngotBadRecipient(to);
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = ingotId;
        values[0] = amount;
        // `_update`, not a safe transfer: as at mint, no receiver hook may keep a holder's claim
        // from landing (or let the receiver re-enter the Forge mid-claim).
        _update(msg.sender, to, ids, values);
    }

    /// @dev Records the model card and registers the Ingot with the splitter, before any share exists.
    function _register(IngotInfo calldata info_) private returns (uint256 ingotId) {
        ingotId = ++count;
        ingotOf[msg.sender] = ingotId;
        IngotInfo storage stored = _infos[ingotId];
        stored.forge = msg.sender;
        stored.parentId = info_.parentId;
        stored.royaltyBps = info_.royaltyBps;
        stored.capitalAsset = info_.capitalAsset;
        stored.baseModelRoot = info_.baseModelRoot;
        stored.adapterRoot = info_.adapterRoot;
        stored.measurement = info_.measurement;
        stored.attributionLogRoot = info_.attributionLogRoot;
        stored.metricBefore = info_.metricBefore;
        stored.metricAfter = info_.metricAfter;
        stored.baseModelName = info_.baseModelName;
        stored.metadataURI = info_.metadataURI;
        emit IngotMinted(ingotId, msg.sender, info_.parentId, info_.adapterRoot);
        IRevenueSplitter(splitter).registerIngot(ingotId, info_.parentId, info_.royaltyBps, info_.capitalAsset);
    }

    function _mintLineage(uint256[] memory ids, uint256[] memory values, uint256 lineageShares) private {
        if (lineageShares != 0) {
            values[0] = lineageShares;
            _update(address(0), splitter, ids, values);
        }
    }

    function _checkMinter() private view {
        if (!IForgeRegistry(factory).isForge(msg.sender)) revert IngotOnlyForge(msg.sender);
        if (ingotOf[msg.sender] != 0) revert IngotAlreadyMinted(msg.sender, ingotOf[msg.sender]);
    }

    /// @inheritdoc IIngot
    function info(uint256 ingotId) external view returns (IngotInfo memory) {
        if (ingotId == 0 || ingotId > count) revert IngotUnknown(ingotId);
        return _infos[ingotId];
    }

    /// @notice The model card of `ingotId` as an inline base64 JSON data URI (see {IIngot}).
    function uri(uint256 ingotId) public view override returns (string memory) {
        if (ingotId == 0 || ingotId > count) revert IngotUnknown(ingotId);
        return IngotMetadata.modelCardURI(ingotId, _infos[ingotId], SHARE_SUPPLY);
    }

    /// @dev The one door for balance changes: the splitter settles both sides on every asset
    /// before balances move (and credits what escrowed shares earned to their claimer). Mints
    /// skip it: they happen only inside `mint`/`mintEscrowed`, right after the Ingot is
    /// registered, when it has no revenue yet and so nothing to settle.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        override
    {
        if (from != address(0)) {
            for (uint256 i; i < ids.length; ++i) {
                IRevenueSplitter(splitter).onSharesMoved(ids[i], from, to, values[i]);
            }
        }
        super._update(from, to, ids, values);
    }

    function _checkLineage(uint256 parentId, uint16 royaltyBps, uint256 lineageShares) private view {
        if (parentId > count) revert IngotUnknownParent(parentId);
        uint256 expected = (SHARE_SUPPLY * royaltyBps) / BPS;
        if (lineageShares != expected || royaltyBps >= BPS || (parentId == 0 && royaltyBps != 0)) {
            revert IngotBadLineage(parentId, royaltyBps, lineageShares, expected);
        }
    }

    function _checkAllocation(address[] calldata holders, uint256[] calldata amounts, uint256 lineageShares)
        private
        view
    {
        uint256 sum = lineageShares;
        if (holders.length == amounts.length) {
            for (uint256 i; i < holders.length; ++i) {
                address holder = holders[i];
                if (holder == address(0) || holder == splitter) revert IngotBadHolder(i, holder);
                sum += amounts[i];
            }
        }
        if (holders.length != amounts.length || sum != SHARE_SUPPLY) {
            revert IngotBadAllocation(holders.length, amounts.length, sum, SHARE_SUPPLY);
        }
    }
}
