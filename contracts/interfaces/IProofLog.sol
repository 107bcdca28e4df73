// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofLog
/// @notice A public, append-only log of the inference gateway's proof batch roots. Each root is
/// the RFC 6962 Merkle root over a batch of per-call proofs' chain hashes (gateway/docs/proof.md,
/// "Witnesses"). Once a root is here, anyone can show that every proof in its batch existed by
/// the block that anchored it, and that the gateway did not rewrite that batch later: a root
/// can never be replaced or removed, and sequence numbers only grow.
/// @dev Appenders hold `APPENDER_ROLE` (the gateway's settler, or any account the admin
/// authorizes for a gateway key). Each root gets the next sequence number (from 0) and the block
/// timestamp of the transaction that appended it. A root may be appended once in the whole log.
/// Lookups go by root (`anchorOf`, one storage slot per root); the log in order is its
/// `RootAnchored` events, indexed by sequence and root.
interface IProofLog {
    /// @notice Where and when a root was anchored.
    struct Anchor {
        /// @notice The root's position in the log, from 0.
        uint64 sequence;
        /// @notice The block timestamp of the transaction that appended it; 0: never anchored.
        uint64 anchoredAt;
    }

    /// @notice The zero address was given for the admin.
    error ProofLogZeroAddress();
    /// @notice `append` was called with no roots.
    error ProofLogNoRoots();
    /// @notice A zero root (`index` in the list): no Merkle root is zero, so it is a mistake.
    error ProofLogZeroRoot(uint256 index);
    /// @notice `firstSequence` is not the log's next sequence number: another append came first,
    /// or this one was already mined (a retry). Read `nextSequence` and send what is missing.
    error ProofLogSequenceMismatch(uint64 expected, uint64 given);
    /// @notice `root` was anchored before, at `sequence`: roots are never replaced or repeated.
    error ProofLogRootAlreadyAnchored(bytes32 root, uint64 sequence);

    /// @notice `root` was appended at `sequence` by `appender`, in a block with timestamp `anchoredAt`.
    event RootAnchored(uint64 indexed sequence, bytes32 indexed root, address indexed appender, uint64 anchoredAt);

    /// @notice Append batch roots, oldest first, at sequence numbers `firstSequence`,
    /// `firstSequence + 1`, … Only `APPENDER_ROLE`.
    /// @param firstSequence Must equal `nextSequence()`: a retried or raced append reverts
    /// instead of appending twice.
    /// @param roots The batch roots (non-zero, never anchored before, no repeats).
    function append(uint64 firstSequence, bytes32[] calldata roots) external;

    /// @notice The sequence number the next appended root gets (the number of roots so far).
    function nextSequence() external view returns (uint64);

    /// @notice Where and when `root` was anchored; `anchoredAt == 0` when it never was.
    function anchorOf(bytes32 root) external view returns (Anchor memory);
}
