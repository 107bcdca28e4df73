// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IForge
/// @notice One crowdsourced fine-tuning round. While its window is open, people contribute data
/// (content roots on 0G), compute (workers with signing keys) and capital (ETH or one ERC-20,
/// escrowed here). After the window closes, an enclave registered in the EnclaveRegistry signs
/// an EIP-712 `EvalResult` with a score per data contribution and verified work per worker;
/// `submitEvalResult` checks it and mints the Ingot, whose shares follow the Forge's split.
///
/// @dev Phases are computed from timestamps and one flag, never stored (`phase()`):
///   Pending  block.timestamp <  windowStart
///   Open     windowStart <= block.timestamp < windowEnd     (contributions accepted)
///   Closed   windowEnd   <= block.timestamp < evalDeadline  (awaiting the result)
///   Failed   evalDeadline <= block.timestamp, no result     (capital refundable)
///   Live     a result was accepted (checked first; it is final)
/// Phases only move forward: time only increases and the Live flag is only ever set in Closed.
///
/// Share allocation (`SHARE_SUPPLY` = 1e9 shares, see ShareMath):
///   1. lineage = SHARE_SUPPLY * lineageBps / 10_000, held by the RevenueSplitter for the
///      parent (exact, since SHARE_SUPPLY is a multiple of 10_000; it is also the royalty).
///   2. The rest is split between the data, compute, capital and creator pools pro rata to their
///      bps. A pool with no eligible member (data: no positive score; compute: no verified work;
///      capital: nothing credited) is EMPTY: its bps are dropped from the split, so its shares are
///      redistributed to the non-empty pools pro rata to their bps. The creator pool is never
///      empty unless creatorBps == 0; if every pool is empty, the creator receives the rest. So
///      an Ingot always has holders for all it earns: a Forge in which nobody earned a share (no
///      contribution, or every entry excluded) still goes Live on its result, its creator holding
///      every share the lineage pool leaves, and its fees and forfeited bonds are the creator's.
///   3. Within a pool, shares are pro rata to weight: data max(score, 0), compute verified work,
///      capital the credited amount.
///   Every split floors each share then gives one more share to each of the largest remainders
///   (ties to the lowest index), so shares sum exactly to the supply.
///   Holders are passed to Ingot.mint in the order creator, data (by id), compute (by id),
///   capital (by position); members with zero shares are omitted; an address appearing in several
///   contributions is passed once per contribution (measured cheaper than aggregating on-chain:
///   the repeated balance write is warm).
///
/// Bonds and the cost of filling a Forge: each data contribution sends `dataBond` and each compute
/// registration `computeBond` (native ETH wei, fixed at creation, whatever the capital asset), and
/// a new capital position must be at least `minCapital` of the capital asset. So occupying every
/// slot of a Forge (at most `maxContributions()` entries in all) ties up
///   maxData * dataBond + maxCompute * computeBond + maxCapital * minCapital
/// (bounded by `maxContributions()` entries in total, about 52k gas each on top), for the whole
/// window. A bond is a pull payment (`refundBond`): refunded when its entry is included in the
/// accepted result or when the Forge fails; forfeited when the enclave excluded the entry
/// (missing, tampered, mis-declared, unbound to its sender, a whole duplicate; a compute key
/// without a valid proof of possession), and then paid into the RevenueSplitter as ETH revenue
/// of the Ingot (`forfeitBonds`, permissionless). At every moment totalBonds() = bondsRefunded()
/// + bondsForfeited-and-paid + what is still held for unsettled entries: never stuck.
///
/// Capital: credited by the Forge's balance increase over the transfer (fee-on-transfer tokens are
/// accepted; a balance that shrank during the transfer is charged to that contribution, and one
/// that did not grow is refused), one position per address (top-ups add to it). Failed: each
/// position is refunded once, by pull (`refund`). Live: `releaseCapital` (permissionless, once)
/// pays the escrow into the RevenueSplitter as the Ingot's first revenue, so every share holder
/// earns from it. It is kept out of `submitEvalResult` so that a hostile ERC-20 cannot block the
/// result. A shrinking token (a downward rebase, a clawback, a token taking more from the sender
/// than it sends) may leave the Forge holding less than the open positions: then a refund or a
/// reclaim pays the position's share of what is held at that moment, pro rata to the positions
/// still open (rounded down; the last one takes what is left), and the release pays what is held.
/// So no pay-out is larger than the position or than what the Forge holds, nobody is paid out of
/// another's position, and nothing stays behind; a loss the token causes is shared by the
/// positions open when it happens (a token that takes more on each send charges that extra to the
/// positions still open after it). The ETH bonds are never touched by the capital asset.
/// Surplus above the open positions (a donation, an upward rebase) is not paid out.
/// Capital can't get stuck: if the release has not succeeded `RELEASE_GRACE` (7 days) after the
/// result was accepted (`liveAt`) (the token froze the splitter or the Forge, reverts, or the
/// splitter refuses the amount), each contributor may `reclaimCapital`: its share of the escrow
/// pro rata to its position (the whole position when the escrow is intact; the last reclaimer
/// takes the rest). The first reclaim turns `releaseCapital` off for good, so the two
/// never both pay. Total capital is capped at `capitalLimit()`, the most the RevenueSplitter
/// accepts as one first payment to this Ingot (its per-share accumulator is capped at
/// type(uint216).max: limit = floor(type(uint216).max * accruing shares / 1e18), about 1.05e56
/// units with no lineage); a payment of the capital asset made to the Ingot before the release can
/// still push it over, which the reclaim covers.
///
/// Scale: `submitEvalResult` stores nothing per contribution; every pool is capped (at most
/// 1,000) and the pools together at `maxContributions()` (see IForgeFactory). A transaction may
/// use at most 2^24 = 16,777,216 gas (EIP-7825, Osaka), and minting to a holder costs about 38k
/// gas (a fresh balance slot; 11k for a repeated holder, test/ts/contracts/forgeGas.test.ts), so:
///   - up to `DIRECT_MINT_MAX_HOLDERS` (256) holder entries, the Ingot mints to every holder
///     directly (about 10M gas at the limit);
///   - past it (claim by proof), the same entries in the same order become the leaves of a Merkle
///     tree (see ShareTree: leaf i = double keccak of abi.encode(i, account, amount), sorted-pair
///     hashing, an odd last node carried up). The Forge stores the root and the leaf count, the
///     Ingot mints the holders' shares to this Forge (the escrow; `SharesEscrowed`), and anyone
///     may `claimShares` a leaf once with its proof, which moves its shares to its account
///     without a receiver hook. The escrow never accrues revenue in the RevenueSplitter; each
///     claimed share carries everything paid since the mint to its claimer, so revenue paid before
///     a claim is neither lost nor taken. Per entry this costs about 12k gas instead of 38k
///     (reading the contributor, the share math, one leaf hash, the calldata): 11.8M to 12.9M for
///     1,000 data contributions from distinct accounts depending on the scores (shareClaims.test.ts,
///     scripts/bench-gas.ts), about 14.8M for 1,201 entries. A claim costs 117k to 168k gas (new
///     balance slot, first bitmap word, and with revenue paid the claimer's first checkpoint).
///   `previewAllocation` returns the entries (and the root) for a result, so the coordinator
///   builds the proofs without re-implementing the share math.
/// For 100,000 contributions even one storage read and one hash per contribution is too much for
/// one transaction: the enclave would sign the allocation's root and pool totals instead of a
/// score per contribution, the Forge would check only that signature and escrow the pools' shares
/// in O(1), and the claim path above would stay as it is (O(log n) per holder).
interface IForge {
    /// @notice Lifecycle phase, in the only order it can move.
    enum Phase {
        Pending,
        Open,
        Closed,
        Live,
        Failed
    }

