// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IProofKeyRegistry} from "../../contracts/interfaces/IProofKeyRegistry.sol";
import {IQuoteVerifier} from "../../contracts/interfaces/IQuoteVerifier.sol";
import {ProofKeyRegistry} from "../../contracts/ProofKeyRegistry.sol";
import {SimulatedQuoteVerifier} from "../../contracts/verifiers/SimulatedQuoteVerifier.sol";
import {DcapQuoteVerifier} from "../../contracts/verifiers/DcapQuoteVerifier.sol";
import {MockAutomataDcapAttestation} from "../../contracts/mocks/MockAutomataDcapAttestation.sol";
import {SimulatedQuotes} from "./utils/SimulatedQuotes.sol";
import {Td10OutputBuilder} from "./utils/Td10OutputBuilder.sol";

contract ProofKeyRegistryTest is SimulatedQuotes {
    using Td10OutputBuilder for Td10OutputBuilder.Td10Spec;

    uint256 internal constant T0 = 1_800_000_000;
    bytes32 internal constant MEASUREMENT = keccak256("ingotforge-gateway v1");
    /// @dev A gateway's raw Ed25519 public key (any 32 bytes to the registry).
    bytes32 internal constant KEY = 0xabababababababababababababababababababababababababababababababab;

    address internal admin = address(0xAD);
    address internal stranger = address(0xBEEF);
    SimulatedQuoteVerifier internal simulated;
    ProofKeyRegistry internal registry;

    function setUp() public {
        vm.warp(T0);
        simulated = new SimulatedQuoteVerifier(vm.addr(PLATFORM_KEY));
        registry = new ProofKeyRegistry(admin, simulated);
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, true);
    }

    /// @dev The binding from its documented text, not from the registry's hex routine.
    function _binding() internal pure returns (bytes memory) {
        return abi.encodePacked(
            sha256("ingotforge.gateway.proof-key.v1:abababababababababababababababababababababababababababababababab"), bytes32(0)
        );
    }

    /// @dev Build quotes before `vm.expectRevert` / `vm.prank`: building one calls the sha256
    /// precompile, which would take the cheatcode's "next call".
    function _quote(bytes memory reportData) internal view returns (bytes memory) {
        return _simulatedQuote(MEASUREMENT, reportData, false);
    }

    // --- the binding ---

    function test_reportDataFor_isSha256OfTheTagAndTheLowercaseHexKey_then32ZeroBytes() external view {
        assertEq(keccak256(registry.reportDataFor(KEY)), keccak256(_binding()), "binding");
        assertEq(registry.reportDataFor(KEY).length, 64, "64 bytes");
        // Every hex digit appears in this one; the expected value is the SHA-256 of the documented text, written out.
        assertEq(
            bytes32(registry.reportDataFor(0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef)),
            sha256("ingotforge.gateway.proof-key.v1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "every hex digit"
        );
    }

    // --- registerProofKey ---

    function test_registerProofKey_whenTheQuoteBindsTheKey_storesItAsValid() external {
        bytes memory quote = _quote(_binding());
        vm.expectEmit();
        emit IProofKeyRegistry.ProofKeyRegistered(KEY, MEASUREMENT, true);
        vm.prank(stranger); // anyone may register: the quote is the authority
        bytes32 m = registry.registerProofKey(quote, KEY);
        assertEq(m, MEASUREMENT, "returned measurement");
        IProofKeyRegistry.ProofKey memory k = registry.proofKey(KEY);
        assertEq(k.measurement, MEASUREMENT, "measurement");
        assertEq(uint256(k.registeredAt), T0, "registeredAt");
        assertTrue(k.simulated, "simulated verifier");
        assertTrue(!k.revoked, "not revoked");
        assertTrue(registry.isValid(KEY), "valid");
    }

    function test_registerProofKey_again_refreshesRegisteredAt() external {
        registry.registerProofKey(_quote(_binding()), KEY);
        vm.warp(T0 + 1 days);
        registry.registerProofKey(_quote(_binding()), KEY);
        assertEq(uint256(registry.proofKey(KEY).registeredAt), T0 + 1 days, "refreshed");
    }

    function test_registerProofKey_RevertWhen_TheQuoteBindsAnotherKey() external {
        bytes memory other = registry.reportDataFor(bytes32(uint256(1)));
        bytes memory quote = _quote(other);
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyReportDataMismatch.selector, _binding(), other));
        registry.registerProofKey(quote, KEY);
    }

    function test_registerProofKey_RevertWhen_TheMeasurementIsNotAllowed() external {
        bytes32 unknown = keccak256("some other build");
        bytes memory quote = _simulatedQuote(unknown, _binding(), false);
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyMeasurementNotAllowed.selector, unknown));
        registry.registerProofKey(quote, KEY);
    }

    function test_registerProofKey_RevertWhen_TheEnclaveIsDebug() external {
        bytes memory quote = _simulatedQuote(MEASUREMENT, _binding(), true);
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyDebugRefused.selector, MEASUREMENT));
        registry.registerProofKey(quote, KEY);
    }

    function test_registerProofKey_RevertWhen_TheKeyIsZero() external {
        bytes memory quote = _quote(registry.reportDataFor(bytes32(0)));
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyZero.selector));
        registry.registerProofKey(quote, bytes32(0));
    }

    function test_registerProofKey_RevertWhen_TheQuoteIsNotSignedByThePlatform() external {
        bytes memory forged = _simulatedQuote(0xB0B, block.chainid, MEASUREMENT, _binding(), false);
        vm.expectRevert();
        registry.registerProofKey(forged, KEY);
        assertTrue(!registry.isValid(KEY), "not registered");
    }

    function test_registerProofKey_RevertWhen_TheTcbIsNotOk_throughDcap() external {
        MockAutomataDcapAttestation automata = new MockAutomataDcapAttestation();
        DcapQuoteVerifier dcap = new DcapQuoteVerifier(admin, automata);
        ProofKeyRegistry r = new ProofKeyRegistry(admin, dcap);
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(3, _binding());
        s.tcbStatus = 5; // OUT_OF_DATE_CONFIGURATION_NEEDED
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V10));
        bytes32 m = s.measurement();
        vm.prank(admin);
        r.setMeasurementAllowed(m, true);
        bytes memory anyQuote = hex"01"; // the mock answers the same output for any quote
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyTcbNotOk.selector, m));
        r.registerProofKey(anyQuote, KEY);
        // Once the protocol accepts that TCB status, the same quote registers, as not simulated.
        vm.prank(admin);
        dcap.setTcbStatusAllowed(5, true);
        r.registerProofKey(anyQuote, KEY);
        assertTrue(r.isValid(KEY) && !r.proofKey(KEY).simulated, "registered through DCAP");
    }

    // --- revocation and the allow-list ---

    function test_revokeProofKey_makesItInvalidForGood() external {
        registry.registerProofKey(_quote(_binding()), KEY);
        vm.expectEmit();
        emit IProofKeyRegistry.ProofKeyRevoked(KEY, MEASUREMENT);
        vm.prank(admin);
        registry.revokeProofKey(KEY);
        assertTrue(!registry.isValid(KEY), "invalid");
        bytes memory quote = _quote(_binding());
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyIsRevoked.selector, KEY));
        registry.registerProofKey(quote, KEY);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyIsRevoked.selector, KEY));
        registry.revokeProofKey(KEY);
    }

    function test_revokeProofKey_RevertWhen_UnknownOrNotTheProtocol() external {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyUnknown.selector, KEY));
        registry.revokeProofKey(KEY);
        registry.registerProofKey(_quote(_binding()), KEY);
        bytes memory unauthorized = _unauthorized(stranger);
        vm.prank(stranger);
        vm.expectRevert(unauthorized);
        registry.revokeProofKey(KEY);
    }

    function test_setMeasurementAllowed_false_invalidatesItsKeys_andOnlyTheProtocolMaySetIt() external {
        registry.registerProofKey(_quote(_binding()), KEY);
        bytes memory unauthorized = _unauthorized(stranger);
        vm.prank(stranger);
        vm.expectRevert(unauthorized);
        registry.setMeasurementAllowed(MEASUREMENT, false);
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, false);
        assertTrue(!registry.isValid(KEY), "invalid once its build is disallowed");
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, true);
        assertTrue(registry.isValid(KEY), "valid again");
    }

    function test_constructor_RevertWhen_AdminOrVerifierIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyRegistryZeroAddress.selector));
        new ProofKeyRegistry(address(0), simulated);
        vm.expectRevert(abi.encodeWithSelector(IProofKeyRegistry.ProofKeyRegistryZeroAddress.selector));
        new ProofKeyRegistry(admin, IQuoteVerifier(address(0)));
    }

    function testFuzz_registerProofKey_whenTheQuoteBindsTheKey_registersIt(bytes32 key) external {
        if (key == bytes32(0)) key = bytes32(uint256(1));
        registry.registerProofKey(_quote(registry.reportDataFor(key)), key);
        assertTrue(registry.isValid(key), "valid");
    }

    function _unauthorized(address who) internal view returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, who, registry.PROTOCOL_ROLE());
    }
}
