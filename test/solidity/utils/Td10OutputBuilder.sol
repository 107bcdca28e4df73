// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Builds Automata DCAP outputs for a TDX TD10 quote, byte for byte, in either layout
/// (v1.0: 13-byte header with bytes4 tee; v1.1: 11-byte header with uint16 body type and an
/// advisory-ID tail). Every field the adapter must NOT read is filled with 0xFF, so a parser that
/// reads at a wrong offset sees the debug bit set, a wrong measurement or wrong report data.
library Td10OutputBuilder {
    enum Layout {
        V10,
        V11
    }

    struct Td10Spec {
        uint16 quoteVersion;
        uint8 tcbStatus;
        bytes6 fmspc;
        bool debug;
        bytes mrTd; // 48
        bytes[4] rtmr; // 4 x 48
        bytes reportData; // 64
    }

    uint256 internal constant BODY_LENGTH = 584;

    /// @notice A spec with distinct, recognisable registers derived from `seed`.
    function spec(uint256 seed, bytes memory reportData) internal pure returns (Td10Spec memory s) {
        s.quoteVersion = 4;
        s.fmspc = bytes6(0x00806f050000);
        s.mrTd = filled(48, uint8(seed));
        for (uint256 i; i < 4; ++i) s.rtmr[i] = filled(48, uint8(seed + i + 1));
        s.reportData = reportData;
    }

    function measurement(Td10Spec memory s) internal pure returns (bytes32) {
        return keccak256(bytes.concat(s.mrTd, s.rtmr[0], s.rtmr[1], s.rtmr[2], s.rtmr[3]));
    }

    function build(Td10Spec memory s, Layout layout) internal pure returns (bytes memory) {
        bytes memory body = body10(s);
        if (layout == Layout.V10) {
            return abi.encodePacked(s.quoteVersion, bytes4(0x00000081), s.tcbStatus, s.fmspc, body);
        }
        string[] memory advisories = new string[](2);
        advisories[0] = "INTEL-SA-00837";
        advisories[1] = "INTEL-SA-00960";
        return abi.encodePacked(s.quoteVersion, uint16(2), s.tcbStatus, s.fmspc, body, abi.encode(advisories));
    }

    /// @notice The 584-byte TD10 report body.
    function body10(Td10Spec memory s) internal pure returns (bytes memory b) {
        b = filled(BODY_LENGTH, 0xFF);
        // tdAttributes (120..128): little-endian; only bit 0 of byte 0 is TUD.DEBUG. Set
        // SEPT_VE_DISABLE (bit 28) as real dstack TDs do, so the parser must isolate bit 0.
        for (uint256 i = 120; i < 128; ++i) b[i] = 0;
        b[120] = s.debug ? bytes1(0x01) : bytes1(0x00);
        b[123] = 0x10;
        _put(b, 136, s.mrTd, 48);
        for (uint256 i; i < 4; ++i) _put(b, 328 + 48 * i, s.rtmr[i], 48);
        _put(b, 520, s.reportData, 64);
    }

    function filled(uint256 length, uint8 value) internal pure returns (bytes memory b) {
        b = new bytes(length);
        for (uint256 i; i < length; ++i) b[i] = bytes1(value);
    }

    function _put(bytes memory b, uint256 at, bytes memory field, uint256 length) private pure {
        require(field.length == length, "Td10OutputBuilder: field length");
        for (uint256 i; i < length; ++i) b[at + i] = field[i];
    }
}