    /// @notice Whether a smaller or a larger metric is better (perplexity: LowerIsBetter).
    enum MetricDirection {
        LowerIsBetter,
        HigherIsBetter
    }

    /// @notice The three contribution pools, for errors that name one.
    enum Pool {
        Data,
        Compute,
        Capital
    }

    /// @notice Split of the share supply between pools, in basis points summing to 10,000.
    struct Split {
        uint16 dataBps;
        uint16 computeBps;
        uint16 capitalBps;
        uint16 creatorBps;
        uint16 lineageBps; // > 0 exactly when the Forge has a parent Ingot; also its royalty
    }

    /// @notice Maximum contributions per pool (each 1..MAX_POOL_CAP), so every loop is bounded.
    struct Caps {
        uint16 maxData;
        uint16 maxCompute;
        uint16 maxCapital;
    }

    /// @notice Everything fixed at creation; immutable afterwards.
    struct ForgeConfig {
        // (ordered so the fixed-size fields pack: the three times share one storage slot)
        uint64 windowStart; // contributions from this second...
        uint64 windowEnd; // ...until before this one
        uint64 evalDeadline; // results accepted until before this one; then Failed
        uint32 holdoutExamples; // examples in the encrypted holdout
        MetricDirection direction;
        address creator; // receives the creator pool
        address capitalAsset; // address(0) = ETH, else one ERC-20
        bytes32 baseModelRoot; // 0G root of the base model file
        bytes32 holdoutRoot; // 0G root of the HPKE-sealed holdout
        Split split;
        Caps caps;
        uint128 dataBond; // native ETH wei sent with each data contribution (whatever the capital asset)
        uint128 computeBond; // native ETH wei sent with each compute registration
        uint128 minCapital; // capital-asset units: a new capital position below it is refused
        uint256 parentIngotId; // 0 = not a fork
        bytes32[] allowedMeasurements; // enclave measurements whose results this Forge accepts
        string metadataURI; // title, description
        string baseModelName; // e.g. "Qwen2.5-Coder-3B-Instruct"
        string task; // e.g. "generation"
        string fineTuneMethod; // e.g. "qlora"
        string evalMetric; // e.g. "perplexity"
    }

