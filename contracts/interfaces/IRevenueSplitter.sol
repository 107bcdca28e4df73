// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRevenueSplitter
/// @notice Pays revenue (ETH or ERC-20) to the holders of an Ingot's shares, pro rata, forever.
/// @dev Pull-based with one per-share accumulator per (ingot, asset): paying and claiming cost
/// the same for 3 holders or 30,000, and nothing ever loops over holders.
///
/// Accounting, all in units scaled by `ACC_PRECISION` (1e18): a payment of `a` grows the pool's
/// per-share accumulator by floor((a * 1e18 + dust) / accruingShares) and carries the remainder
/// as the pool's dust into the next payment. A holder's earnings since its checkpoint,
/// balance * (accumulator - checkpoint), are added to its scaled `accrued` before any balance
/// change; `claim` sends floor(accrued / 1e18) and keeps the sub-wei rest. So at every moment
/// payments * 1e18 = claimed * 1e18 + sum of holders' scaled claimable + pool dust, exactly.
/// `accruingShares` is the supply minus the lineage shares this contract holds (which never
/// accrue). The accumulator is capped at type(uint216).max so that settling any holder can never
/// overflow: a payment that would pass it reverts (`SplitterPaymentTooLarge`), and with 1e9
/// shares that is about 1e55 wei of one asset on one Ingot.
///
/// Lineage: an Ingot forked from a parent was created with a royalty in basis points (the
/// child's lineage pool). Those shares are held by this contract on the parent's behalf and are
/// never transferable; instead, floor(amount * royaltyBps / 10_000) of every payment to the
/// child is forwarded as a payment to the parent (which forwards its own royalty further up), to
/// at most `MAX_LINEAGE_DEPTH` ancestors. Past the cap the royalty stays with the last Ingot's
/// holders. Forwarding is internal accounting only: no token moves.
///
/// A royalty the parent cannot take stays with the child's holders (`RoyaltyRetained`), so a
/// child's payment never reverts because of its ancestors. The parent cannot take it when the
/// asset is not one the parent accepts (ETH, the parent's own capital asset, or allowlisted:
/// otherwise anyone could fork an Ingot with a junk capital token and fill the parent's asset
/// slots), when the parent already has `MAX_ASSETS_PER_INGOT` other assets, or when it would
/// push the parent's accumulator past its cap.
///
/// Assets: ETH is `address(0)`. An Ingot accepts ETH, the ERC-20 its Forge raised capital in,
/// and ERC-20s the protocol allowlisted, and at most `MAX_ASSETS_PER_INGOT` distinct assets in
/// total (so settling a share transfer is bounded). ETH and the capital asset each keep a slot
/// until first paid: allowlisted assets can fill only the others, so nobody can block the Forge's
/// capital release or ETH revenue by paying dust in many tokens first.
///
/// Minimum first payment (issue 23, F8): the payment that opens a slot for an allowlisted asset
/// (one that is neither ETH nor the Ingot's capital asset) must credit at least that asset's
/// `minFirstPayment`, which the protocol sets whenever it allowlists the asset (never zero).
/// Otherwise seven 1-unit payments in seven allowlisted tokens would fill every free slot of an
/// Ingot and lock out every later token for good. Filling the free slots now costs at least the
/// sum of the smallest minimums of the allowlisted assets (six of them, seven when the capital
/// asset is ETH), and that money is revenue the Ingot's holders claim: set each minimum to a value
/// nobody pays only to block slots (say, tens of dollars). Later payments in a listed asset, and
/// payments in ETH or the capital asset (their slots are reserved), have no minimum. Accounts with
/// `TRUSTED_PAYER_ROLE` (the protocol's GatewayDeposits, whose settlements carry whatever fees
/// came due, however small) may open a slot below the minimum. A lineage royalty below the
/// minimum that would open a slot on the parent stays with the child's holders
/// (`RoyaltyRetained`), unless the payment came from a trusted payer.
///
/// ERC-20 payments are credited by the growth of this contract's balance during the transfer
/// (fee-on-transfer tokens are accepted at their net amount; a payment during which the balance
/// did not grow is refused with `SplitterZeroPayment`). A token that misbehaves (reverts, returns
/// false, re-enters) can only fail its own payments and claims: share transfers never call a
/// token, and each (ingot, asset) is accounted separately.
///
/// Shortfall (a shrinking ERC-20: a downward rebase, a clawback, a token that takes more from
/// this contract than it sends). Every Ingot paid in one token shares this contract's one
/// balance of it, and a shrink of that balance cannot be told apart by Ingot, so the rule is:
/// a shortfall is borne by everyone owed that asset at the moment it is seen, pro rata to what
/// each is owed, whichever Ingot it is owed on. Accounting is in claim units per ERC-20: every
/// amount above (accumulators, accrued, royalties, the escrow's credit) is in units, and
/// `owedIn(asset)` is the units all Ingots are owed in it. While the balance covers what is owed
/// (always, for a token that does not shrink) one unit is one token and nothing changes. When
/// the balance B is below the units owed U, each unit is worth B / U tokens: a claim of u units
/// pays floor(u * B / U) tokens (all U units would take the whole balance, so what is left only
/// backs units still owed; units worth less than one token stay accrued), and a payment of t
/// tokens is credited floor(t * U / B) units, so it neither makes up an earlier shortfall nor is
/// diluted by it. The balance is read before every payment and every claim, so no one is ever
/// paid at a rate the balance no longer covers: no Ingot's holders are paid out of another
/// Ingot's revenue, and no claim fails for want of balance. What a token takes during a payment
/// reduces that payment only; what it takes beyond the amount sent on a claim is seen by the next
/// payment or claim and borne, like a rebase, by everyone still owed. A balance above what is owed (tokens sent without `pay`, an
/// upward rebase) first makes up a shortfall; beyond that it is credited to nobody. ETH cannot
/// leave but through this contract, so it has no shortfall and its units are wei. A balance of
/// zero while something is owed counts as one token: claims pay nothing then (and keep what they
/// are owed), and a payment is credited as if that one token were held, so it loses less than
/// one token to those owed (and may be refused with `SplitterPaymentTooLarge` when its units
/// would not fit).
///
/// Escrow (claim-by-proof Ingots): a Forge with too many holders to mint to directly mints the
/// holders' shares to itself and releases each holder's part against a Merkle proof. Revenue paid
/// while shares wait there belongs to their future holders, so the escrow, registered right after
/// the Ingot (`registerEscrow`, before any payment can exist), never accrues: its checkpoint is
/// pinned at 0, the accumulator's value when the Ingot was minted. When `amount` shares move out
/// of the escrow, the receiver is first settled on the balance it already had, then credited
/// `amount * accumulator`, exactly what those shares earned since the mint. Hence at every moment
/// payments * 1e18 = claimed * 1e18 + holders' scaled claimable + escrowed shares * accumulator
/// + pool dust. Shares can never move into the escrow (`SplitterSharesToEscrow`), and the escrow
/// itself can claim nothing.
interface IRevenueSplitter {
    /// @notice The caller is not the Ingot contract.
    error SplitterOnlyIngot(address caller);
    /// @notice `ingotId` was never registered (no such Ingot).
    error SplitterUnknownIngot(uint256 ingotId);
    /// @notice `ingotId` is already registered.
    error SplitterIngotExists(uint256 ingotId);
    /// @notice Lineage is inconsistent: parent unknown or not older than the child, a royalty
    /// without a parent, a zero id, or a royalty of 100% or more.
    error SplitterBadLineage(uint256 ingotId, uint256 parentId, uint16 royaltyBps);
    /// @notice `asset` is neither ETH, the Ingot's capital asset, nor protocol-allowlisted.
    error SplitterAssetNotAccepted(uint256 ingotId, address asset);
    /// @notice `asset` is new to the Ingot and no slot is free for it (the slots still reserved
    /// for ETH and the capital asset count as taken).
    error SplitterTooManyAssets(uint256 ingotId, address asset, uint256 max);
    /// @notice ETH sent does not match `amount` (ETH payments), or ETH sent with an ERC-20
    /// payment (then `amount` is 0, the ETH expected).
    error SplitterBadValue(uint256 msgValue, uint256 amount);
    /// @notice A payment of zero (after any transfer fee), or one during which this contract's
    /// balance of `asset` did not grow (the token took from it as much as arrived, or more).
    error SplitterZeroPayment(uint256 ingotId, address asset);
    /// @notice The payment would push the (ingot, asset) accumulator past its cap, or the units
    /// owed in `asset` past 2^248 (`amount`: the tokens or units that did not fit).
    error SplitterPaymentTooLarge(uint256 ingotId, address asset, uint256 amount);
    /// @notice An ETH transfer to `to` failed; claim again to an address that accepts ETH.
    error SplitterEthTransferFailed(address to, uint256 amount);
    /// @notice Shares of `ingotId` cannot be moved to this contract: they would stop earning.
    error SplitterSharesToSplitter(uint256 ingotId, address from);
    /// @notice The zero address was given where an account is needed (Ingot to bind, claim recipient).
    error SplitterZeroAddress();
    /// @notice The Ingot contract was already bound.
    error SplitterIngotAlreadyBound(address ingot);
    /// @notice The caller lacks `role`.
    error SplitterUnauthorized(address caller, bytes32 role);
    /// @notice A first payment in allowlisted `asset` credits `amount`, less than the asset's
    /// `minimum` (`minFirstPayment`): pay at least that much to open a slot for it.
    error SplitterFirstPaymentTooSmall(uint256 ingotId, address asset, uint256 amount, uint256 minimum);
    /// @notice `asset` would be allowlisted without a minimum first payment (dust could fill slots).
    error SplitterZeroMinFirstPayment(address asset);
    /// @notice `ingotId` already has an escrow, or was already paid (its accumulators are no
    /// longer at their minting value, so an escrow pinned at 0 would be credited what it never earned).
    error SplitterEscrowTooLate(uint256 ingotId, address escrow);
    /// @notice Shares of `ingotId` cannot be moved into its escrow: only the Forge's claims release
    /// escrowed shares, and shares moved in would be credited revenue twice.
    error SplitterSharesToEscrow(uint256 ingotId, address from);

