// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IQuoteVerifier} from "../interfaces/IQuoteVerifier.sol";
import {IDcapQuoteVerifier} from "../interfaces/IDcapQuoteVerifier.sol";
import {IAutomataDcapAttestation} from "../interfaces/external/IAutomataDcapAttestation.sol";
import {Td10Output} from "../libraries/Td10Output.sol";

/// @title DcapQuoteVerifier
/// @notice Intel TDX quotes through Automata's on-chain DCAP verifier (about 4-5M gas a quote,
/// paid once per enclave key by the registry's design).
contract DcapQuoteVerifier is IDcapQuoteVerifier, AccessControl {
    bytes32 public constant PROTOCOL_ROLE = keccak256("PROTOCOL_ROLE");
    uint8 public constant TCB_STATUS_OK = 0;
    uint8 public constant TCB_STATUS_REVOKED = 6;

    /// @inheritdoc IDcapQuoteVerifier
    IAutomataDcapAttestation public immutable attestation;

    mapping(uint8 status => bool) private _tcbStatusAllowed;

    constructor(address admin, IAutomataDcapAttestation attestation_) {
        if (admin == address(0) || address(attestation_) == address(0)) revert DcapZeroAddress();
        attestation = attestation_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PROTOCOL_ROLE, admin);
    }

    /// @inheritdoc IQuoteVerifier
    function verifyQuote(bytes calldata quote) external returns (VerifiedQuote memory) {
        (bool success, bytes memory output) = attestation.verifyAndAttestOnChain(quote);
        if (!success) revert DcapVerificationFailed(output);
        Td10Facts memory f = this.parseOutput(output);
        return VerifiedQuote({
            measurement: f.measurement,
            reportData: f.reportData,
            tcbOk: tcbStatusAllowed(f.tcbStatus),
            debug: f.debug
        });
    }

    /// @inheritdoc IQuoteVerifier
    function isSimulated() external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IDcapQuoteVerifier
    function setTcbStatusAllowed(uint8 status, bool allowed) external onlyRole(PROTOCOL_ROLE) {
        if (status == TCB_STATUS_OK || status == TCB_STATUS_REVOKED) revert DcapTcbStatusNotConfigurable(status);
        _tcbStatusAllowed[status] = allowed;
        emit TcbStatusAllowed(status, allowed);
    }

    /// @inheritdoc IDcapQuoteVerifier
    function tcbStatusAllowed(uint8 status) public view returns (bool) {
        return status == TCB_STATUS_OK || _tcbStatusAllowed[status];
    }

    /// @inheritdoc IDcapQuoteVerifier
    function parseOutput(bytes calldata output) external pure returns (Td10Facts memory) {
        return Td10Output.parse(output);
    }
}
