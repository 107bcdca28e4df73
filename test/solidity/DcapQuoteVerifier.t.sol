// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IQuoteVerifier} from "../../contracts/interfaces/IQuoteVerifier.sol";
import {IDcapQuoteVerifier} from "../../contracts/interfaces/IDcapQuoteVerifier.sol";
import {IAutomataDcapAttestation} from "../../contracts/interfaces/external/IAutomataDcapAttestation.sol";
import {DcapQuoteVerifier} from "../../contracts/verifiers/DcapQuoteVerifier.sol";
import {MockAutomataDcapAttestation} from "../../contracts/mocks/MockAutomataDcapAttestation.sol";
import {TestBase} from "./utils/Vm.sol";
import {Td10OutputBuilder} from "./utils/Td10OutputBuilder.sol";

contract DcapQuoteVerifierTest is TestBase {
    using Td10OutputBuilder for Td10OutputBuilder.Td10Spec;

    address internal admin = address(0xAD);
    MockAutomataDcapAttestation internal automata;
    DcapQuoteVerifier internal verifier;
    bytes internal reportData;
    bytes internal constant QUOTE = hex"040002008100000000000000939a7233f79c4ca9940a0db3957f0607";

    function setUp() public {
        automata = new MockAutomataDcapAttestation();
        verifier = new DcapQuoteVerifier(admin, automata);
        reportData = bytes.concat(keccak256("binds signer, hpke key, chain"), bytes32(0));
    }

    // --- the builder against the byte offsets the issue states (v1.0 layout) ---

    function test_builder_v10_placesFieldsAtTheDocumentedOffsets() external view {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(7, reportData);
        s.debug = true;
        bytes memory out = s.build(Td10OutputBuilder.Layout.V10);
        assertEq(out.length, 597, "13-byte header + 584-byte body");
        assertEq(keccak256(this.slice(out, 2, 6)), keccak256(hex"00000081"), "tee = TDX");
        assertEq(uint8(out[133]), 1, "tdAttributes at 133, debug bit first");
        assertEq(keccak256(this.slice(out, 149, 197)), keccak256(s.mrTd), "MRTD at 149..197");
        assertEq(keccak256(this.slice(out, 341, 389)), keccak256(s.rtmr[0]), "RTMR0 at 341");
        assertEq(keccak256(this.slice(out, 389, 437)), keccak256(s.rtmr[1]), "RTMR1 at 389");
        assertEq(keccak256(this.slice(out, 437, 485)), keccak256(s.rtmr[2]), "RTMR2 at 437");
        assertEq(keccak256(this.slice(out, 485, 533)), keccak256(s.rtmr[3]), "RTMR3 at 485");
        assertEq(keccak256(this.slice(out, 533, 597)), keccak256(reportData), "reportData at 533..597");
    }

    function test_builder_v11_shiftsTheBodyByTwoAndAppendsAdvisories() external view {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(7, reportData);
        bytes memory out = s.build(Td10OutputBuilder.Layout.V11);
        assertGe(out.length, 595 + 64, "11-byte header + body + advisory tail");
        assertEq(uint16(bytes2(this.slice(out, 2, 4))), 2, "body type TD10");
        assertEq(keccak256(this.slice(out, 147, 195)), keccak256(s.mrTd), "MRTD at 147");
        assertEq(keccak256(this.slice(out, 531, 595)), keccak256(reportData), "reportData at 531..595");
    }

    // --- verifyQuote ---

    function test_verifyQuote_whenV10Output_returnsMeasurementAndReportData() external {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(1, reportData);
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V10));
        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(QUOTE);
        assertEq(v.measurement, s.measurement(), "measurement");
        assertEq(keccak256(v.reportData), keccak256(reportData), "reportData");
        assertTrue(v.tcbOk, "tcb OK");
        assertTrue(!v.debug, "not debug although SEPT_VE_DISABLE and seamAttributes bits are set");
        assertEq(keccak256(automata.lastQuote()), keccak256(QUOTE), "quote forwarded to Automata");
    }

    function test_verifyQuote_whenV11OutputWithAdvisories_returnsTheSameFacts() external {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(1, reportData);
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V11));
        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(QUOTE);
        assertEq(v.measurement, s.measurement(), "measurement");
        assertEq(keccak256(v.reportData), keccak256(reportData), "reportData");
        assertTrue(v.tcbOk && !v.debug, "ok, not debug");
    }

    function test_verifyQuote_whenDebugBitSet_reportsDebug() external {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(1, reportData);
        s.debug = true;
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V10));
        assertTrue(verifier.verifyQuote(QUOTE).debug, "v1.0 debug");
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V11));
        assertTrue(verifier.verifyQuote(QUOTE).debug, "v1.1 debug");
    }

    function test_verifyQuote_whenOtherTudBitsSet_isNotDebug() external {
        bytes memory out = Td10OutputBuilder.spec(1, reportData).build(Td10OutputBuilder.Layout.V10);
        out[133] = 0xFE; // every TUD bit but DEBUG
        automata.setResult(true, out);
        assertTrue(!verifier.verifyQuote(QUOTE).debug, "only bit 0 is debug");
    }

    function test_verifyQuote_whenTcbNotOk_reportsTcbNotOk() external {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(1, reportData);
        s.tcbStatus = 4; // OUT_OF_DATE
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V10));
        assertTrue(!verifier.verifyQuote(QUOTE).tcbOk, "v1.0 out of date");
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V11));
        assertTrue(!verifier.verifyQuote(QUOTE).tcbOk, "v1.1 out of date");
    }

    function test_verifyQuote_whenTcbStatusAllowedByRole_reportsTcbOk() external {
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(1, reportData);
        s.tcbStatus = 1; // SW_HARDENING_NEEDED
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V11));
        vm.prank(admin);
        verifier.setTcbStatusAllowed(1, true);
        assertTrue(verifier.verifyQuote(QUOTE).tcbOk, "allowed");
        vm.prank(admin);
        verifier.setTcbStatusAllowed(1, false);
        assertTrue(!verifier.verifyQuote(QUOTE).tcbOk, "disallowed again");
    }

    function test_verifyQuote_RevertWhen_AutomataRefusesTheQuote() external {
        bytes memory reason = bytes("Failed to verify X509 Chain");
        automata.setResult(false, reason);
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapVerificationFailed.selector, reason));
        verifier.verifyQuote(QUOTE);
    }

    function test_verifyQuote_RevertWhen_V10OutputIsShort() external {
        bytes memory out = Td10OutputBuilder.spec(1, reportData).build(Td10OutputBuilder.Layout.V10);
        automata.setResult(true, this.slice(out, 0, 596));
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapOutputTooShort.selector, 596, 597));
        verifier.verifyQuote(QUOTE);
    }

    function test_verifyQuote_RevertWhen_V11OutputIsShort() external {
        bytes memory out = Td10OutputBuilder.spec(1, reportData).build(Td10OutputBuilder.Layout.V11);
        automata.setResult(true, this.slice(out, 0, 594));
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapOutputTooShort.selector, 594, 595));
        verifier.verifyQuote(QUOTE);
    }

    function test_verifyQuote_RevertWhen_OutputHasNoHeader() external {
        automata.setResult(true, hex"0004000281");
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapOutputTooShort.selector, 5, 595));
        verifier.verifyQuote(QUOTE);
    }

    function test_verifyQuote_RevertWhen_BodyIsTd15() external {
        bytes memory out = Td10OutputBuilder.spec(1, reportData).build(Td10OutputBuilder.Layout.V11);
        out[3] = 0x03; // TD1.5 report body
        automata.setResult(true, out);
        vm.expectRevert(
            abi.encodeWithSelector(IDcapQuoteVerifier.DcapUnsupportedBodyType.selector, 4, bytes4(this.slice(out, 2, 6)))
        );
        verifier.verifyQuote(QUOTE);
    }

    function test_verifyQuote_RevertWhen_V10TeeIsSgx() external {
        bytes memory out = Td10OutputBuilder.spec(1, reportData).build(Td10OutputBuilder.Layout.V10);
        out[1] = 0x03; // a v3 SGX quote: tee 0x00000000
        out[5] = 0x00;
        automata.setResult(true, out);
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapUnsupportedBodyType.selector, 3, bytes4(0)));
        verifier.verifyQuote(QUOTE);
    }

    function test_isSimulated_returnsFalse() external view {
        assertTrue(!verifier.isSimulated(), "isSimulated");
    }

    // --- TCB status administration ---

    function test_setTcbStatusAllowed_whenProtocol_emitsAndStores() external {
        vm.expectEmit();
        emit IDcapQuoteVerifier.TcbStatusAllowed(3, true);
        vm.prank(admin);
        verifier.setTcbStatusAllowed(3, true);
        assertTrue(verifier.tcbStatusAllowed(3), "3 allowed");
        assertTrue(!verifier.tcbStatusAllowed(4), "4 untouched");
        assertTrue(verifier.tcbStatusAllowed(0), "0 always OK");
    }

    function test_setTcbStatusAllowed_RevertWhen_StatusIsOkOrRevoked() external {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapTcbStatusNotConfigurable.selector, 0));
        verifier.setTcbStatusAllowed(0, false);
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapTcbStatusNotConfigurable.selector, 6));
        verifier.setTcbStatusAllowed(6, true);
        vm.stopPrank();
    }

    function test_setTcbStatusAllowed_RevertWhen_CallerLacksProtocolRole() external {
        address stranger = address(0xBEEF);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, verifier.PROTOCOL_ROLE()
            )
        );
        vm.prank(stranger);
        verifier.setTcbStatusAllowed(1, true);
    }

    function test_constructor_RevertWhen_AddressIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapZeroAddress.selector));
        new DcapQuoteVerifier(address(0), automata);
        vm.expectRevert(abi.encodeWithSelector(IDcapQuoteVerifier.DcapZeroAddress.selector));
        new DcapQuoteVerifier(admin, IAutomataDcapAttestation(address(0)));
    }

    // --- parsing, fuzzed ---

    function testFuzz_parseOutput_readsEveryRegisterInBothLayouts(
        uint8 seed,
        bytes32 rdHigh,
        bytes32 rdLow,
        bool debug,
        uint8 tcbStatus,
        bool v11
    ) external view {
        bytes memory rd = bytes.concat(rdHigh, rdLow);
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(seed, rd);
        s.debug = debug;
        s.tcbStatus = tcbStatus;
        IDcapQuoteVerifier.Td10Facts memory f =
            verifier.parseOutput(s.build(v11 ? Td10OutputBuilder.Layout.V11 : Td10OutputBuilder.Layout.V10));
        assertEq(f.quoteVersion, 4, "version");
        assertEq(f.tcbStatus, tcbStatus, "tcbStatus");
        assertTrue(f.fmspc == s.fmspc, "fmspc");
        assertTrue(f.debug == debug, "debug");
        assertEq(f.measurement, s.measurement(), "measurement");
        assertEq(keccak256(f.mrTd), keccak256(s.mrTd), "mrTd");
        for (uint256 i; i < 4; ++i) assertEq(keccak256(f.rtmr[i]), keccak256(s.rtmr[i]), "rtmr");
        assertEq(keccak256(f.reportData), keccak256(rd), "reportData");
    }

    function testFuzz_measurement_changesWithAnyRegisterByte(uint256 register, uint256 index) external view {
        register = bound(register, 0, 4);
        index = bound(index, 0, 47);
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(9, reportData);
        bytes32 before = verifier.parseOutput(s.build(Td10OutputBuilder.Layout.V10)).measurement;
        bytes memory reg = register == 0 ? s.mrTd : s.rtmr[register - 1];
        reg[index] = bytes1(uint8(reg[index]) ^ 0x01);
        bytes32 afterFlip = verifier.parseOutput(s.build(Td10OutputBuilder.Layout.V10)).measurement;
        assertTrue(before != afterFlip, "a one-bit change in MRTD or any RTMR changes the measurement");
    }

    /// @dev Calldata slicing for assertions on built outputs.
    function slice(bytes calldata b, uint256 from, uint256 to) external pure returns (bytes memory) {
        return b[from:to];
    }
}
