// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnclaveRegistry} from "../../contracts/EnclaveRegistry.sol";
import {IEnclaveRegistry} from "../../contracts/interfaces/IEnclaveRegistry.sol";
import {SimulatedQuoteVerifier} from "../../contracts/verifiers/SimulatedQuoteVerifier.sol";
import {SimulatedQuotes} from "./utils/SimulatedQuotes.sol";

/// @notice Drives the registry with registrations, renewals, revocations, allow-list changes and
/// time, and keeps its own model of what each key's validity must be.
contract EnclaveRegistryHandler is SimulatedQuotes {
    uint256 internal constant SIGNERS = 4;
    bytes32 internal constant MEASUREMENT_A = keccak256("build A");
    bytes32 internal constant MEASUREMENT_B = keccak256("build B");

    EnclaveRegistry public immutable registry;
    address internal immutable admin;

    struct Model {
        uint64 expiresAt;
        bool revoked;
        bytes32 measurement;
        bytes32 hpke;
    }

    mapping(address => Model) public model;
    mapping(bytes32 => bool) public allowed;
    address[] public signers;
    uint256 public registrations;
    uint256 public refusedWhileLive;
    uint256 public staleQuotesRefused;

    /// @dev Each signer's last accepted quote and the block it was made over, for replays.
    mapping(address => bytes) internal lastQuote;
    mapping(address => bytes32) internal lastHpke;
    mapping(address => uint256) internal lastQuoteBlock;

    constructor(EnclaveRegistry registry_, address admin_) {
        registry = registry_;
        admin = admin_;
        for (uint256 i; i < SIGNERS; ++i) signers.push(vm.addr(0x1000 + i));
    }

    function register(uint256 who, bool useB, bytes32 hpke) external {
        address signer = signers[who % SIGNERS];
        bytes32 m = useB ? MEASUREMENT_B : MEASUREMENT_A;
        bytes memory quote = _simulatedQuote(m, _freshReportData(signer, hpke), false);
        Model storage e = model[signer];
        bool live = block.timestamp < e.expiresAt && allowed[e.measurement];
        bool shouldSucceed = !e.revoked && !live && allowed[m];
        try registry.registerEnclave(quote, signer, hpke, _quoteBlock()) returns (uint64 expiresAt) {
            assertTrue(shouldSucceed, "registered when the model refuses");
            e.expiresAt = expiresAt;
            e.measurement = m;
            e.hpke = hpke;
            ++registrations;
            lastQuote[signer] = quote;
            lastHpke[signer] = hpke;
            lastQuoteBlock[signer] = _quoteBlock();
        } catch {
            assertTrue(!shouldSucceed, "refused when the model accepts");
            if (!e.revoked && live) ++refusedWhileLive;
        }
    }

    /// @dev A stranger replays a signer's last accepted quote once it is more than 256 blocks old
    /// (issue 23, F7): refused whether it names its own block or a recent one.
    function replayOldQuote(uint256 who, bool nameARecentBlock) external {
        address signer = signers[who % SIGNERS];
        if (lastQuote[signer].length == 0 || block.number - lastQuoteBlock[signer] <= 256) return;
        uint256 named = nameARecentBlock ? _quoteBlock() : lastQuoteBlock[signer];
        vm.prank(address(0xBEEF));
        try registry.registerEnclave(lastQuote[signer], signer, lastHpke[signer], named) {
            assertTrue(false, "an old quote registered");
        } catch {
            ++staleQuotesRefused;
        }
    }

    function revoke(uint256 who) external {
        address signer = signers[who % SIGNERS];
        Model storage e = model[signer];
        if (e.expiresAt == 0 || e.revoked) return;
        vm.prank(admin);
        registry.revokeEnclave(signer);
        e.revoked = true;
    }

    function setAllowed(bool useB, bool allow) external {
        bytes32 m = useB ? MEASUREMENT_B : MEASUREMENT_A;
        vm.prank(admin);
        registry.setMeasurementAllowed(m, allow);
        allowed[m] = allow;
    }

    function warp(uint256 seconds_) external {
        uint256 dt = bound(seconds_, 0, 20 days);
        vm.warp(block.timestamp + dt);
        vm.roll(block.number + dt / 12 + 1);
    }

    function signerCount() external pure returns (uint256) {
        return SIGNERS;
    }

    function expectedValid(address signer) external view returns (bool) {
        Model storage e = model[signer];
        return block.timestamp < e.expiresAt && !e.revoked && allowed[e.measurement];
    }
}

contract EnclaveRegistryInvariantTest is SimulatedQuotes {
    EnclaveRegistryHandler internal handler;
    EnclaveRegistry internal registry;

    function setUp() public {
        vm.warp(1_800_000_000);
        vm.roll(20_000_000);
        address admin = address(0xAD);
        registry = new EnclaveRegistry(admin, new SimulatedQuoteVerifier(vm.addr(PLATFORM_KEY)), 7 days);
        handler = new EnclaveRegistryHandler(registry, admin);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev Each call signs a quote, so the campaign is kept small enough for a 2-core CI.
    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 32
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_registry_matchesTheModel() external view {
        for (uint256 i; i < handler.signerCount(); ++i) {
            address signer = handler.signers(i);
            assertTrue(registry.isValid(signer) == handler.expectedValid(signer), "isValid diverged from the model");
            IEnclaveRegistry.Enclave memory e = registry.enclave(signer);
            (uint64 expiresAt, bool revoked, bytes32 measurement, bytes32 hpke) = handler.model(signer);
            assertEq(e.expiresAt, expiresAt, "expiresAt");
            assertTrue(e.revoked == revoked, "revoked is sticky and only set by revokeEnclave");
            assertEq(e.measurement, measurement, "measurement");
            assertEq(e.hpkePublicKey, hpke, "hpke key");
        }
    }
}
