// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IIngot
/// @notice ERC-1155 of fine-tuned models: one token id per LIVE Forge, a fixed share supply
/// minted once at result acceptance, with model-card metadata and lineage.
/// @dev Every balance change (mint, transfer, burn) passes through ERC1155 `_update`, which
/// first asks the RevenueSplitter to settle both sides (`onSharesMoved`), so revenue earned
/// before a transfer stays with the sender and revenue after it goes to the receiver.
/// A Forge with more holders than it can mint to in one transaction uses `mintEscrowed` instead:
/// the holders' shares go to the Forge, which releases each holder's part against a Merkle proof
/// (`releaseEscrowed`, again through `_update`); the splitter credits released shares everything
/// they earned since the mint, so the escrow itself never earns.
/// `uri(id)` returns the model card inline as `data:application/json;base64,...`: name, description
/// (the Forge's metadata URI) and properties (forge, parent Ingot, royalty, capital asset, base
/// model name and root, adapter root, metric before/after as decimals, enclave measurement,
/// attribution log root, share supply). It reverts with `IngotUnknown` for an id not minted.
interface IIngot {
    /// @notice Model card of an Ingot, fixed at mint.
    struct IngotInfo {
        address forge; // the Forge whose result minted it
        uint256 parentId; // 0 = no parent
        uint16 royaltyBps; // lineage royalty to the parent, per payment
        address capitalAsset; // the asset its Forge raised capital in (address(0) = ETH)
        bytes32 baseModelRoot; // 0G root of the base model file
        bytes32 adapterRoot; // 0G root of the LoRA adapter GGUF
        bytes32 measurement; // enclave measurement that attested the eval
        bytes32 attributionLogRoot; // 0G root of the attribution record
        int256 metricBefore; // base model metric, 1e18 fixed point (e.g. perplexity)
        int256 metricAfter; // fine-tuned metric, 1e18 fixed point
        string baseModelName;
        string metadataURI; // the Forge's metadata (title, description)
    }

    /// @notice The caller is not a Forge created by the factory.
    error IngotOnlyForge(address caller);
    /// @notice The Forge already minted its Ingot.
    error IngotAlreadyMinted(address forge, uint256 ingotId);
    /// @notice Holders and amounts differ in length, or amounts do not sum to the supply.
    error IngotBadAllocation(uint256 holders, uint256 amounts, uint256 sum, uint256 supply);
    /// @notice The parent is not an existing Ingot.
    error IngotUnknownParent(uint256 parentId);
    /// @notice No such Ingot.
    error IngotUnknown(uint256 ingotId);
    /// @notice Lineage shares must be SHARE_SUPPLY * royaltyBps / 10_000, with no royalty (and no
    /// lineage shares) when there is no parent, and a royalty below 100%.
    error IngotBadLineage(uint256 parentId, uint16 royaltyBps, uint256 lineageShares, uint256 expected);
    /// @notice `holders[index]` cannot hold shares (the zero address, or the RevenueSplitter,
    /// whose shares never earn).
    error IngotBadHolder(uint256 index, address holder);
    /// @notice Escrowed shares cannot be released to `to` (the zero address).
    error IngotBadRecipient(address to);

    /// @notice An Ingot was minted for `forge`.
    event IngotMinted(uint256 indexed ingotId, address indexed forge, uint256 indexed parentId, bytes32 adapterRoot);

    /// @notice Mint a new Ingot with exactly `SHARE_SUPPLY` shares: `amounts[i]` to `holders[i]`
    /// (a holder may appear more than once) plus `lineageShares` held by the RevenueSplitter
    /// for the parent. Only a Forge created by the factory, once.
    /// @dev `info.forge` is ignored and recorded as the caller. Registers the Ingot's lineage and
    /// capital asset with the RevenueSplitter first. Holders' receiver hooks are NOT called, so a
    /// contract holder without `onERC1155Received` cannot block a Forge's result; ordinary
    /// transfers keep the check. `IngotBadAllocation.sum` counts the lineage shares too.
    /// @return ingotId the new id (sequential from 1).
    function mint(IngotInfo calldata info, address[] calldata holders, uint256[] calldata amounts, uint256 lineageShares)
        external
        returns (uint256 ingotId);

    /// @notice Mint a new Ingot whose holders claim their shares by Merkle proof from the calling
    /// Forge: `escrowedShares` go to the Forge (the escrow), `lineageShares` to the RevenueSplitter;
    /// together exactly `SHARE_SUPPLY`. Only a Forge created by the factory, once (one Ingot per
    /// Forge, whichever way it is minted).
    /// @dev Registers the Forge as the Ingot's escrow with the RevenueSplitter (which never lets
    /// the escrow accrue and credits each released share what it earned since the mint).
    /// `IngotBadAllocation` reports holders = amounts = 1 and the sum with the lineage shares.
    /// @return ingotId the new id (sequential from 1).
    function mintEscrowed(IngotInfo calldata info, uint256 escrowedShares, uint256 lineageShares)
        external
        returns (uint256 ingotId);

    /// @notice Move `amount` of the caller's own Ingot from the caller (its Forge, the escrow) to
    /// `to`. Only the Forge that minted the Ingot; the Forge checks the holder's Merkle proof.
    /// @dev Through `_update` like every balance change, but without the receiver hook (as at
    /// mint), so a contract holder without `onERC1155Received` still receives its claim. Reverts
    /// with ERC1155InsufficientBalance past what the Forge holds.
    function releaseEscrowed(address to, uint256 amount) external;

    /// @notice The model card of `ingotId`.
    function info(uint256 ingotId) external view returns (IngotInfo memory);

    /// @notice The Ingot minted by `forge` (0 = none yet).
    function ingotOf(address forge) external view returns (uint256);

    /// @notice Number of Ingots minted so far (ids are 1..count).
    function count() external view returns (uint256);

    /// @notice Shares per Ingot, the same for every Ingot (1e9: divisible by 10,000, so a pool in
    /// basis points is an exact number of shares).
    function SHARE_SUPPLY() external view returns (uint256);

    /// @notice The factory asked whether a caller of `mint` is a Forge.
    function factory() external view returns (address);

    /// @notice The RevenueSplitter that settles every balance change.
    function splitter() external view returns (address);
}
