// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDcapQuoteVerifier} from "../interfaces/IDcapQuoteVerifier.sol";

/// @title Td10Output
/// @notice Reads a TDX TD10 report out of Automata's DCAP output, in either published layout
/// (IDcapQuoteVerifier documents both and the measurement).
library Td10Output {
    /// @notice v1.0 header: uint16 version ‖ bytes4 tee ‖ uint8 tcbStatus ‖ bytes6 fmspc.
    uint256 internal constant V10_HEADER_LENGTH = 13;
    /// @notice v1.1 header: uint16 version ‖ uint16 bodyType ‖ uint8 tcbStatus ‖ bytes6 fmspc.
    uint256 internal constant V11_HEADER_LENGTH = 11;
    uint256 internal constant TD10_BODY_LENGTH = 584;
    bytes4 internal constant TDX_TEE = 0x00000081;
    uint16 internal constant BODY_TYPE_TD10 = 2;

    // Offsets inside the TD10 body.
    uint256 internal constant TD_ATTRIBUTES = 120;
    uint256 internal constant MR_TD = 136;
    uint256 internal constant RTMR0 = 328;
    uint256 internal constant REPORT_DATA = 520;
    uint256 internal constant MR_LENGTH = 48;
    uint256 internal constant REPORT_DATA_LENGTH = 64;

    /// @notice Parse `output`; reverts when it is too short or not a TDX TD10 output.
    function parse(bytes calldata output) internal pure returns (IDcapQuoteVerifier.Td10Facts memory f) {
        // Bytes 0..6 are enough to tell the layouts apart.
        if (output.length < 6) revert IDcapQuoteVerifier.DcapOutputTooShort(output.length, V11_HEADER_LENGTH + TD10_BODY_LENGTH);
        f.quoteVersion = uint16(bytes2(output[0:2]));
        uint256 header;
        if (uint16(bytes2(output[2:4])) == BODY_TYPE_TD10) {
            header = V11_HEADER_LENGTH;
        } else if (bytes4(output[2:6]) == TDX_TEE) {
            header = V10_HEADER_LENGTH;
        } else {
            revert IDcapQuoteVerifier.DcapUnsupportedBodyType(f.quoteVersion, bytes4(output[2:6]));
        }
        uint256 required = header + TD10_BODY_LENGTH;
        if (output.length < required) revert IDcapQuoteVerifier.DcapOutputTooShort(output.length, required);

        f.tcbStatus = uint8(output[header - 7]);
        f.fmspc = bytes6(output[header - 6:header]);
        f.tdAttributes = bytes8(output[header + TD_ATTRIBUTES:header + TD_ATTRIBUTES + 8]);
        // TUD.DEBUG is bit 0 of the little-endian attributes: the low bit of their first byte.
        f.debug = uint8(f.tdAttributes[0]) & 1 == 1;
        f.mrTd = output[header + MR_TD:header + MR_TD + MR_LENGTH];
        for (uint256 i; i < 4; ++i) {
            uint256 at = header + RTMR0 + i * MR_LENGTH;
            f.rtmr[i] = output[at:at + MR_LENGTH];
        }
        f.measurement = keccak256(bytes.concat(f.mrTd, f.rtmr[0], f.rtmr[1], f.rtmr[2], f.rtmr[3]));
        f.reportData = output[header + REPORT_DATA:header + REPORT_DATA + REPORT_DATA_LENGTH];
    }
}
