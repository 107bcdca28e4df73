// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAutomataDcapAttestation} from "../interfaces/external/IAutomataDcapAttestation.sol";

/// @notice Test double of Automata's DCAP attestation: returns whatever (success, output) it was
/// given and records the last quote, so tests can drive the adapter with outputs built to layout.
contract MockAutomataDcapAttestation is IAutomataDcapAttestation {
    bool public success;
    bytes public output;
    bytes public lastQuote;
    uint256 public calls;

    function setResult(bool success_, bytes calldata output_) external {
        success = success_;
        output = output_;
    }

    function verifyAndAttestOnChain(bytes calldata rawQuote) external payable returns (bool, bytes memory) {
        lastQuote = rawQuote;
        ++calls;
        return (success, output);
    }
}
