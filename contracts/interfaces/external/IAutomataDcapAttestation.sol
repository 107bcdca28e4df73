// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAutomataDcapAttestation
/// @notice The entry point of Automata's on-chain Intel DCAP verifier
/// (github.com/automata-network/automata-dcap-attestation, `AutomataDcapAttestationFee`).
/// @dev On success `output` is Automata's `serializeOutput(Output)`: an `abi.encodePacked` header
/// followed by the raw quote body (for TDX, the 584-byte TD10 report). On failure `success` is
/// false and `output` holds the reason as bytes (e.g. "Failed to verify X509 Chain"). The fee
/// variant charges `msg.value` as a share of the gas used when its fee basis points are non-zero.
interface IAutomataDcapAttestation {
    function verifyAndAttestOnChain(bytes calldata rawQuote) external payable returns (bool success, bytes memory output);
}
