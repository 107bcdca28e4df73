// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IQuoteVerifier} from "../../contracts/interfaces/IQuoteVerifier.sol";
import {ISimulatedQuoteVerifier} from "../../contracts/interfaces/ISimulatedQuoteVerifier.sol";
import {SimulatedQuoteVerifier} from "../../contracts/verifiers/SimulatedQuoteVerifier.sol";
import {SimulatedQuotes} from "./utils/SimulatedQuotes.sol";

contract SimulatedQuoteVerifierTest is SimulatedQuotes {
    SimulatedQuoteVerifier internal verifier;
    address internal platform;
    bytes32 internal constant MEASUREMENT = keccak256("ingotforge-eval-enclave v1");
    bytes internal reportData;

    function setUp() public {
        platform = vm.addr(PLATFORM_KEY);
        verifier = new SimulatedQuoteVerifier(platform);
        reportData = _reportData(address(0xE1), bytes32(uint256(0xABCD)), block.chainid, keccak256("some block"));
    }

    function test_platformKey_isPublicAndDocumented() external view {
        // Pinned so the TypeScript constant and this one cannot drift apart unnoticed.
        assertEq(platform, 0xEee7481153a0489a74194Cad5992923f32633937, "simulated platform address");
        assertEq(verifier.platformSigner(), platform, "platformSigner");
    }

    function test_constructor_RevertWhen_ChainIsNotHardhat() external {
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteWrongChain.selector, 1));
        new SimulatedQuoteVerifier(platform);
    }

    function test_constructor_RevertWhen_PlatformSignerIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteZeroSigner.selector));
        new SimulatedQuoteVerifier(address(0));
    }

    function test_verifyQuote_whenSignedByPlatform_returnsTheSignedFacts() external view {
        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(_simulatedQuote(MEASUREMENT, reportData, false));
        assertEq(v.measurement, MEASUREMENT, "measurement");
        assertEq(keccak256(v.reportData), keccak256(reportData), "reportData");
        assertTrue(v.tcbOk, "tcbOk is always true");
        assertTrue(!v.debug, "debug");
    }

    function test_verifyQuote_whenDebugSigned_reportsDebug() external view {
        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(_simulatedQuote(MEASUREMENT, reportData, true));
        assertTrue(v.debug, "debug");
    }

    function test_verifyQuote_RevertWhen_ChainIsNotHardhat() external {
        bytes memory quote = _simulatedQuote(MEASUREMENT, reportData, false);
        vm.chainId(8453);
        vm.expectRevert(abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteWrongChain.selector, 8453));
        verifier.verifyQuote(quote);
    }

    function test_verifyQuote_RevertWhen_SignedByAnotherKey() external {
        uint256 otherKey = 0xBAD;
        bytes memory quote = _simulatedQuote(otherKey, block.chainid, MEASUREMENT, reportData, false);
        vm.expectRevert(
            abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, vm.addr(otherKey), platform)
        );
        verifier.verifyQuote(quote);
    }

    function test_verifyQuote_RevertWhen_MeasurementChangedAfterSigning() external {
        ISimulatedQuoteVerifier.SimulatedQuote memory q =
            abi.decode(_simulatedQuote(MEASUREMENT, reportData, false), (ISimulatedQuoteVerifier.SimulatedQuote));
        q.measurement = keccak256("a different enclave");
        vm.expectRevert(
            abi.encodeWithSelector(
                ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, _recover(q, block.chainid), platform
            )
        );
        verifier.verifyQuote(abi.encode(q));
    }

    function test_verifyQuote_RevertWhen_DebugFlagClearedAfterSigning() external {
        ISimulatedQuoteVerifier.SimulatedQuote memory q =
            abi.decode(_simulatedQuote(MEASUREMENT, reportData, true), (ISimulatedQuoteVerifier.SimulatedQuote));
        q.debug = false;
        vm.expectRevert(
            abi.encodeWithSelector(
                ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, _recover(q, block.chainid), platform
            )
        );
        verifier.verifyQuote(abi.encode(q));
    }

    function test_verifyQuote_RevertWhen_SignedForAnotherChain() external {
        bytes memory quote = _simulatedQuote(PLATFORM_KEY, 1, MEASUREMENT, reportData, false);
        ISimulatedQuoteVerifier.SimulatedQuote memory q = abi.decode(quote, (ISimulatedQuoteVerifier.SimulatedQuote));
        address recovered = _recover(q, block.chainid);
        assertTrue(recovered != platform, "a chain-1 signature must not recover to the platform here");
        vm.expectRevert(
            abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, recovered, platform)
        );
        verifier.verifyQuote(quote);
    }

    function test_verifyQuote_RevertWhen_SignatureIsNot65Bytes() external {
        ISimulatedQuoteVerifier.SimulatedQuote memory q =
            abi.decode(_simulatedQuote(MEASUREMENT, reportData, false), (ISimulatedQuoteVerifier.SimulatedQuote));
        q.signature = bytes.concat(q.signature, hex"00");
        vm.expectRevert(
            abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, address(0), platform)
        );
        verifier.verifyQuote(abi.encode(q));
    }

    function test_verifyQuote_RevertWhen_QuoteIsNotAbiEncoded() external {
        bytes memory garbage = hex"deadbeef";
        vm.expectRevert(abi.encodeWithSelector(ISimulatedQuoteVerifier.SimulatedQuoteMalformed.selector, 4));
        verifier.verifyQuote(garbage);
    }

    function test_isSimulated_returnsTrue() external view {
        assertTrue(verifier.isSimulated(), "isSimulated");
    }

    function test_quoteDigest_matchesTheDocumentedEncoding() external view {
        assertEq(
            verifier.quoteDigest(MEASUREMENT, reportData, true),
            keccak256(abi.encode("IngotForge simulated TDX quote v1", uint256(31337), MEASUREMENT, keccak256(reportData), true)),
            "digest"
        );
    }

    function testFuzz_verifyQuote_roundTripsAnySignedFacts(bytes32 measurement, bytes memory data, bool debug) external view {
        IQuoteVerifier.VerifiedQuote memory v = verifier.verifyQuote(_simulatedQuote(measurement, data, debug));
        assertEq(v.measurement, measurement, "measurement");
        assertEq(keccak256(v.reportData), keccak256(data), "reportData");
        assertTrue(v.debug == debug, "debug");
    }

    function testFuzz_verifyQuote_RevertWhen_ReportDataChangedAfterSigning(bytes memory data, bytes memory other) external {
        vm.assume(keccak256(data) != keccak256(other));
        ISimulatedQuoteVerifier.SimulatedQuote memory q =
            abi.decode(_simulatedQuote(MEASUREMENT, data, false), (ISimulatedQuoteVerifier.SimulatedQuote));
        q.reportData = other;
        vm.expectRevert(
            abi.encodeWithSelector(
                ISimulatedQuoteVerifier.SimulatedQuoteBadSignature.selector, _recover(q, block.chainid), platform
            )
        );
        verifier.verifyQuote(abi.encode(q));
    }

    function _recover(ISimulatedQuoteVerifier.SimulatedQuote memory q, uint256 chainId) private pure returns (address) {
        bytes32 digest =
            MessageHashUtils.toEthSignedMessageHash(_simulatedDigest(chainId, q.measurement, q.reportData, q.debug));
        (address recovered,,) = ECDSA.tryRecover(digest, q.signature);
        return recovered;
    }
}
