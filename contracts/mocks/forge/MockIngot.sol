// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIngot} from "../../interfaces/IIngot.sol";
import {IForgeRegistry} from "../../interfaces/IForgeRegistry.sol";

/// @notice Test double of IIngot for Forge tests: enforces the mint rules Forges rely on
/// (factory-registered caller, once per Forge, exact supply, known parent) and records balances,
/// without ERC-1155 or the RevenueSplitter.
contract MockIngot is IIngot {
    uint256 public constant SHARE_SUPPLY = 1_000_000_000;

    IForgeRegistry public immutable factory;
    uint256 public count;
    mapping(uint256 id => IngotInfo) private _info;
    mapping(address forge => uint256 id) public ingotOf;
    mapping(uint256 id => mapping(address holder => uint256)) public balanceOf;
    mapping(uint256 id => uint256) public lineageSharesOf;
    mapping(uint256 id => uint256) public holderEntries;

    constructor(IForgeRegistry factory_) {
        factory = factory_;
    }

    function mint(IngotInfo calldata info_, address[] calldata holders, uint256[] calldata amounts, uint256 lineageShares)
        external
        returns (uint256 ingotId)
    {
        if (!factory.isForge(msg.sender)) revert IngotOnlyForge(msg.sender);
        if (ingotOf[msg.sender] != 0) revert IngotAlreadyMinted(msg.sender, ingotOf[msg.sender]);
        if (info_.parentId > count) revert IngotUnknownParent(info_.parentId);
        uint256 sum = lineageShares;
        for (uint256 i; i < amounts.length; ++i) {
            sum += amounts[i];
        }
        if (holders.length != amounts.length || sum != SHARE_SUPPLY) {
            revert IngotBadAllocation(holders.length, amounts.length, sum, SHARE_SUPPLY);
        }
        ingotId = ++count;
        ingotOf[msg.sender] = ingotId;
        _info[ingotId] = info_;
        lineageSharesOf[ingotId] = lineageShares;
        holderEntries[ingotId] = holders.length;
        for (uint256 i; i < holders.length; ++i) {
            balanceOf[ingotId][holders[i]] += amounts[i];
        }
        emit IngotMinted(ingotId, msg.sender, info_.parentId, info_.adapterRoot);
    }

    function info(uint256 ingotId) external view returns (IngotInfo memory) {
        if (ingotId == 0 || ingotId > count) revert IngotUnknown(ingotId);
        return _info[ingotId];
    }
}
