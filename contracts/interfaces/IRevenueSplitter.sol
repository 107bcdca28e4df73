// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRevenueSplitter
/// @notice Pays revenue (ETH or ERC-20) to the holders of an Ingot's shares, pro rata, forever.
/// @dev Pull-based with one per-share accumulator per (ingot, asset): paying and claiming cost
/// the same for 3 holders or 30,000, and nothing ever loops over holders.
///
/// Lineage: an Ingot forked from a parent was created with a royalty in basis points (the
/// child's lineage pool). Those shares are held by this contract on the parent's behalf and are
/// never transferable; instead, that fraction of every payment to the child is forwarded as a
/// payment to the parent (which forwards its own royalty further up), to at most
/// `MAX_LINEAGE_DEPTH` levels. Past the cap the royalty stays with the last Ingot's holders.
///
/// Assets: ETH is `address(0)`. An Ingot accepts ETH, the ERC-20 its Forge raised capital in,
/// and ERC-20s the protocol allowlisted, and at most `MAX_ASSETS_PER_INGOT` distinct assets in
/// total (so settling a share transfer is bounded). ERC-20 payments are credited by the balance
/// actually received (fee-on-transfer tokens are accepted at their net amount).
///
/// Rounding: per-share growth is rounded down; the remainder is carried as dust into the next
/// payment of the same (ingot, asset), so no wei is stranded.
interface IRevenueSplitter {
    /// @notice The caller is not the Ingot contract.
    error SplitterOnlyIngot(address caller);
    /// @notice `ingotId` was never registered (no such Ingot).
    error SplitterUnknownIngot(uint256 ingotId);
    /// @notice `ingotId` is already registered.
    error SplitterIngotExists(uint256 ingotId);
    /// @notice `asset` is neither ETH, the Ingot's capital asset, nor protocol-allowlisted.
    error SplitterAssetNotAccepted(uint256 ingotId, address asset);
    /// @notice The Ingot already has `MAX_ASSETS_PER_INGOT` assets and `asset` is a new one.
    error SplitterTooManyAssets(uint256 ingotId, address asset, uint256 max);
    /// @notice ETH sent does not match `amount` (ETH payments), or ETH sent with an ERC-20 payment.
    error SplitterBadValue(uint256 msgValue, uint256 amount);
    /// @notice A payment of zero (after any transfer fee).
    error SplitterZeroPayment(uint256 ingotId, address asset);
    /// @notice An ETH transfer to `to` failed.
    error SplitterEthTransferFailed(address to, uint256 amount);
    /// @notice The caller lacks the protocol role.
    error SplitterUnauthorized(address caller);

    /// @notice A payment was credited to `ingotId`'s holders (after forwarding `royalty` to the parent).
    event Paid(uint256 indexed ingotId, address indexed asset, address indexed payer, uint256 amount, uint256 royalty);
    /// @notice `royalty` of a payment to `childId` was forwarded to `parentId`.
    event RoyaltyForwarded(uint256 indexed childId, uint256 indexed parentId, address indexed asset, uint256 royalty);
    /// @notice `holder` claimed `amount` of `asset` earned on `ingotId`, sent to `to`.
    event Claimed(uint256 indexed ingotId, address indexed asset, address indexed holder, address to, uint256 amount);
    /// @notice An Ingot was registered with its lineage.
    event IngotRegistered(uint256 indexed ingotId, uint256 indexed parentId, uint16 royaltyBps, address capitalAsset);
    /// @notice The protocol changed whether `asset` is accepted for every Ingot.
    event AssetAllowed(address indexed asset, bool allowed);

    /// @notice Register a freshly minted Ingot. Only the Ingot contract, before minting its shares.
    /// @param parentId 0 when the Ingot has no parent.
    /// @param royaltyBps share of each payment forwarded to `parentId` (0 when no parent).
    /// @param capitalAsset the ERC-20 its Forge raised capital in, or address(0).
    function registerIngot(uint256 ingotId, uint256 parentId, uint16 royaltyBps, address capitalAsset) external;

    /// @notice Settle `from` and `to` on every asset of `ingotId` before their balances change.
    /// @dev Only the Ingot contract, from its single `_update` door. `address(0)` is skipped.
    function onSharesMoved(uint256 ingotId, address from, address to) external;

    /// @notice Pay `amount` of `asset` (address(0) = ETH, then msg.value must equal amount) to
    /// the holders of `ingotId`. ERC-20s are pulled with transferFrom; approve first.
    /// @return credited the amount actually received (net of any transfer fee).
    function pay(uint256 ingotId, address asset, uint256 amount) external payable returns (uint256 credited);

    /// @notice Send everything `msg.sender` has earned on (`ingotId`, `asset`) to `to`.
    /// @return amount what was sent (0 is not an error).
    function claim(uint256 ingotId, address asset, address to) external returns (uint256 amount);

    /// @notice What `holder` can claim now on (`ingotId`, `asset`).
    function claimable(uint256 ingotId, address asset, address holder) external view returns (uint256);

    /// @notice The assets `ingotId` has been paid in, in first-payment order.
    function assetsOf(uint256 ingotId) external view returns (address[] memory);

    /// @notice Protocol role: accept or refuse `asset` for every Ingot (existing balances stay claimable).
    function setAssetAllowed(address asset, bool allowed) external;

    /// @notice Maximum distinct assets per Ingot.
    function MAX_ASSETS_PER_INGOT() external view returns (uint256);

    /// @notice Maximum number of ancestors a royalty climbs.
    function MAX_LINEAGE_DEPTH() external view returns (uint256);
}