    /// @notice A payment was credited to `ingotId`'s holders (after forwarding `royalty` to the
    /// parent): `amount` in tokens (what arrived), `royalty` in claim units (the same unless the
    /// asset's balance fell short of what is owed, see Shortfall).
    event Paid(uint256 indexed ingotId, address indexed asset, address indexed payer, uint256 amount, uint256 royalty);
    /// @notice `royalty` of a payment to `childId` was forwarded to `parentId`.
    event RoyaltyForwarded(uint256 indexed childId, uint256 indexed parentId, address indexed asset, uint256 royalty);
    /// @notice `parentId` could not take `royalty` of a payment to `childId`; the child's holders kept it.
    event RoyaltyRetained(uint256 indexed childId, uint256 indexed parentId, address indexed asset, uint256 royalty);
    /// @notice `holder` claimed `amount` of `asset` (tokens sent) earned on `ingotId`, sent to `to`.
    event Claimed(uint256 indexed ingotId, address indexed asset, address indexed holder, address to, uint256 amount);
    /// @notice An Ingot was registered with its lineage.
    event IngotRegistered(uint256 indexed ingotId, uint256 indexed parentId, uint16 royaltyBps, address capitalAsset);
    /// @notice The protocol changed whether `asset` is accepted for every Ingot, and the least a
    /// first payment in it must credit (0 when refused).
    event AssetAllowed(address indexed asset, bool allowed, uint256 minFirstPayment);
    /// @notice The Ingot contract was bound (once).
    event IngotBound(address indexed ingot);
    /// @notice `escrow` holds `ingotId`'s shares until they are claimed; it never accrues.
    event EscrowRegistered(uint256 indexed ingotId, address indexed escrow);

