// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IQuoteVerifier} from "../interfaces/IQuoteVerifier.sol";
import {ISimulatedQuoteVerifier} from "../interfaces/ISimulatedQuoteVerifier.sol";

/// @title SimulatedQuoteVerifier
/// @notice Development-chain quote verifier. Its platform key is PUBLIC
/// (`keccak256("ingotforge.simulated-platform.v1")`): see ISimulatedQuoteVerifier for the exact
/// encoding, and never deploy it where attestation matters (it refuses any chain but 31337).
contract SimulatedQuoteVerifier is ISimulatedQuoteVerifier {
    /// @notice The only chain this verifier runs on (Hardhat's default chain id).
    uint256 public constant SIMULATION_CHAIN_ID = 31337;
    /// @notice Domain tag of the signed digest; bump the version if the encoding ever changes.
    string public constant QUOTE_DOMAIN = "IngotForge simulated TDX quote v1";

    /// @inheritdoc ISimulatedQuoteVerifier
    address public immutable platformSigner;

    constructor(address platformSigner_) {
        _onlySimulationChain();
        if (platformSigner_ == address(0)) revert SimulatedQuoteZeroSigner();
        platformSigner = platformSigner_;
    }

    /// @inheritdoc IQuoteVerifier
    function verifyQuote(bytes calldata quote) external view returns (VerifiedQuote memory) {
        _onlySimulationChain();
        SimulatedQuote memory q;
        try this.decodeQuote(quote) returns (SimulatedQuote memory decoded) {
            q = decoded;
        } catch {
            revert SimulatedQuoteMalformed(quote.length);
        }
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(_digest(q.measurement, q.reportData, q.debug));
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, q.signature);
        if (err != ECDSA.RecoverError.NoError || recovered != platformSigner) {
            revert SimulatedQuoteBadSignature(recovered, platformSigner);
        }
        // A simulated platform has no TCB to be out of date.
        return VerifiedQuote({measurement: q.measurement, reportData: q.reportData, tcbOk: true, debug: q.debug});
    }

    /// @inheritdoc IQuoteVerifier
    function isSimulated() external pure returns (bool) {
        return true;
    }

    /// @inheritdoc ISimulatedQuoteVerifier
    function quoteDigest(bytes32 measurement, bytes calldata reportData, bool debug) external view returns (bytes32) {
        return _digest(measurement, reportData, debug);
    }

    /// @inheritdoc ISimulatedQuoteVerifier
    function decodeQuote(bytes calldata quote) external pure returns (SimulatedQuote memory) {
        return abi.decode(quote, (SimulatedQuote));
    }

    function _digest(bytes32 measurement, bytes memory reportData, bool debug) private view returns (bytes32) {
        return keccak256(abi.encode(QUOTE_DOMAIN, block.chainid, measurement, keccak256(reportData), debug));
    }

    function _onlySimulationChain() private view {
        if (block.chainid != SIMULATION_CHAIN_ID) revert SimulatedQuoteWrongChain(block.chainid);
    }
}
