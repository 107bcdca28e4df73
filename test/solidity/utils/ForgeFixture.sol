// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SimulatedQuotes} from "./SimulatedQuotes.sol";
import {IForge} from "../../../contracts/interfaces/IForge.sol";
import {IRevenueSplitter} from "../../../contracts/interfaces/IRevenueSplitter.sol";
import {Forge} from "../../../contracts/Forge.sol";
import {ForgeFactory} from "../../../contracts/ForgeFactory.sol";
import {Ingot} from "../../../contracts/Ingot.sol";
import {RevenueSplitter} from "../../../contracts/RevenueSplitter.sol";
import {EnclaveRegistry} from "../../../contracts/EnclaveRegistry.sol";
import {SimulatedQuoteVerifier} from "../../../contracts/verifiers/SimulatedQuoteVerifier.sol";

/// @notice Shared set-up for Forge tests: the protocol wired as deployment does (RevenueSplitter,
/// SimulatedQuoteVerifier, EnclaveRegistry, ForgeFactory, Ingot, both bound), one enclave key
/// registered from a simulated quote, a valid default config, and an EIP-712 signer that rebuilds
/// the digest independently of the contract.
abstract contract ForgeFixture is SimulatedQuotes {
    string internal constant EVAL_RESULT_TYPE =
        "EvalResult(address forge,bytes32 holdoutRoot,bytes32 baseModelRoot,bytes32 adapterRoot,int256 metricBefore,int256 metricAfter,uint256[] dataIds,int256[] dataScores,uint256[] computeIds,uint256[] computeWork,bytes32 attributionLogRoot,bytes32 evalConfigHash,uint256 deadline)";
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    uint256 internal constant ENCLAVE_KEY = 0xE1C1A7E;
    uint256 internal constant SUPPLY = 1_000_000_000;
    bytes32 internal constant MEASUREMENT = keccak256("tdx measurement");
    bytes32 internal constant BASE_ROOT = keccak256("base model");
    bytes32 internal constant HOLDOUT_ROOT = keccak256("holdout");
    uint64 internal constant T0 = 1_000_000;
    uint64 internal constant START = T0 + 100;
    uint64 internal constant END = T0 + 10 days;
    uint64 internal constant EVAL_DEADLINE = T0 + 20 days;
    uint64 internal constant ENCLAVE_TTL = 30 days;

    address internal admin = address(0xAD);
    address internal creator = address(0xC0FFEE);
    address internal enclave;

    EnclaveRegistry internal registry;
    RevenueSplitter internal splitter;
    ForgeFactory internal factory;
    Ingot internal ingot;

    function setUp() public virtual {
        vm.warp(T0);
        splitter = new RevenueSplitter(admin);
        registry = new EnclaveRegistry(admin, new SimulatedQuoteVerifier(vm.addr(PLATFORM_KEY)), ENCLAVE_TTL);
        factory = new ForgeFactory(admin, registry, IRevenueSplitter(address(splitter)));
        ingot = new Ingot(address(factory), address(splitter));
        vm.startPrank(admin);
        factory.bindIngot(ingot);
        splitter.bindIngot(address(ingot));
        registry.setMeasurementAllowed(MEASUREMENT, true);
        vm.stopPrank();
        enclave = registerEnclaveKey(ENCLAVE_KEY, MEASUREMENT);
    }

    /// @dev Registers `key`'s address with `measurement` (allowed by the protocol first) through a
    /// simulated quote, as the coordinator's simulated enclave does.
    function registerEnclaveKey(uint256 key, bytes32 measurement) internal returns (address signer) {
        signer = vm.addr(key);
        bytes32 hpke = keccak256(abi.encode("hpke", key));
        vm.prank(admin);
        registry.setMeasurementAllowed(measurement, true);
        registry.registerEnclave(
            _simulatedQuote(measurement, _freshReportData(signer, hpke), false), signer, hpke, _quoteBlock()
        );
    }

    function defaultConfig() internal view returns (IForge.ForgeConfig memory c) {
        c.windowStart = START;
        c.windowEnd = END;
        c.evalDeadline = EVAL_DEADLINE;
        c.holdoutExamples = 1_800;
        c.direction = IForge.MetricDirection.LowerIsBetter;
        c.creator = creator;
        c.capitalAsset = address(0);
        c.baseModelRoot = BASE_ROOT;
        c.holdoutRoot = HOLDOUT_ROOT;
        c.split = IForge.Split({dataBps: 5_000, computeBps: 2_000, capitalBps: 2_000, creatorBps: 1_000, lineageBps: 0});
        c.caps = IForge.Caps({maxData: 1_000, maxCompute: 100, maxCapital: 1_000});
        c.parentIngotId = 0;
        c.allowedMeasurements = new bytes32[](1);
        c.allowedMeasurements[0] = MEASUREMENT;
        c.metadataURI = "ipfs://rust-unsafe-auditor";
        c.baseModelName = "Qwen2.5-Coder-3B-Instruct";
        c.task = "generation";
        c.fineTuneMethod = "qlora";
        c.evalMetric = "perplexity";
    }

    /// @dev Moves `c`'s window to start one second from now (for Forges created after a warp).
    function windowFromNow(IForge.ForgeConfig memory c) internal view returns (IForge.ForgeConfig memory) {
        c.windowStart = uint64(block.timestamp) + 1;
        c.windowEnd = uint64(block.timestamp) + 1 days;
        c.evalDeadline = uint64(block.timestamp) + 2 days;
        return c;
    }

    function createForge(IForge.ForgeConfig memory c) internal returns (Forge) {
        return Forge(factory.createForge(c));
    }

    function createDefaultForge() internal returns (Forge) {
        return createForge(defaultConfig());
    }

    function contributeData(Forge f, address who, uint256 salt) internal returns (uint256) {
        vm.prank(who);
        return f.contributeData(keccak256(abi.encode("data", salt)), 1_000, 10, "ipfs://license");
    }

    function registerCompute(Forge f, address who, uint256 salt) internal returns (uint256) {
        vm.prank(who);
        return f.registerCompute(address(uint160(uint256(keccak256(abi.encode("signer", salt))))), keccak256(abi.encode("ed25519", salt)), 8);
    }

    function contributeEth(Forge f, address who, uint256 amount) internal returns (uint256) {
        vm.deal(who, who.balance + amount);
        vm.prank(who);
        return f.contributeCapital{value: amount}(amount);
    }

    /// @dev A valid result for `f`'s current contributions: every data score 1e18, every worker 1 unit.
    function resultFor(Forge f) internal view returns (IForge.EvalResult memory r) {
        (uint256 nData, uint256 nCompute,) = f.counts();
        r.forge = address(f);
        r.holdoutRoot = HOLDOUT_ROOT;
        r.baseModelRoot = BASE_ROOT;
        r.adapterRoot = keccak256("adapter");
        r.metricBefore = 9e18;
        r.metricAfter = 7e18;
        r.dataIds = new uint256[](nData);
        r.dataScores = new int256[](nData);
        for (uint256 i; i < nData; ++i) {
            r.dataIds[i] = i;
            r.dataScores[i] = 1e18;
        }
        r.computeIds = new uint256[](nCompute);
        r.computeWork = new uint256[](nCompute);
        for (uint256 i; i < nCompute; ++i) {
            r.computeIds[i] = i;
            r.computeWork[i] = 1;
        }
        r.attributionLogRoot = keccak256("attribution log");
        r.evalConfigHash = keccak256("eval config");
        r.deadline = EVAL_DEADLINE;
    }

    /// @dev The EIP-712 digest, rebuilt here from the type string (not from the contract).
    function digestOf(IForge.EvalResult memory r, address verifyingContract, uint256 chainId)
        internal
        pure
        returns (bytes32)
    {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("IngotForge"), keccak256("1"), chainId, verifyingContract)
        );
        bytes memory head = abi.encode(
            keccak256(bytes(EVAL_RESULT_TYPE)),
            r.forge,
            r.holdoutRoot,
            r.baseModelRoot,
            r.adapterRoot,
            r.metricBefore,
            r.metricAfter
        );
        bytes memory tail = abi.encode(
            keccak256(abi.encodePacked(r.dataIds)),
            keccak256(abi.encodePacked(r.dataScores)),
            keccak256(abi.encodePacked(r.computeIds)),
            keccak256(abi.encodePacked(r.computeWork)),
            r.attributionLogRoot,
            r.evalConfigHash,
            r.deadline
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, keccak256(bytes.concat(head, tail))));
    }

    function sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function signResult(Forge f, IForge.EvalResult memory r) internal view returns (bytes memory) {
        return sign(ENCLAVE_KEY, digestOf(r, address(f), block.chainid));
    }

    function submit(Forge f, IForge.EvalResult memory r) internal returns (uint256) {
        return f.submitEvalResult(r, signResult(f, r));
    }
}