    /// @notice The attested outcome of the eval, signed by a registered enclave (EIP-712, domain
    /// name "IngotForge", version "1", this Forge, this chain). Metrics are 1e18 fixed point.
    /// `dataIds[i]` must equal i for every data contribution (and likewise `computeIds`), so the
    /// vectors cover each contribution exactly once, in id order. `excludedData` and
    /// `excludedCompute` list, in strictly increasing id order, the entries the enclave excluded
    /// (data missing, tampered, mis-declared, not bound to its sender, or a whole duplicate;
    /// compute whose proof of possession failed or whose key was already registered); each carries
    /// score / work 0, and its bond is forfeited to the Ingot's holders.
    struct EvalResult {
        address forge;
        bytes32 holdoutRoot;
        bytes32 baseModelRoot;
        bytes32 adapterRoot;
        int256 metricBefore;
        int256 metricAfter;
        uint256[] dataIds;
        int256[] dataScores; // marginal contribution; <= 0 earns nothing
        uint256[] computeIds;
        uint256[] computeWork; // verified work units per worker
        uint256[] excludedData; // data ids whose bond is forfeited
        uint256[] excludedCompute; // compute ids whose bond is forfeited
        bytes32 attributionLogRoot;
        bytes32 evalConfigHash;
        uint256 deadline; // the signature is refused after this timestamp
    }

    /// @notice Shares minted per pool by an accepted result.
    struct PoolShares {
        uint256 data;
        uint256 compute;
        uint256 capital;
        uint256 creator;
        uint256 lineage;
    }

    // ---------------------------------------------------------------- errors