    /// @notice Admin (DEFAULT_ADMIN_ROLE), once: the Ingot contract allowed to register Ingots
    /// and report share moves. Reads its `SHARE_SUPPLY`.
    function bindIngot(address ingot) external;

    /// @notice Register a freshly minted Ingot. Only the Ingot contract, before minting its shares.
    /// @param parentId 0 when the Ingot has no parent; otherwise a registered, smaller id.
    /// @param royaltyBps share of each payment forwarded to `parentId` (0 when no parent, < 10_000).
    /// @param capitalAsset the ERC-20 its Forge raised capital in, or address(0).
    function registerIngot(uint256 ingotId, uint256 parentId, uint16 royaltyBps, address capitalAsset) external;

    /// @notice Only the Ingot contract, right after `registerIngot` and before any payment:
    /// `escrow` (the minting Forge) will hold the shares of `ingotId` that holders claim by proof.
    /// It never accrues; each share leaving it carries the accumulator to its receiver (see above).
    function registerEscrow(uint256 ingotId, address escrow) external;

    /// @notice Settle `from` and `to` on every asset of `ingotId` before `amount` shares move.
    /// @dev Only the Ingot contract, from its single `_update` door. `address(0)` and this
    /// contract are skipped (this contract's lineage shares never accrue); moving shares to this
    /// contract or into the Ingot's escrow reverts. When `from` is the escrow it is not settled;
    /// `to` is settled, then credited `amount * accumulator` on every asset.
    function onSharesMoved(uint256 ingotId, address from, address to, uint256 amount) external;

