// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IProofLog} from "./interfaces/IProofLog.sol";

/// @title ProofLog
/// @notice See {IProofLog}.
contract ProofLog is IProofLog, AccessControl {
    bytes32 public constant APPENDER_ROLE = keccak256("APPENDER_ROLE");

    /// @dev One storage slot per root (its Anchor); the order of roots is in the RootAnchored events.
    mapping(bytes32 root => Anchor) private _anchors;
    uint64 private _nextSequence;

    constructor(address admin) {
        if (admin == address(0)) revert ProofLogZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IProofLog
    function append(uint64 firstSequence, bytes32[] calldata roots) external onlyRole(APPENDER_ROLE) {
        if (roots.length == 0) revert ProofLogNoRoots();
        uint64 sequence = _nextSequence;
        if (firstSequence != sequence) revert ProofLogSequenceMismatch(sequence, firstSequence);
        uint64 anchoredAt = uint64(block.timestamp);
        for (uint256 i = 0; i < roots.length; ++i) {
            bytes32 root = roots[i];
            if (root == bytes32(0)) revert ProofLogZeroRoot(i);
            Anchor storage existing = _anchors[root];
            if (existing.anchoredAt != 0) revert ProofLogRootAlreadyAnchored(root, existing.sequence);
            _anchors[root] = Anchor({sequence: sequence, anchoredAt: anchoredAt});
            emit RootAnchored(sequence, root, msg.sender, anchoredAt);
            ++sequence;
        }
        _nextSequence = sequence;
    }

    /// @inheritdoc IProofLog
    function nextSequence() external view returns (uint64) {
        return _nextSequence;
    }

    /// @inheritdoc IProofLog
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }
}