    /// @notice `initialize` was called by someone other than the factory.
    error ForgeOnlyFactory(address caller);
    /// @notice The call needs phase `expected`; the Forge is in `current`.
    error ForgeWrongPhase(address forge, Phase current, Phase expected);
    /// @notice The pool already holds `cap` contributions.
    error ForgePoolFull(Pool pool, uint256 cap);
    /// @notice The Forge already holds `maxContributions` contributions across its pools.
    error ForgeFull(uint256 maxContributions);
    /// @notice A data contribution with a zero root.
    error ForgeZeroDataRoot();
    /// @notice A data contribution of zero bytes.
    error ForgeZeroDataSize(bytes32 root);
    /// @notice A data contribution of zero examples.
    error ForgeZeroExampleCount(bytes32 root);
    /// @notice A data contribution without a metadata URI (license, description).
    error ForgeEmptyDataMetadata(bytes32 root);
    /// @notice `contributor` already contributed `root` to this Forge as `dataId`.
    error ForgeDuplicateDataRoot(address contributor, bytes32 root, uint256 dataId);
    /// @notice A compute registration with a zero signer.
    error ForgeZeroComputeSigner();
    /// @notice A compute registration with a zero Ed25519 key.
    error ForgeZeroComputeKey(address signer);
    /// @notice A compute registration with zero capacity.
    error ForgeZeroCapacity(address signer);
    /// @notice `signer` is already registered as worker `computeId`.
    error ForgeDuplicateComputeSigner(address signer, uint256 computeId);
    /// @notice The signer part of a compute registration does not prove `signer`'s consent: no
    /// signature and `signer` is not the sender, or the signature recovers to `recovered`.
    error ForgeBadSignerProof(address signer, address recovered);
    /// @notice The Ed25519 proof of possession for `key` is `length` bytes, not 64.
    error ForgeBadEd25519ProofLength(bytes32 key, uint256 length);
    /// @notice `sent` wei came with a data or compute entry whose bond is `bond`.
    error ForgeBadBond(uint256 sent, uint256 bond);
    /// @notice A new capital position of `credited`, below the Forge's `minCapital`.
    error ForgeCapitalBelowMinimum(uint256 credited, uint256 minCapital);
    /// @notice Excluded id `id` at `index` of `pool`'s excluded list is out of range or not above
    /// the one before it.
    error ForgeBadExcludedId(Pool pool, uint256 index, uint256 id);
    /// @notice Entry `id` of `pool` is excluded but carries a nonzero score or work.
    error ForgeExcludedWithWeight(Pool pool, uint256 id);
    /// @notice Entry `id` of `pool` has no bond to refund: none was asked, it is not an entry,
    /// it was refunded already, or it was excluded by the accepted result (forfeited).
    error ForgeNoBondToRefund(Pool pool, uint256 id);
    /// @notice No forfeited bonds are left to pay to the Ingot's holders.
    error ForgeNothingToForfeit();
    /// @notice A capital contribution of zero (requested, or received after a transfer fee).
    error ForgeZeroCapital();
    /// @notice ETH sent differs from `amount` (ETH Forge), or ETH sent to an ERC-20 Forge.
    error ForgeBadValue(uint256 msgValue, uint256 amount);
    /// @notice `contributor` has nothing (left) to refund.
    error ForgeNothingToRefund(address contributor);
    /// @notice Sending `amount` ETH to `to` failed.
    error ForgeEthTransferFailed(address to, uint256 amount);
    /// @notice The capital was already released to the Ingot's holders.
    error ForgeCapitalAlreadyReleased(uint256 ingotId, uint256 amount);
    /// @notice Capital is being reclaimed by its contributors (`reclaimCapital`): no release.
    error ForgeCapitalBeingReclaimed();
    /// @notice `reclaimCapital` opens at `opensAt`, `RELEASE_GRACE` after the result was accepted.
    error ForgeReclaimNotOpen(uint256 opensAt, uint256 nowTimestamp);
    /// @notice The escrow would reach `total`, above `limit`, the most the RevenueSplitter accepts.
    error ForgeCapitalOverLimit(uint256 total, uint256 limit);
    /// @notice No capital was raised (or a token took all of it), so there is nothing to release.
    error ForgeNothingToRelease();
    /// @notice The result's signature expired at `deadline`.
    error ForgeResultExpired(uint256 deadline, uint256 nowTimestamp);
    /// @notice The result names another Forge.
    error ForgeResultWrongForge(address named, address expected);
    /// @notice The signature does not recover to an address (malformed signature).
    error ForgeBadSignature(bytes signature);
    /// @notice `signer` is not a registered, unexpired, unrevoked enclave key.
    error ForgeSignerNotValid(address signer);
    /// @notice `signer`'s measurement is not in this Forge's allowed measurements.
    error ForgeMeasurementNotAllowed(address signer, bytes32 measurement);
    /// @notice The result's holdout root differs from the Forge's.
    error ForgeHoldoutRootMismatch(bytes32 got, bytes32 expected);
    /// @notice The result's base model root differs from the Forge's.
    error ForgeBaseModelRootMismatch(bytes32 got, bytes32 expected);
    /// @notice A result vector of `pool` has `got` entries where `expected` are needed.
    error ForgeBadVectorLength(Pool pool, uint256 got, uint256 expected);
    /// @notice The id at `index` of `pool`'s vector is `id`; ids must be 0, 1, 2... in order.
    error ForgeBadContributionId(Pool pool, uint256 index, uint256 id);
    /// @notice A score or work figure above `MAX_WEIGHT` (a guard on the share arithmetic).
    error ForgeWeightTooLarge(Pool pool, uint256 index, uint256 weight);
    /// @notice `forge` has no shares to claim by proof (no result yet, or it minted them directly).
    error ForgeNoShareClaims(address forge);
    /// @notice (`index`, `account`, `amount`) with this proof is not a leaf of `sharesRoot`.
    error ForgeInvalidShareProof(uint256 index, address account, uint256 amount);
    /// @notice Leaf `index` (of `account`) was already claimed.
    error ForgeSharesAlreadyClaimed(uint256 index, address account);

