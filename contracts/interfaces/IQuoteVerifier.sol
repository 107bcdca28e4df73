// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IQuoteVerifier
/// @notice Turns a TEE attestation quote into the facts the enclave registry needs.
/// @dev Two implementations: SimulatedQuoteVerifier (development chains only, chain id 31337)
/// and DcapQuoteVerifier (Intel TDX through Automata's on-chain DCAP verifier).
interface IQuoteVerifier {
    /// @notice What a verified quote says.
    /// @param measurement hash of the enclave's code identity (for TDX: MRTD and RTMR0-3).
    /// @param reportData the 64 bytes of report data the enclave put in the quote.
    /// @param tcbOk the platform's TCB is up to date.
    /// @param debug the enclave runs in debug mode (its memory is readable by the host).
    struct VerifiedQuote {
        bytes32 measurement;
        bytes reportData;
        bool tcbOk;
        bool debug;
    }

    /// @notice Verify `quote` or revert with a reason.
    function verifyQuote(bytes calldata quote) external returns (VerifiedQuote memory);

    /// @notice True for the simulated verifier, so registrations can say what they trust.
    function isSimulated() external view returns (bool);
}
