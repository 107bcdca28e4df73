// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IQuoteVerifier} from "./IQuoteVerifier.sol";

/// @title ISimulatedQuoteVerifier
/// @notice A stand-in for TDX attestation on development chains: a "quote" is a message signed by
/// a simulated platform key. NOTHING ABOUT A SIMULATED QUOTE IS SECURE. The platform private key
/// is public, so anyone can forge any measurement; that is why the verifier deploys and verifies
/// only on chain id 31337 (Hardhat's in-process chain and `hardhat node`).
/// @dev The simulated platform private key, used by the coordinator's simulated enclave:
///   `keccak256("ingotforge.simulated-platform.v1")` taken as a 32-byte secp256k1 private key
///   (viem: `privateKeyToAccount(keccak256(toBytes("ingotforge.simulated-platform.v1")))`).
/// Its address is the constructor's `platformSigner` in every deployment script.
///
/// Quote encoding: `quote = abi.encode(SimulatedQuote(measurement, reportData, debug, signature))`
/// (one tuple, as viem's `encodeAbiParameters([{ type: "tuple", components: [...] }], [q])`).
/// `signature` is the 65-byte `r ‖ s ‖ v` ECDSA signature by the platform key over
///   `toEthSignedMessageHash(digest)`, i.e. the EIP-191 personal-sign hash of the 32 bytes
///   `digest = keccak256(abi.encode("IngotForge simulated TDX quote v1", block.chainid,
///                                  measurement, keccak256(reportData), debug))`
/// with ABI types (string, uint256, bytes32, bytes32, bool). viem reproduces it with
/// `account.signMessage({ message: { raw: digest } })`.
interface ISimulatedQuoteVerifier is IQuoteVerifier {
    /// @notice The simulated quote. `reportData` is the 64 bytes the enclave binds (see
    /// IEnclaveRegistry.reportDataFor); `debug` lets tests exercise the debug refusal.
    struct SimulatedQuote {
        bytes32 measurement;
        bytes reportData;
        bool debug;
        bytes signature;
    }

    /// @notice Used (or deployed) on a chain other than 31337.
    error SimulatedQuoteWrongChain(uint256 chainId);
    /// @notice The signature does not recover to the platform signer (`recovered` is zero when
    /// the signature is malformed).
    error SimulatedQuoteBadSignature(address recovered, address expected);
    /// @notice The quote bytes are not an ABI-encoded SimulatedQuote.
    error SimulatedQuoteMalformed(uint256 length);
    /// @notice The platform signer given to the constructor is zero.
    error SimulatedQuoteZeroSigner();

    /// @notice The address of the simulated platform key.
    function platformSigner() external view returns (address);

    /// @notice The 32-byte digest the platform key personal-signs for these facts on this chain.
    function quoteDigest(bytes32 measurement, bytes calldata reportData, bool debug) external view returns (bytes32);

    /// @notice Decode `quote`; reverts (without a reason) when it is not a SimulatedQuote.
    /// @dev External so that `verifyQuote` can catch a bad encoding and name it.
    function decodeQuote(bytes calldata quote) external pure returns (SimulatedQuote memory);
}