    // ---------------------------------------------------------------- events

    /// @notice `contributor` contributed data `dataId` with content `root`.
    event DataContributed(
        uint256 indexed dataId,
        address indexed contributor,
        bytes32 indexed root,
        uint64 sizeBytes,
        uint32 exampleCount,
        string metadataURI
    );
    /// @notice `worker` (paid and credited) registered compute `computeId` with its keys.
    /// `ed25519Signature` is the key's proof of possession over `hashComputeRegistration(worker,
    /// signer, ed25519PublicKey)`; the coordinator checks it (see `registerCompute`).
    event ComputeRegistered(
        uint256 indexed computeId,
        address indexed worker,
        address indexed signer,
        bytes32 ed25519PublicKey,
        uint32 capacity,
        bytes ed25519Signature
    );
    /// @notice `contributor` escrowed `credited` (of `amount` sent) in capital position `positionId`,
    /// which now totals `position`.
    event CapitalContributed(
        uint256 indexed positionId, address indexed contributor, uint256 amount, uint256 credited, uint256 position
    );
    /// @notice `contributor` was refunded `amount` after the Forge failed (its whole position, or
    /// its share of what is held if a token shrank the escrow).
    event CapitalRefunded(address indexed contributor, uint256 amount);
    /// @notice `contributor` took back `amount` of its `position` because the release had not
    /// succeeded within `RELEASE_GRACE` of the result.
    event CapitalReclaimed(address indexed contributor, uint256 position, uint256 amount);
    /// @notice `amount` of escrow is paid into the RevenueSplitter for `ingotId`: the total capital,
    /// or what the Forge holds if a token shrank it (its `Paid` event tells what it credited net of
    /// any transfer fee).
    event CapitalReleased(uint256 indexed ingotId, address indexed asset, uint256 amount);
    /// @notice The bond of entry `id` of `pool` was refunded to its contributor `to`.
    event BondRefunded(IForge.Pool indexed pool, uint256 indexed id, address indexed to, uint256 amount);
    /// @notice `amount` of forfeited bonds (excluded entries) was paid into the RevenueSplitter as
    /// ETH revenue of Ingot `ingotId`.
    event BondsForfeited(uint256 indexed ingotId, uint256 amount);
    /// @notice A result signed by `signer` was accepted and Ingot `ingotId` minted.
    event ResultAccepted(
        uint256 indexed ingotId,
        address indexed signer,
        bytes32 indexed measurement,
        bytes32 adapterRoot,
        int256 metricBefore,
        int256 metricAfter,
        bytes32 attributionLogRoot,
        bytes32 evalConfigHash
    );
    /// @notice How the accepted result's shares were split between pools.
    event SharesAllocated(uint256 indexed ingotId, PoolShares shares);
    /// @notice The result had more than `DIRECT_MINT_MAX_HOLDERS` holder entries: `shares` (all but
    /// the lineage pool) are held by this Forge until each of the `leafCount` leaves under `root`
    /// is claimed with `claimShares`.
    event SharesEscrowed(uint256 indexed ingotId, bytes32 root, uint256 leafCount, uint256 shares);
    /// @notice Leaf `index` was claimed: `amount` shares moved from the escrow to `account`.
    event SharesClaimed(uint256 indexed ingotId, uint256 indexed index, address indexed account, uint256 amount);

