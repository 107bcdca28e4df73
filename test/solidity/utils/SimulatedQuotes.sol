// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ISimulatedQuoteVerifier} from "../../../contracts/interfaces/ISimulatedQuoteVerifier.sol";
import {TestBase} from "./Vm.sol";

/// @notice Signs simulated quotes the way the coordinator's simulated enclave does, from the
/// documented encoding (not from the verifier's own helpers, so a drift in either is caught).
abstract contract SimulatedQuotes is TestBase {
    /// @dev The PUBLIC simulated platform key (ISimulatedQuoteVerifier).
    uint256 internal constant PLATFORM_KEY = uint256(keccak256("ingotforge.simulated-platform.v1"));

    function _simulatedDigest(uint256 chainId, bytes32 measurement, bytes memory reportData, bool debug)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode("IngotForge simulated TDX quote v1", chainId, measurement, keccak256(reportData), debug));
    }

    function _simulatedQuote(uint256 key, uint256 chainId, bytes32 measurement, bytes memory reportData, bool debug)
        internal
        pure
        returns (bytes memory)
    {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(_simulatedDigest(chainId, measurement, reportData, debug));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encode(
            ISimulatedQuoteVerifier.SimulatedQuote({
                measurement: measurement,
                reportData: reportData,
                debug: debug,
                signature: abi.encodePacked(r, s, v)
            })
        );
    }

    /// @dev A quote by the platform key for this chain.
    function _simulatedQuote(bytes32 measurement, bytes memory reportData, bool debug) internal view returns (bytes memory) {
        return _simulatedQuote(PLATFORM_KEY, block.chainid, measurement, reportData, debug);
    }

    /// @dev The registry's report data for a quote made over a block whose hash is `anchor`,
    /// computed from the documented encoding: the key binding, then the block hash.
    function _reportData(address signer, bytes32 hpkePublicKey, uint256 chainId, bytes32 anchor)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(keccak256(abi.encode(signer, hpkePublicKey, chainId)), anchor);
    }

    /// @dev The block a fresh quote is made over: the latest one before the registering call's.
    function _quoteBlock() internal view returns (uint256) {
        return block.number - 1;
    }

    /// @dev The report data of a fresh quote on this chain (over `_quoteBlock()`).
    function _freshReportData(address signer, bytes32 hpkePublicKey) internal view returns (bytes memory) {
        return _reportData(signer, hpkePublicKey, block.chainid, blockhash(_quoteBlock()));
    }
}
