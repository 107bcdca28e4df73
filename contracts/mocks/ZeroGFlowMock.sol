// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ZeroGFlowMock
/// @notice Test double of 0G storage's Flow contract (and its market), with the ABI that
/// the 0G TypeScript SDK 0.3.3's Uploader calls: `market()`, `pricePerSector()`, `submit(Submission)`
/// and the `Submit` event it reads the submission index from. It records lengths only; it does
/// no mining, sealing or pricing. Used by the coordinator's 0G store tests on the local chain.
contract ZeroGFlowMock {
    struct SubmissionNode {
        bytes32 root;
        uint256 height;
    }

    struct Submission {
        uint256 length;
        bytes tags;
        SubmissionNode[] nodes;
    }

    /// @notice Emitted for every accepted submission, as 0G's Flow does.
    event Submit(
        address indexed sender,
        bytes32 indexed identity,
        uint256 submissionIndex,
        uint256 startPos,
        uint256 length,
        Submission submission
    );

    /// @notice Storage price per sector; zero, so uploads cost only gas.
    uint256 public constant pricePerSector = 0;

    /// @notice Number of submissions so far; the next submission's index.
    uint256 public submissionCount;

    /// @notice Byte length of submission `index`.
    mapping(uint256 index => uint256 length) public lengthOf;

    /// @notice This mock is its own market.
    function market() external view returns (address payable) {
        return payable(address(this));
    }

    /// @notice Record a submission and emit `Submit`.
    function submit(Submission calldata submission)
        external
        payable
        returns (uint256 index, bytes32 identity, uint256 startPos, uint256 length)
    {
        index = submissionCount++;
        length = submission.length;
        lengthOf[index] = length;
        identity = keccak256(abi.encode(submission));
        emit Submit(msg.sender, identity, index, 0, length, submission);
        return (index, identity, 0, length);
    }
}