    // ---------------------------------------------------------------- actions

    /// @notice Called once by the factory right after cloning.
    /// @param maxContributions bound on data contributions + workers + capital positions together,
    /// so the result's mint fits in one transaction (see IForgeFactory).
    function initialize(ForgeConfig calldata config, uint256 maxContributions) external;

    /// @notice Contribute a dataset (Open only). The root must be new among the sender's own
    /// contributions; the same root from another sender is a separate entry of that sender, so a
    /// copied transaction neither blocks nor robs the author (the coordinator excludes the entry
    /// whose sealed binding names a different sender; see `EvalResult.excludedData`).
    /// `sizeBytes` is the byte length stored under `root` (the sealed envelope when sealed),
    /// `exampleCount` the number of examples in the plaintext.
    /// @return dataId the contribution's id (0, 1, 2... in order).
    /// Pays the bond: msg.value must equal `config().dataBond`.
    function contributeData(bytes32 root, uint64 sizeBytes, uint32 exampleCount, string calldata metadataURI)
        external
        payable
        returns (uint256 dataId);

    /// @notice Register as a compute worker (Open only): `signer` signs job results, the Ed25519
    /// key receives job messages; msg.sender is credited with the shares.
    ///
    /// Proof of possession: both `signerSignature` and `ed25519Signature` sign the 32-byte digest
    /// `hashComputeRegistration(msg.sender, signer, ed25519PublicKey)` (EIP-712, this Forge's
    /// domain, so it binds the chain, the Forge and the sender). The contract checks the signer
    /// part: `signerSignature` empty with `signer == msg.sender`, or an ECDSA signature that
    /// recovers to `signer`; a signer is registered at most once. Ed25519 cannot be verified here
    /// at a sane cost, so the contract only checks its length (64) and emits it; Ed25519 keys are
    /// NOT unique on chain (otherwise a squatter could block the key's owner by registering it
    /// first). The coordinator verifies every Ed25519 proof (RFC 8032 over the 32 digest bytes)
    /// and counts, per key, only the first registration whose proof verifies; every other one is
    /// excluded from the result (see `EvalResult.excludedCompute`), so a squatter can neither take
    /// credit for the key's work nor block its owner. Pays the bond: msg.value must equal
    /// `config().computeBond`.
    /// @return computeId the worker's id (0, 1, 2... in order).
    function registerCompute(
        address signer,
        bytes32 ed25519PublicKey,
        uint32 capacity,
        bytes calldata signerSignature,
        bytes calldata ed25519Signature
    ) external payable returns (uint256 computeId);