    /// @notice Pay `amount` of `asset` (address(0) = ETH, then msg.value must equal amount) to
    /// the holders of `ingotId`, forwarding the lineage royalty up. ERC-20s are pulled with
    /// transferFrom; approve first. The first payment in an allowlisted asset (not ETH, not the
    /// capital asset) must credit at least `minFirstPayment(asset)` unless the caller has
    /// `TRUSTED_PAYER_ROLE` (`SplitterFirstPaymentTooSmall`).
    /// @return credited the amount actually received (net of any transfer fee), in tokens.
    function pay(uint256 ingotId, address asset, uint256 amount) external payable returns (uint256 credited);

    /// @notice Send everything `msg.sender` has earned on (`ingotId`, `asset`) to `to`: after a
    /// shortfall in an ERC-20, its pro-rata part of what this contract holds (see Shortfall).
    /// @return amount what was sent (0 is not an error, and then nothing is sent and nothing owed
    /// is given up).
    function claim(uint256 ingotId, address asset, address to) external returns (uint256 amount);

    /// @notice What `holder` can claim now on (`ingotId`, `asset`), in tokens at this contract's
    /// balance now (0 for the escrow, whose shares' revenue goes to whoever claims them).
    function claimable(uint256 ingotId, address asset, address holder) external view returns (uint256);

    /// @notice The assets `ingotId` has been paid in, in first-payment order.
    function assetsOf(uint256 ingotId) external view returns (address[] memory);

    /// @notice Whether `ingotId` accepts a payment in `asset` (ETH, its capital asset, or allowlisted).
    /// @dev Says nothing about free asset slots.
    function accepts(uint256 ingotId, address asset) external view returns (bool);

    /// @notice Lineage of `ingotId` and the number of its shares that earn revenue.
    function lineageOf(uint256 ingotId)
        external
        view
        returns (uint256 parentId, uint16 royaltyBps, uint256 accruingShares, address capitalAsset);

    /// @notice The (ingot, asset) accumulator and its carried dust, both scaled by `ACC_PRECISION`
    /// (claim units; see Shortfall).
    function poolOf(uint256 ingotId, address asset) external view returns (uint256 perShare, uint256 dust);

    /// @notice Protocol role: accept or refuse `asset` for every Ingot. Do not allow a token whose
    /// balances can shrink without a transfer of the holder's (rebasing, clawbacks, taking more
    /// than it sends): everyone owed it would bear its shortfalls (see Shortfall). This contract
    /// stays safe if one is allowed, or is a Forge's capital asset, which needs no allowing.
    /// Refusing stops new
    /// payments and royalties in it (unless it is an Ingot's capital asset); what was paid stays
    /// claimable and its asset slots stay used. Allowing needs `minFirstPayment` > 0 (in the
    /// asset's base units): the least the payment that opens an Ingot's slot for it must credit
    /// (`SplitterZeroMinFirstPayment` otherwise); refusing ignores it and records 0. Calling
    /// again changes the minimum for slots opened from then on.
    function setAssetAllowed(address asset, bool allowed, uint256 minFirstPayment) external;

    /// @notice Whether the protocol allowlisted `asset` for every Ingot.
    function assetAllowed(address asset) external view returns (bool);

    /// @notice The claim units all Ingots are owed in ERC-20 `asset` (0 for ETH, which is not
    /// booked); while this contract's balance of it is at least this much, one unit is one token.
    function owedIn(address asset) external view returns (uint256);

    /// @notice The least a payment that opens an Ingot's slot for allowlisted `asset` must credit
    /// (0 when the asset is not allowlisted; ETH and an Ingot's capital asset need none).
    function minFirstPayment(address asset) external view returns (uint256);

    /// @notice The role whose holders may open an asset slot below the minimum first payment
    /// (granted by the admin to the protocol's GatewayDeposits).
    function TRUSTED_PAYER_ROLE() external view returns (bytes32);

    /// @notice The escrow of `ingotId` (the Forge holding unclaimed shares), or address(0).
    function escrowOf(uint256 ingotId) external view returns (address);

    /// @notice The Ingot contract (zero until bound).
    function ingot() external view returns (address);

    /// @notice Scale of the per-share accumulator and of accrued amounts.
    function ACC_PRECISION() external view returns (uint256);

    /// @notice Maximum distinct assets per Ingot.
    function MAX_ASSETS_PER_INGOT() external view returns (uint256);

    /// @notice Maximum number of ancestors a royalty climbs.
    function MAX_LINEAGE_DEPTH() external view returns (uint256);
}
