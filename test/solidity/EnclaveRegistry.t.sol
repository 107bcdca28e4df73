// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IEnclaveRegistry} from "../../contracts/interfaces/IEnclaveRegistry.sol";
import {IQuoteVerifier} from "../../contracts/interfaces/IQuoteVerifier.sol";
import {ISimulatedQuoteVerifier} from "../../contracts/interfaces/ISimulatedQuoteVerifier.sol";
import {EnclaveRegistry} from "../../contracts/EnclaveRegistry.sol";
import {SimulatedQuoteVerifier} from "../../contracts/verifiers/SimulatedQuoteVerifier.sol";
import {DcapQuoteVerifier} from "../../contracts/verifiers/DcapQuoteVerifier.sol";
import {MockAutomataDcapAttestation} from "../../contracts/mocks/MockAutomataDcapAttestation.sol";
import {SimulatedQuotes} from "./utils/SimulatedQuotes.sol";
import {Td10OutputBuilder} from "./utils/Td10OutputBuilder.sol";

contract EnclaveRegistryTest is SimulatedQuotes {
    using Td10OutputBuilder for Td10OutputBuilder.Td10Spec;

    uint64 internal constant TTL = 30 days;
    uint256 internal constant T0 = 1_800_000_000;
    uint256 internal constant B0 = 20_000_000;
    /// @dev 12-second blocks: 7,200 a day.
    uint256 internal constant BLOCKS_PER_DAY = 7_200;
    bytes32 internal constant MEASUREMENT = keccak256("ingotforge-eval-enclave v1");
    bytes32 internal constant HPKE = bytes32(uint256(0x4850_4b45));

    address internal admin = address(0xAD);
    address internal stranger = address(0xBEEF);
    address internal signer;
    SimulatedQuoteVerifier internal simulated;
    EnclaveRegistry internal registry;

    function setUp() public {
        vm.warp(T0);
        vm.roll(B0);
        signer = vm.addr(0x5161);
        simulated = new SimulatedQuoteVerifier(vm.addr(PLATFORM_KEY));
        registry = new EnclaveRegistry(admin, simulated, TTL);
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, true);
    }

    function _quoteFor(address who, bytes32 hpke) internal view returns (bytes memory) {
        return _simulatedQuote(MEASUREMENT, _freshReportData(who, hpke), false);
    }

    function _register() internal returns (uint64) {
        return registry.registerEnclave(_quoteFor(signer, HPKE), signer, HPKE, _quoteBlock());
    }

    // --- constructor and roles ---

    function test_constructor_grantsAdminAndProtocolRolesToAdmin() external view {
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin), "admin role");
        assertTrue(registry.hasRole(registry.PROTOCOL_ROLE(), admin), "protocol role");
        assertEq(registry.PROTOCOL_ROLE(), keccak256("PROTOCOL_ROLE"), "role id");
        assertEq(address(registry.verifier()), address(simulated), "verifier");
        assertEq(registry.ttl(), TTL, "ttl");
    }

    function test_constructor_RevertWhen_TtlIsZeroOrAboveMax() external {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveBadTtl.selector, 0));
        new EnclaveRegistry(admin, simulated, 0);
        uint64 tooLong = 365 days + 1;
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveBadTtl.selector, tooLong));
        new EnclaveRegistry(admin, simulated, tooLong);
    }

    function test_constructor_RevertWhen_AdminOrVerifierIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveZeroAddress.selector));
        new EnclaveRegistry(address(0), simulated, TTL);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveZeroAddress.selector));
        new EnclaveRegistry(admin, IQuoteVerifier(address(0)), TTL);
    }

    // --- registerEnclave ---

    function test_registerEnclave_whenQuoteBindsSignerAndKey_storesTheEnclave() external {
        vm.expectEmit();
        emit IEnclaveRegistry.EnclaveRegistered(signer, MEASUREMENT, HPKE, uint64(T0) + TTL, true);
        uint64 expiresAt = _register();

        assertEq(expiresAt, T0 + TTL, "returned expiry");
        IEnclaveRegistry.Enclave memory e = registry.enclave(signer);
        assertEq(e.measurement, MEASUREMENT, "measurement");
        assertEq(e.hpkePublicKey, HPKE, "hpke key");
        assertEq(e.registeredAt, T0, "registeredAt");
        assertEq(e.expiresAt, T0 + TTL, "expiresAt");
        assertTrue(!e.revoked, "not revoked");
        assertTrue(e.simulated, "simulated");
        assertTrue(registry.isValid(signer), "valid");
    }

    function test_registerEnclave_whenAnyoneSubmits_theQuoteIsTheAuthority() external {
        vm.prank(stranger);
        _register();
        assertTrue(registry.isValid(signer), "valid");
    }

    function test_registerEnclave_RevertWhen_SignerIsZero() external {
        bytes memory quote = _quoteFor(address(0), HPKE);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveZeroSigner.selector));
        registry.registerEnclave(quote, address(0), HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_ReportDataIsForAnotherSigner() external {
        address other = vm.addr(0x0123);
        bytes memory quote = _quoteFor(other, HPKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveReportDataMismatch.selector,
                _freshReportData(signer, HPKE),
                _freshReportData(other, HPKE)
            )
        );
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_ReportDataIsForAnotherHpkeKey() external {
        bytes32 otherKey = bytes32(uint256(0xF00D));
        bytes memory quote = _quoteFor(signer, otherKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveReportDataMismatch.selector,
                _freshReportData(signer, HPKE),
                _freshReportData(signer, otherKey)
            )
        );
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_ReportDataIsForAnotherChain() external {
        bytes memory foreign = _reportData(signer, HPKE, 1, blockhash(_quoteBlock()));
        bytes memory quote = _simulatedQuote(MEASUREMENT, foreign, false);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveReportDataMismatch.selector, _freshReportData(signer, HPKE), foreign
            )
        );
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_ReportDataEndsInAnotherWordThanTheQuoteBlocksHash() external {
        bytes memory expected = _freshReportData(signer, HPKE);
        bytes memory tampered = bytes.concat(keccak256(abi.encode(signer, HPKE, block.chainid)), bytes32(uint256(1)));
        bytes memory quote = _simulatedQuote(MEASUREMENT, tampered, false);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveReportDataMismatch.selector, expected, tampered));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_MeasurementIsNotAllowed() external {
        bytes32 unknown = keccak256("unreviewed build");
        bytes memory quote = _simulatedQuote(unknown, _freshReportData(signer, HPKE), false);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementNotAllowed.selector, unknown));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_EnclaveIsDebug() external {
        bytes memory quote = _simulatedQuote(MEASUREMENT, _freshReportData(signer, HPKE), true);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveDebugRefused.selector, MEASUREMENT));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_PlatformSignatureIsBad() external {
        uint256 forger = 0xBAD;
        bytes memory quote =
            _simulatedQuote(forger, block.chainid, MEASUREMENT, _freshReportData(signer, HPKE), false);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, vm.addr(forger), vm.addr(PLATFORM_KEY)
            )
        );
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_ChainIsNotHardhat() external {
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.chainId(10);
        vm.expectRevert(abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteWrongChain.selector, 10));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_RevertWhen_AlreadyRegisteredAndUnexpired() external {
        uint64 expiresAt = _register();
        vm.warp(expiresAt - 1);
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveAlreadyRegistered.selector, signer, expiresAt));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_whenExpired_renewsFromAFreshQuoteWithTheQuotedKey() external {
        uint64 firstExpiry = _register();
        vm.warp(firstExpiry);
        vm.roll(block.number + 30 * BLOCKS_PER_DAY);
        bytes32 newHpke = bytes32(uint256(0xCAFE));
        vm.expectEmit();
        emit IEnclaveRegistry.EnclaveRegistered(signer, MEASUREMENT, newHpke, firstExpiry + TTL, true);
        uint64 renewed = registry.registerEnclave(_quoteFor(signer, newHpke), signer, newHpke, _quoteBlock());

        assertEq(renewed, firstExpiry + TTL, "new expiry");
        IEnclaveRegistry.Enclave memory e = registry.enclave(signer);
        assertEq(e.hpkePublicKey, newHpke, "hpke key replaced");
        assertEq(e.registeredAt, firstExpiry, "registeredAt moved");
        assertTrue(registry.isValid(signer), "valid again");
    }

    function test_registerEnclave_whenRenewingAfterTheMeasurementWasDisallowed_reverts() external {
        uint64 expiresAt = _register();
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, false);
        vm.warp(expiresAt);
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveMeasurementNotAllowed.selector, MEASUREMENT));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_whenMeasurementDisallowedBeforeExpiry_movesToAnAllowedBuild() external {
        uint64 firstExpiry = _register();
        bytes32 fixedBuild = keccak256("ingotforge-eval-enclave v1.0.1");
        vm.startPrank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, false);
        registry.setMeasurementAllowed(fixedBuild, true);
        vm.stopPrank();
        vm.warp(firstExpiry - 1 days);

        bytes memory quote = _simulatedQuote(fixedBuild, _freshReportData(signer, HPKE), false);
        uint64 expiresAt = registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
        assertEq(expiresAt, block.timestamp + TTL, "fresh expiry");
        assertEq(registry.enclave(signer).measurement, fixedBuild, "new measurement");
        assertTrue(registry.isValid(signer), "valid under the new build");
    }

    function test_registerEnclave_RevertWhen_KeyWasRevokedEvenAfterExpiry() external {
        uint64 expiresAt = _register();
        vm.prank(admin);
        registry.revokeEnclave(signer);
        vm.warp(expiresAt + 1);
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyRevoked.selector, signer));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    // --- freshness (issue 23, F7) ---

    function test_registerEnclave_RevertWhen_AStrangerRenewsAnExpiredKeyFromIts400DayOldQuote() external {
        uint256 oldBlock = _quoteBlock();
        bytes memory oldReportData = _freshReportData(signer, HPKE);
        bytes memory oldQuote = _simulatedQuote(MEASUREMENT, oldReportData, false);
        registry.registerEnclave(oldQuote, signer, HPKE, oldBlock);
        vm.warp(T0 + 400 days);
        vm.roll(block.number + 400 * BLOCKS_PER_DAY);
        assertTrue(!registry.isValid(signer), "expired");

        // Naming the quote's own block: too old for blockhash.
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, oldBlock, block.number));
        vm.prank(stranger);
        registry.registerEnclave(oldQuote, signer, HPKE, oldBlock);

        // Naming a recent block: the old quote does not commit to its hash.
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveReportDataMismatch.selector,
                _freshReportData(signer, HPKE),
                oldReportData
            )
        );
        vm.prank(stranger);
        registry.registerEnclave(oldQuote, signer, HPKE, _quoteBlock());
        assertTrue(!registry.isValid(signer), "still expired");
    }

    function test_registerEnclave_whenTheQuoteBlockIs256BlocksBack_registers_andAt257_reverts() external {
        uint256 quoteBlock = _quoteBlock();
        bytes memory quote = _quoteFor(signer, HPKE);
        uint256 snapshotBlock = block.number;

        vm.roll(quoteBlock + 257);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, quoteBlock, quoteBlock + 257));
        registry.registerEnclave(quote, signer, HPKE, quoteBlock);

        vm.roll(quoteBlock + 256);
        registry.registerEnclave(quote, signer, HPKE, quoteBlock);
        assertTrue(registry.isValid(signer), "registered at the edge of the window");
        assertTrue(snapshotBlock <= block.number, "time moved forward");
    }

    function test_registerEnclave_RevertWhen_TheQuoteBlockIsTheCurrentOrAFutureBlock() external {
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, block.number, block.number));
        registry.registerEnclave(quote, signer, HPKE, block.number);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, block.number + 1, block.number));
        registry.registerEnclave(quote, signer, HPKE, block.number + 1);
    }

    function test_registerEnclave_RevertWhen_TheQuoteCarriesTheOldZeroTail() external {
        bytes memory unanchored = _reportData(signer, HPKE, block.chainid, bytes32(0));
        bytes memory quote = _simulatedQuote(MEASUREMENT, unanchored, false);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.EnclaveReportDataMismatch.selector, _freshReportData(signer, HPKE), unanchored)
        );
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
        // Nor with a block whose hash the EVM no longer knows (blockhash reads as zero there).
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, 0, block.number));
        registry.registerEnclave(quote, signer, HPKE, 0);
    }

    function test_registerEnclave_RevertWhen_RenewingBeforeExpiryWithAFreshQuote() external {
        uint64 expiresAt = _register();
        vm.warp(expiresAt - 1);
        vm.roll(block.number + 1_000);
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveAlreadyRegistered.selector, signer, expiresAt));
        registry.registerEnclave(quote, signer, HPKE, _quoteBlock());
    }

    function testFuzz_registerEnclave_RevertWhen_TheQuoteBlockIsOutsideTheWindow(uint256 age) external {
        age = bound(age, 257, 10 * 365 * BLOCKS_PER_DAY);
        uint256 quoteBlock = _quoteBlock();
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.roll(quoteBlock + age);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, quoteBlock, quoteBlock + age));
        registry.registerEnclave(quote, signer, HPKE, quoteBlock);
    }

    function testFuzz_registerEnclave_whenTheQuoteBlockIsInTheWindow_registers(uint256 age) external {
        age = bound(age, 1, 256);
        uint256 quoteBlock = _quoteBlock();
        bytes memory quote = _quoteFor(signer, HPKE);
        vm.roll(quoteBlock + age);
        registry.registerEnclave(quote, signer, HPKE, quoteBlock);
        assertTrue(registry.isValid(signer), "valid");
    }

    // --- TCB, through the DCAP adapter ---

    function test_registerEnclave_RevertWhen_TcbIsNotOk() external {
        (EnclaveRegistry dcapRegistry,,, bytes32 m) = _dcapSetup(5); // OUT_OF_DATE_CONFIGURATION_NEEDED
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveTcbNotOk.selector, m));
        dcapRegistry.registerEnclave(hex"01", signer, HPKE, _quoteBlock());
    }

    function test_registerEnclave_whenTcbStatusAllowedByRole_registersAsNotSimulated() external {
        (EnclaveRegistry dcapRegistry,, DcapQuoteVerifier dcap, bytes32 m) = _dcapSetup(5);
        vm.prank(admin);
        dcap.setTcbStatusAllowed(5, true);
        dcapRegistry.registerEnclave(hex"01", signer, HPKE, _quoteBlock());
        IEnclaveRegistry.Enclave memory e = dcapRegistry.enclave(signer);
        assertEq(e.measurement, m, "TDX measurement");
        assertTrue(!e.simulated, "not simulated");
        assertTrue(dcapRegistry.isValid(signer), "valid");
    }

    function test_registerEnclave_RevertWhen_TdIsDebugThroughDcap() external {
        (EnclaveRegistry dcapRegistry, MockAutomataDcapAttestation automata,, bytes32 m) = _dcapSetup(0);
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(3, _freshReportData(signer, HPKE));
        s.debug = true;
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V11));
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveDebugRefused.selector, m));
        dcapRegistry.registerEnclave(hex"01", signer, HPKE, _quoteBlock());
    }

    function _dcapSetup(uint8 tcbStatus)
        internal
        returns (EnclaveRegistry r, MockAutomataDcapAttestation automata, DcapQuoteVerifier dcap, bytes32 m)
    {
        automata = new MockAutomataDcapAttestation();
        dcap = new DcapQuoteVerifier(admin, automata);
        r = new EnclaveRegistry(admin, dcap, TTL);
        Td10OutputBuilder.Td10Spec memory s = Td10OutputBuilder.spec(3, _freshReportData(signer, HPKE));
        s.tcbStatus = tcbStatus;
        automata.setResult(true, s.build(Td10OutputBuilder.Layout.V10));
        m = s.measurement();
        vm.prank(admin);
        r.setMeasurementAllowed(m, true);
    }

    // --- validity ---

    function test_isValid_whenExpiryReached_returnsFalse() external {
        uint64 expiresAt = _register();
        vm.warp(expiresAt - 1);
        assertTrue(registry.isValid(signer), "valid one second before");
        vm.warp(expiresAt);
        assertTrue(!registry.isValid(signer), "invalid at expiry");
    }

    function test_isValid_whenUnknown_returnsFalse() external view {
        assertTrue(!registry.isValid(signer), "unknown");
        assertEq(registry.enclave(signer).expiresAt, 0, "zero record");
    }

    function test_isValid_whenMeasurementDisallowed_returnsFalseUntilAllowedAgain() external {
        _register();
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, false);
        assertTrue(!registry.isValid(signer), "disallowed");
        vm.prank(admin);
        registry.setMeasurementAllowed(MEASUREMENT, true);
        assertTrue(registry.isValid(signer), "allowed again");
    }

    // --- revokeEnclave ---

    function test_revokeEnclave_whenProtocol_invalidatesTheKey() external {
        _register();
        vm.expectEmit();
        emit IEnclaveRegistry.EnclaveRevoked(signer, MEASUREMENT);
        vm.prank(admin);
        registry.revokeEnclave(signer);
        assertTrue(!registry.isValid(signer), "invalid");
        assertTrue(registry.enclave(signer).revoked, "revoked flag");
    }

    function test_revokeEnclave_RevertWhen_SignerUnknown() external {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveUnknown.selector, signer));
        vm.prank(admin);
        registry.revokeEnclave(signer);
    }

    function test_revokeEnclave_RevertWhen_AlreadyRevoked() external {
        _register();
        vm.startPrank(admin);
        registry.revokeEnclave(signer);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveKeyRevoked.selector, signer));
        registry.revokeEnclave(signer);
        vm.stopPrank();
    }

    function test_revokeEnclave_RevertWhen_CallerLacksProtocolRole() external {
        _register();
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.revokeEnclave(signer);
    }

    // --- protocol settings ---

    function test_setMeasurementAllowed_whenProtocol_emitsAndStores() external {
        bytes32 m = keccak256("v2");
        vm.expectEmit();
        emit IEnclaveRegistry.MeasurementAllowed(m, true);
        vm.prank(admin);
        registry.setMeasurementAllowed(m, true);
        assertTrue(registry.measurementAllowed(m), "allowed");
    }

    function test_setMeasurementAllowed_RevertWhen_CallerLacksProtocolRole() external {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.setMeasurementAllowed(keccak256("v2"), true);
    }

    function test_setTtl_whenProtocol_appliesToLaterRegistrationsOnly() external {
        uint64 firstExpiry = _register();
        vm.expectEmit();
        emit IEnclaveRegistry.TtlChanged(1 days);
        vm.prank(admin);
        registry.setTtl(1 days);
        assertEq(registry.enclave(signer).expiresAt, firstExpiry, "existing expiry kept");

        address second = vm.addr(0x5162);
        uint64 secondExpiry = registry.registerEnclave(_quoteFor(second, HPKE), second, HPKE, _quoteBlock());
        assertEq(secondExpiry, block.timestamp + 1 days, "new ttl used");
    }

    function test_setTtl_RevertWhen_TtlIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveBadTtl.selector, 0));
        vm.prank(admin);
        registry.setTtl(0);
    }

    function test_setTtl_RevertWhen_CallerLacksProtocolRole() external {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.setTtl(1 days);
    }

    // --- report data ---

    function test_reportDataFor_isTheKeyBindingThenTheQuoteBlocksHash() external view {
        bytes memory rd = registry.reportDataFor(signer, HPKE, _quoteBlock());
        assertEq(rd.length, 64, "64 bytes");
        assertEq(keccak256(rd), keccak256(_reportData(signer, HPKE, 31337, blockhash(block.number - 1))), "encoding");
        assertTrue(blockhash(block.number - 1) != bytes32(0), "a real block hash");
    }

    function test_reportDataFor_RevertWhen_TheQuoteBlockIsOutsideTheWindow() external {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, block.number - 257, block.number));
        registry.reportDataFor(signer, HPKE, block.number - 257);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.EnclaveQuoteNotFresh.selector, block.number, block.number));
        registry.reportDataFor(signer, HPKE, block.number);
        assertEq(registry.QUOTE_MAX_AGE_BLOCKS(), 256, "window");
    }

    function testFuzz_registerEnclave_RevertWhen_QuoteBindsAnyOtherSignerOrKey(
        uint256 signerKey,
        bytes32 hpke,
        address claimedSigner,
        bytes32 claimedHpke
    ) external {
        signerKey = bound(signerKey, 1, 2 ** 128);
        address quoted = vm.addr(signerKey);
        vm.assume(claimedSigner != address(0));
        vm.assume(claimedSigner != quoted || claimedHpke != hpke);
        bytes memory quote = _quoteFor(quoted, hpke);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.EnclaveReportDataMismatch.selector,
                _freshReportData(claimedSigner, claimedHpke),
                _freshReportData(quoted, hpke)
            )
        );
        registry.registerEnclave(quote, claimedSigner, claimedHpke, _quoteBlock());
    }

    function testFuzz_registerEnclave_whenQuoteBindsTheClaim_registers(uint256 signerKey, bytes32 hpke) external {
        signerKey = bound(signerKey, 1, 2 ** 128);
        address quoted = vm.addr(signerKey);
        registry.registerEnclave(_quoteFor(quoted, hpke), quoted, hpke, _quoteBlock());
        assertTrue(registry.isValid(quoted), "valid");
        assertEq(registry.enclave(quoted).hpkePublicKey, hpke, "hpke");
    }

    function _unauthorized(address who) internal view returns (bytes memory) {
        return abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector, who, registry.PROTOCOL_ROLE()
        );
    }
}