    /// @notice Escrow `amount` of the capital asset (Open only): ETH with msg.value == amount, or
    /// the ERC-20 pulled with transferFrom (approve first) and credited by the balance received.
    /// A new position must be credited at least `config().minCapital`; top-ups may be smaller.
    /// @return credited the amount added to the caller's position.
    function contributeCapital(uint256 amount) external payable returns (uint256 credited);

    /// @notice Failed only: send the caller's capital position back to it, once: the whole
    /// position, or, if the token left the Forge holding less than the open positions, its share
    /// of what is held now pro rata to the positions still open (see the contract NatSpec).
    function refund() external returns (uint256 amount);

    /// @notice Anyone, once per entry: send the bond of data (`pool` Data) or compute (`pool`
    /// Compute) entry `id` back to whoever made the entry. Live: only for entries the result did
    /// not exclude; Failed: for every entry.
    function refundBond(Pool pool, uint256 id) external returns (uint256 amount);

    /// @notice Live only, anyone: pay the bonds of every excluded entry into the RevenueSplitter
    /// as the Ingot's ETH revenue (so they go to its holders), once.
    function forfeitBonds() external returns (uint256 amount);

    /// @notice Live only, `RELEASE_GRACE` after `liveAt()` and only while the capital was not
    /// released: take back the caller's capital, pro rata to its position (see the contract
    /// NatSpec). Turns `releaseCapital` off for good.
    function reclaimCapital() external returns (uint256 amount);

    /// @notice Live only, anyone, once: pay the escrow into the RevenueSplitter as the Ingot's
    /// first revenue: the total capital, or what the Forge holds if a token shrank it.
    function releaseCapital() external returns (uint256 credited);

    /// @notice Closed only: accept the enclave-signed result and mint the Ingot (see the contract
    /// NatSpec for the allocation).
    /// @param signature 65-byte ECDSA signature over the EIP-712 digest of `result`.
    function submitEvalResult(EvalResult calldata result, bytes calldata signature) external returns (uint256 ingotId);

