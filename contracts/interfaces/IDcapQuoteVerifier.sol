// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IQuoteVerifier} from "./IQuoteVerifier.sol";
import {IAutomataDcapAttestation} from "./external/IAutomataDcapAttestation.sol";

/// @title IDcapQuoteVerifier
/// @notice Intel TDX quotes through Automata's on-chain DCAP verifier: the adapter verifies the
/// quote there, then reads the TD10 report body out of Automata's output.
/// @dev Automata's output (`serializeOutput`) has two published layouts; the adapter reads both
/// and tells them apart by bytes 2..6, which cannot collide:
///   v1.0 (13-byte header): uint16 quoteVersion ‖ bytes4 tee (0x00000081 = TDX) ‖ uint8 tcbStatus
///        ‖ bytes6 fmspc ‖ TD10 body. Body fields at output offsets: tdAttributes 133..141,
///        MRTD 149..197, RTMR0..3 at 341/389/437/485 (48 bytes each), reportData 533..597.
///   v1.1 (11-byte header): uint16 quoteVersion ‖ uint16 quoteBodyType (2 = TD10) ‖ uint8
///        tcbStatus ‖ bytes6 fmspc ‖ TD10 body ‖ abi.encode(string[] advisoryIDs) when any.
///        Every body offset is 2 lower (tdAttributes 131, MRTD 147, RTMR0 339, reportData 531).
/// TD10 report body (584 bytes, Intel TDX DCAP Quoting Library API A.3.2): teeTcbSvn 16, mrSeam
/// 48, mrSignerSeam 48, seamAttributes 8, tdAttributes 8, xfam 8, mrTd 48, mrConfigId 48,
/// mrOwner 48, mrOwnerConfig 48, rtmr0..3 4x48, reportData 64.
///
/// Measurement = keccak256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3). MRTD alone only names the
/// virtual firmware (TDVF); under dstack the firmware configuration and ACPI tables are measured
/// into RTMR0, the kernel into RTMR1, the kernel command line and initrd into RTMR2, and the
/// application itself (its docker-compose hash, app id and key-provider events) into RTMR3. Any
/// RTMR left out would let a different OS image or a different app run under an allowed
/// measurement. Where dstack also extends an instance id into RTMR3, each CVM instance has its
/// own measurement, which the protocol then allows one by one.
///
/// Debug = bit 0 of tdAttributes (TUD.DEBUG). The 8 bytes are little-endian, so it is the low
/// bit of the first byte. TCB status (Automata's TCBStatus enum): 0 OK, 1 SW_HARDENING_NEEDED,
/// 2 CONFIGURATION_AND_SW_HARDENING_NEEDED, 3 CONFIGURATION_NEEDED, 4 OUT_OF_DATE,
/// 5 OUT_OF_DATE_CONFIGURATION_NEEDED, 6 REVOKED, 7 UNRECOGNIZED. Only 0 is OK unless the
/// protocol role allows another value; REVOKED can never be allowed.
interface IDcapQuoteVerifier is IQuoteVerifier {
    /// @notice Automata refused the quote; `reason` is its output (a reason string as bytes).
    error DcapVerificationFailed(bytes reason);
    /// @notice The output is shorter than its header plus a TD10 body.
    error DcapOutputTooShort(uint256 length, uint256 required);
    /// @notice The output is neither a v1.0 TDX output nor a v1.1 TD10 output. `typeField` is
    /// output bytes 2..6 (v1.0: the TEE type; v1.1: body type, TCB status, first FMSPC byte).
    error DcapUnsupportedBodyType(uint16 quoteVersion, bytes4 typeField);
    /// @notice TCB status 0 is always OK and 6 (REVOKED) never is; neither can be configured.
    error DcapTcbStatusNotConfigurable(uint8 status);
    /// @notice A constructor address (admin or attestation contract) is zero.
    error DcapZeroAddress();

    /// @notice The protocol allowed or disallowed a non-OK TCB status.
    event TcbStatusAllowed(uint8 indexed status, bool allowed);

    /// @notice What the adapter reads from a TD10 output.
    /// @param measurement keccak256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3).
    /// @param debug bit 0 of tdAttributes.
    /// @param mrTd 48 bytes; rtmr: four times 48 bytes; reportData: 64 bytes.
    struct Td10Facts {
        uint16 quoteVersion;
        uint8 tcbStatus;
        bytes6 fmspc;
        bytes8 tdAttributes;
        bool debug;
        bytes32 measurement;
        bytes mrTd;
        bytes[4] rtmr;
        bytes reportData;
    }

    /// @notice Protocol role: accept (or stop accepting) quotes whose TCB status is `status`.
    function setTcbStatusAllowed(uint8 status, bool allowed) external;

    /// @notice Whether TCB status `status` counts as OK (0 always does).
    function tcbStatusAllowed(uint8 status) external view returns (bool);

    /// @notice Automata's attestation contract that quotes go through.
    function attestation() external view returns (IAutomataDcapAttestation);

    /// @notice Parse an Automata output (either layout) without verifying anything; reverts
    /// with DcapOutputTooShort or DcapUnsupportedBodyType.
    /// @dev External so that `verifyQuote` can read Automata's answer through calldata slices.
    function parseOutput(bytes calldata output) external pure returns (Td10Facts memory);
}