    /// @notice Live, claim-by-proof Forges only; anyone, once per leaf: move leaf `index`'s
    /// `amount` shares from the escrow to `account` (whoever sends it: the shares and the revenue
    /// they earned since the mint go to `account`). `proof` is the leaf's Merkle proof against
    /// `sharesRoot` (see ShareTree; `previewAllocation` gives the leaves).
    function claimShares(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external;

    // ---------------------------------------------------------------- views

    /// @notice The current phase.
    function phase() external view returns (Phase);

    /// @notice The configuration fixed at creation.
    function config() external view returns (ForgeConfig memory);

    /// @notice The factory that created this Forge.
    function factory() external view returns (address);

    /// @notice The parent Ingot (0 = none) and the lineage bps (= royalty) recorded at creation.
    function lineage() external view returns (uint256 parentIngotId, uint16 lineageBps);

    /// @notice Bound on data contributions + workers + capital positions together.
    function maxContributions() external view returns (uint256);

    /// @notice Number of data contributions, compute workers and capital positions.
    function counts() external view returns (uint256 data, uint256 compute, uint256 capital);

    /// @notice Who contributed data `dataId` (and is credited its shares).
    function dataContributor(uint256 dataId) external view returns (address);

    /// @notice The id of `contributor`'s contribution with `root`, and whether there is one.
    function dataIdOf(address contributor, bytes32 root) external view returns (bool exists, uint256 dataId);

    /// @notice Who registered worker `computeId` (and is credited its shares).
    function computeWorker(uint256 computeId) external view returns (address);

    /// @notice The worker id registered with `signer`, and whether there is one.
    function computeIdOfSigner(address signer) external view returns (bool exists, uint256 computeId);

    /// @notice The holder of capital position `positionId`.
    function capitalContributor(uint256 positionId) external view returns (address);

    /// @notice What `contributor` has escrowed and not been refunded.
    function capitalOf(address contributor) external view returns (uint256);

    /// @notice Sum of all credited capital (refunds do not lower it).
    function totalCapital() external view returns (uint256);

    /// @notice Sum of the capital positions refunded (Failed) or reclaimed (Live, release stuck) so
    /// far, so `totalCapital() - totalRefunded()` is what is still owed. What was paid for them is
    /// the same unless a token shrank the escrow, then less (`CapitalRefunded` / `CapitalReclaimed`
    /// carry each amount paid).
    function totalRefunded() external view returns (uint256);

    /// @notice When the result was accepted (0 before).
    function liveAt() external view returns (uint64);

    /// @notice Whether a contributor reclaimed capital (the release is then off for good).
    function capitalReclaimStarted() external view returns (bool);

    /// @notice The most capital this Forge accepts in all: what the RevenueSplitter accepts as the
    /// Ingot's first payment of it.
    function capitalLimit() external view returns (uint256);

    /// @notice Time after the result within which the capital should be released; past it,
    /// contributors may reclaim it.
    function RELEASE_GRACE() external view returns (uint256);

    /// @notice Bonds received: data entries * dataBond + compute entries * computeBond.
    function totalBonds() external view returns (uint256);

    /// @notice Bonds refunded so far.
    function bondsRefunded() external view returns (uint256);

    /// @notice Bonds forfeited by the accepted result (excluded entries); paid to the holders by
    /// `forfeitBonds`.
    function bondsForfeited() external view returns (uint256);

    /// @notice Whether the forfeited bonds were paid to the Ingot's holders.
    function forfeitedBondsPaid() external view returns (bool);

    /// @notice Whether entry `id` of `pool` was excluded by the accepted result.
    function isExcluded(Pool pool, uint256 id) external view returns (bool);

    /// @notice Whether entry `id` of `pool` had its bond refunded.
    function isBondRefunded(Pool pool, uint256 id) external view returns (bool);

    /// @notice Whether the escrow was released to the RevenueSplitter.
    function capitalReleased() external view returns (bool);

    /// @notice The Ingot minted by the accepted result (0 = none).
    function ingotId() external view returns (uint256);

    /// @notice The EIP-712 digest of `ComputeRegistration(address worker,address signer,bytes32
    /// ed25519PublicKey)` in this Forge's domain, which both proofs of a registration sign.
    function hashComputeRegistration(address worker, address signer, bytes32 ed25519PublicKey)
        external
        view
        returns (bytes32);

    /// @notice keccak256 of the ComputeRegistration type string.
    function COMPUTE_REGISTRATION_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest the enclave signs for `result`.
    function hashEvalResult(EvalResult calldata result) external view returns (bytes32);

    /// @notice The holder entries `result` allocates given this Forge's contributions (creator,
    /// data by id, compute by id, capital by position; zero amounts omitted), exactly as
    /// `submitEvalResult` computes them, and the Merkle root over them (leaf i = entry i). Checks
    /// the result's vectors like `submitEvalResult`, not its signature or phase; after the result
    /// is accepted, the accepted result gives back the claim tree's leaves.
    function previewAllocation(EvalResult calldata result)
        external
        view
        returns (address[] memory holders, uint256[] memory amounts, bytes32 root);

    /// @notice Most holder entries minted directly; more are escrowed and claimed by proof.
    function DIRECT_MINT_MAX_HOLDERS() external view returns (uint256);

    /// @notice Root of the claim tree (zero unless the shares were escrowed).
    function sharesRoot() external view returns (bytes32);

    /// @notice Number of leaves in the claim tree (zero unless the shares were escrowed).
    function shareClaimCount() external view returns (uint256);

    /// @notice Whether leaf `index` of the claim tree was claimed.
    function isShareClaimed(uint256 index) external view returns (bool);

    /// @notice keccak256 of the EvalResult type string.
    function EVAL_RESULT_TYPEHASH() external view returns (bytes32);
}
