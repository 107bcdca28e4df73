// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ForgeFixture} from "./utils/ForgeFixture.sol";
import {IForge} from "../../contracts/interfaces/IForge.sol";
import {IIngot} from "../../contracts/interfaces/IIngot.sol";
import {Forge} from "../../contracts/Forge.sol";

/// @notice submitEvalResult: the attestation and vector checks, then the Ingot and its shares.
contract ForgeResultTest is ForgeFixture {
    Forge internal forge;

    address internal constant D0 = address(0xD0);
    address internal constant D1 = address(0xD1);
    address internal constant D2 = address(0xD2);
    address internal constant W0 = address(0xE0);
    address internal constant W1 = address(0xE1);
    address internal constant C0 = address(0xF0);
    address internal constant C1 = address(0xF1);

    function setUp() public override {
        super.setUp();
        forge = createDefaultForge();
    }

    /// @dev Three data contributions, two workers, two capital positions, then the window closes.
    function _populate(Forge f) internal {
        vm.warp(f.config().windowStart);
        contributeData(f, D0, 0);
        contributeData(f, D1, 1);
        contributeData(f, D2, 2);
        registerCompute(f, W0, 0);
        registerCompute(f, W1, 1);
        contributeEth(f, C0, 1 ether);
        contributeEth(f, C1, 3 ether);
        vm.warp(f.config().windowEnd);
    }

    function _scored(Forge f) internal view returns (IForge.EvalResult memory r) {
        r = resultFor(f);
        (r.dataScores[0], r.dataScores[1], r.dataScores[2]) = (int256(3e18), int256(1e18), int256(-2e18));
        (r.computeWork[0], r.computeWork[1]) = (1, 3);
    }

    function _expectSubmitRevert(Forge f, IForge.EvalResult memory r, bytes memory sig, bytes memory err) internal {
        vm.expectRevert(err);
        f.submitEvalResult(r, sig);
    }

    function _balance(address holder, uint256 id) internal view returns (uint256) {
        return ingot.balanceOf(holder, id);
    }

    // ------------------------------------------------------------ EIP-712

    function test_typehash_isPinnedToTheDocumentedTypeString() external view {
        assertEq(
            forge.EVAL_RESULT_TYPEHASH(),
            keccak256(
                "EvalResult(address forge,bytes32 holdoutRoot,bytes32 baseModelRoot,bytes32 adapterRoot,int256 metricBefore,int256 metricAfter,uint256[] dataIds,int256[] dataScores,uint256[] computeIds,uint256[] computeWork,uint256[] excludedData,uint256[] excludedCompute,bytes32 attributionLogRoot,bytes32 evalConfigHash,uint256 deadline)"
            ),
            "typehash"
        );
    }

    function test_hashEvalResult_matchesIndependentDigest() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        assertEq(forge.hashEvalResult(r), digestOf(r, address(forge), block.chainid), "digest");
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = forge.eip712Domain();
        assertEq(keccak256(bytes(name)), keccak256("IngotForge"), "name");
        assertEq(keccak256(bytes(version)), keccak256("1"), "version");
        assertEq(chainId, block.chainid, "chainId");
        assertEq(verifying, address(forge), "verifyingContract is the clone");
    }

    // ------------------------------------------------------------ reverts

    function test_submitEvalResult_RevertWhen_NotClosed() external {
        vm.warp(START);
        IForge.EvalResult memory r = resultFor(forge);
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Open, IForge.Phase.Closed)
        );
        vm.warp(EVAL_DEADLINE);
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Failed, IForge.Phase.Closed)
        );
    }

    function test_submitEvalResult_RevertWhen_AlreadyLive() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        bytes memory sig = signResult(forge, r);
        forge.submitEvalResult(r, sig);
        _expectSubmitRevert(
            forge,
            r,
            sig,
            abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Live, IForge.Phase.Closed)
        );
    }

    function test_submitEvalResult_RevertWhen_SignatureDeadlinePassed() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        r.deadline = block.timestamp - 1;
        _expectSubmitRevert(
            forge, r, signResult(forge, r), abi.encodeWithSelector(IForge.ForgeResultExpired.selector, r.deadline, block.timestamp)
        );
    }

    function test_submitEvalResult_RevertWhen_ResultNamesAnotherForge() external {
        Forge other = createDefaultForge();
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        r.forge = address(other);
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeResultWrongForge.selector, address(other), address(forge))
        );
    }

    function test_submitEvalResult_RevertWhen_SignatureMalformed() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        bytes memory sig = hex"0102030405";
        _expectSubmitRevert(forge, r, sig, abi.encodeWithSelector(IForge.ForgeBadSignature.selector, sig));
    }

    function test_submitEvalResult_RevertWhen_SignerNotRegistered() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        bytes memory sig = sign(0xBADBAD, digestOf(r, address(forge), block.chainid));
        _expectSubmitRevert(forge, r, sig, abi.encodeWithSelector(IForge.ForgeSignerNotValid.selector, vm.addr(0xBADBAD)));
    }

    function test_submitEvalResult_RevertWhen_SignerRevoked() external {
        _populate(forge);
        vm.prank(admin);
        registry.revokeEnclave(enclave);
        IForge.EvalResult memory r = _scored(forge);
        _expectSubmitRevert(
            forge, r, signResult(forge, r), abi.encodeWithSelector(IForge.ForgeSignerNotValid.selector, enclave)
        );
    }

    function test_submitEvalResult_RevertWhen_SignerExpired() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.evalDeadline = T0 + ENCLAVE_TTL + 10 days;
        Forge f = createForge(c);
        _populate(f);
        vm.warp(T0 + ENCLAVE_TTL); // the key registered at T0 expires now
        IForge.EvalResult memory r = _scored(f);
        r.deadline = block.timestamp;
        _expectSubmitRevert(f, r, signResult(f, r), abi.encodeWithSelector(IForge.ForgeSignerNotValid.selector, enclave));
    }

    function test_submitEvalResult_RevertWhen_MeasurementNotAllowedByForge() external {
        bytes32 otherMeasurement = keccak256("another enclave build");
        address other = registerEnclaveKey(0x07E4, otherMeasurement);
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        bytes memory sig = sign(0x07E4, digestOf(r, address(forge), block.chainid));
        _expectSubmitRevert(
            forge, r, sig, abi.encodeWithSelector(IForge.ForgeMeasurementNotAllowed.selector, other, otherMeasurement)
        );
    }

    function test_submitEvalResult_whenSecondMeasurementAllowed_acceptsIt() external {
        bytes32 second = keccak256("second build");
        registerEnclaveKey(0x07E4, second);
        IForge.ForgeConfig memory c = defaultConfig();
        c.allowedMeasurements = new bytes32[](2);
        (c.allowedMeasurements[0], c.allowedMeasurements[1]) = (MEASUREMENT, second);
        Forge f = createForge(c);
        _populate(f);
        IForge.EvalResult memory r = _scored(f);
        uint256 id = f.submitEvalResult(r, sign(0x07E4, digestOf(r, address(f), block.chainid)));
        assertEq(ingot.info(id).measurement, second, "measurement recorded");
    }

    function test_submitEvalResult_RevertWhen_HoldoutOrBaseModelRootDiffers() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        r.holdoutRoot = keccak256("other holdout");
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeHoldoutRootMismatch.selector, r.holdoutRoot, HOLDOUT_ROOT)
        );
        r = _scored(forge);
        r.baseModelRoot = keccak256("other base");
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeBaseModelRootMismatch.selector, r.baseModelRoot, BASE_ROOT)
        );
    }

    function test_submitEvalResult_RevertWhen_VectorLengthsWrong() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        r.dataIds = new uint256[](2);
        _expectSubmitRevert(
            forge, r, signResult(forge, r), abi.encodeWithSelector(IForge.ForgeBadVectorLength.selector, IForge.Pool.Data, 2, 3)
        );
        r = _scored(forge);
        r.dataScores = new int256[](4);
        _expectSubmitRevert(
            forge, r, signResult(forge, r), abi.encodeWithSelector(IForge.ForgeBadVectorLength.selector, IForge.Pool.Data, 4, 3)
        );
        r = _scored(forge);
        r.computeIds = new uint256[](1);
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeBadVectorLength.selector, IForge.Pool.Compute, 1, 2)
        );
        r = _scored(forge);
        r.computeWork = new uint256[](3);
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeBadVectorLength.selector, IForge.Pool.Compute, 3, 2)
        );
    }

    function test_submitEvalResult_RevertWhen_IdsDoNotCoverEachContributionOnce() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        (r.dataIds[0], r.dataIds[1]) = (1, 0); // permuted
        _expectSubmitRevert(
            forge, r, signResult(forge, r), abi.encodeWithSelector(IForge.ForgeBadContributionId.selector, IForge.Pool.Data, 0, 1)
        );
        r = _scored(forge);
        r.computeIds[1] = 0; // duplicate, worker 1 missing
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeBadContributionId.selector, IForge.Pool.Compute, 1, 0)
        );
    }

    function test_submitEvalResult_RevertWhen_WeightAboveMax() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        r.computeWork[1] = uint256(type(uint128).max) + 1;
        _expectSubmitRevert(
            forge,
            r,
            signResult(forge, r),
            abi.encodeWithSelector(IForge.ForgeWeightTooLarge.selector, IForge.Pool.Compute, 1, r.computeWork[1])
        );
    }

    function test_submitEvalResult_RevertWhen_ReplayedOnAnotherForge() external {
        IForge.ForgeConfig memory c = defaultConfig();
        Forge twin = createForge(c);
        _populate(forge);
        vm.warp(START);
        contributeData(twin, D0, 0);
        contributeData(twin, D1, 1);
        contributeData(twin, D2, 2);
        registerCompute(twin, W0, 10);
        registerCompute(twin, W1, 11);
        vm.warp(END);
        IForge.EvalResult memory r = _scored(forge);
        bytes memory sig = signResult(forge, r);
        // Same bytes on the twin: the forge field names the first Forge.
        _expectSubmitRevert(
            twin, r, sig, abi.encodeWithSelector(IForge.ForgeResultWrongForge.selector, address(forge), address(twin))
        );
        // Rewriting the field breaks the signature: it recovers to some unregistered address.
        r.forge = address(twin);
        (uint8 v, bytes32 rr, bytes32 s) = _split(sig);
        address recovered = ecrecover(digestOf(r, address(twin), block.chainid), v, rr, s);
        _expectSubmitRevert(twin, r, sig, abi.encodeWithSelector(IForge.ForgeSignerNotValid.selector, recovered));
    }

    function test_submitEvalResult_RevertWhen_SignedForAnotherChain() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        bytes32 foreign = digestOf(r, address(forge), 1);
        bytes memory sig = sign(ENCLAVE_KEY, foreign);
        (uint8 v, bytes32 rr, bytes32 s) = _split(sig);
        address recovered = ecrecover(digestOf(r, address(forge), block.chainid), v, rr, s);
        _expectSubmitRevert(forge, r, sig, abi.encodeWithSelector(IForge.ForgeSignerNotValid.selector, recovered));
    }

    // ------------------------------------------------------------ effects

    function test_submitEvalResult_mintsIngotWithModelCard() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        vm.expectEmit(true, true, true, true);
        emit IForge.ResultAccepted(
            1, enclave, MEASUREMENT, r.adapterRoot, r.metricBefore, r.metricAfter, r.attributionLogRoot, r.evalConfigHash
        );
        uint256 id = submit(forge, r);
        assertEq(id, 1, "first Ingot");
        assertEq(forge.ingotId(), 1, "recorded");
        assertEq(ingot.ingotOf(address(forge)), 1, "ingotOf");
        assertEq(uint256(forge.phase()), uint256(IForge.Phase.Live), "live");
        IIngot.IngotInfo memory card = ingot.info(id);
        assertEq(card.forge, address(forge), "forge");
        assertEq(card.parentId, 0, "no parent");
        assertEq(card.adapterRoot, r.adapterRoot, "adapter");
        assertEq(card.measurement, MEASUREMENT, "measurement");
        assertEq(card.baseModelRoot, BASE_ROOT, "base model");
        assertEq(card.attributionLogRoot, r.attributionLogRoot, "attribution log");
        assertEq(card.metricBefore, 9e18, "before");
        assertEq(card.metricAfter, 7e18, "after");
        assertEq(keccak256(bytes(card.baseModelName)), keccak256("Qwen2.5-Coder-3B-Instruct"), "name");
    }

    function test_submitEvalResult_splitsSharesByPoolAndWeight() external {
        _populate(forge);
        vm.expectEmit(true, false, false, true);
        emit IForge.SharesAllocated(
            1, IForge.PoolShares({data: 500_000_000, compute: 200_000_000, capital: 200_000_000, creator: 100_000_000, lineage: 0})
        );
        uint256 id = submit(forge, _scored(forge));
        // data 50 %: scores 3:1:-2 -> 3/4, 1/4, nothing
        assertEq(_balance(D0, id), 375_000_000, "D0");
        assertEq(_balance(D1, id), 125_000_000, "D1");
        assertEq(_balance(D2, id), 0, "negative score earns nothing");
        // compute 20 %: work 1:3
        assertEq(_balance(W0, id), 50_000_000, "W0");
        assertEq(_balance(W1, id), 150_000_000, "W1");
        // capital 20 %: 1 ether : 3 ether
        assertEq(_balance(C0, id), 50_000_000, "C0");
        assertEq(_balance(C1, id), 150_000_000, "C1");
        assertEq(_balance(creator, id), 100_000_000, "creator 10 %");
    }

    function test_submitEvalResult_whenAddressContributesTwice_aggregatesItsShares() external {
        vm.warp(START);
        contributeData(forge, D0, 0);
        contributeData(forge, D0, 1);
        registerCompute(forge, D0, 0);
        vm.warp(END);
        uint256 id = submit(forge, resultFor(forge));
        // No capital: its 20 % goes to data, compute and creator by bps (5:2:1), all D0's but the creator's.
        assertEq(_balance(D0, id), 875_000_000, "data and compute");
        assertEq(_balance(creator, id), 125_000_000, "creator");
    }

    function test_submitEvalResult_whenRoundingLeavesUnits_sharesSumExactlyToSupply() external {
        vm.warp(START);
        contributeData(forge, D0, 0);
        contributeData(forge, D1, 1);
        contributeData(forge, D2, 2);
        contributeEth(forge, C0, 1);
        contributeEth(forge, C1, 2);
        registerCompute(forge, W0, 0);
        vm.warp(END);
        uint256 id = submit(forge, resultFor(forge));
        // data 500M / 3 equal scores: 166,666,667 to the two lowest ids, 166,666,666 to the last
        assertEq(_balance(D0, id), 166_666_667, "D0");
        assertEq(_balance(D1, id), 166_666_667, "D1");
        assertEq(_balance(D2, id), 166_666_666, "D2");
        // capital 200M at 1:2 -> 66,666,666.67 and 133,333,333.33: the larger remainder gets the unit
        assertEq(_balance(C0, id), 66_666_667, "C0");
        assertEq(_balance(C1, id), 133_333_333, "C1");
        uint256 sum = _balance(D0, id) + _balance(D1, id) + _balance(D2, id) + _balance(C0, id) + _balance(C1, id)
            + _balance(W0, id) + _balance(creator, id);
        assertEq(sum, SUPPLY, "sum");
    }

    function test_submitEvalResult_whenNoPositiveScore_redistributesDataPool() external {
        _populate(forge);
        IForge.EvalResult memory r = _scored(forge);
        (r.dataScores[0], r.dataScores[1], r.dataScores[2]) = (int256(0), int256(-1), int256(-5e18));
        uint256 id = submit(forge, r);
        // compute 2,000 : capital 2,000 : creator 1,000 of the whole supply
        assertEq(_balance(D0, id) + _balance(D1, id) + _balance(D2, id), 0, "data earns nothing");
        assertEq(_balance(W0, id) + _balance(W1, id), 400_000_000, "compute");
        assertEq(_balance(C0, id) + _balance(C1, id), 400_000_000, "capital");
        assertEq(_balance(creator, id), 200_000_000, "creator");
    }

    function test_submitEvalResult_whenNoContributionAtAll_creatorGetsEverything() external {
        vm.warp(END);
        uint256 id = submit(forge, resultFor(forge));
        assertEq(_balance(creator, id), SUPPLY, "creator");
    }

    function test_submitEvalResult_whenCreatorBpsZeroAndPoolsEmpty_creatorStillGetsSupply() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.split = IForge.Split({dataBps: 6_000, computeBps: 2_000, capitalBps: 2_000, creatorBps: 0, lineageBps: 0});
        Forge f = createForge(c);
        vm.warp(END);
        uint256 id = submit(f, resultFor(f));
        assertEq(_balance(creator, id), SUPPLY, "no one else to hold it");
    }

    function test_submitEvalResult_whenCreatorBpsZero_creatorGetsNothing() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.split = IForge.Split({dataBps: 6_000, computeBps: 2_000, capitalBps: 2_000, creatorBps: 0, lineageBps: 0});
        Forge f = createForge(c);
        _populate(f);
        uint256 id = submit(f, _scored(f));
        assertEq(_balance(creator, id), 0, "creator");
        assertEq(_balance(D0, id), 450_000_000, "D0 has 3/4 of 60 %");
    }

    function test_submitEvalResult_whenFork_mintsLineageToSplitterAndRecordsParent() external {
        _populate(forge);
        uint256 parent = submit(forge, _scored(forge));

        IForge.ForgeConfig memory c = windowFromNow(defaultConfig());
        c.parentIngotId = parent;
        c.split = IForge.Split({dataBps: 5_000, computeBps: 2_000, capitalBps: 2_000, creatorBps: 500, lineageBps: 500});
        Forge child = createForge(c);
        _populate(child);
        uint256 id = submit(child, _scored(child));

        assertEq(id, parent + 1, "child id");
        IIngot.IngotInfo memory card = ingot.info(id);
        assertEq(card.parentId, parent, "parent");
        assertEq(uint256(card.royaltyBps), 500, "royalty");
        assertEq(_balance(address(splitter), id), 50_000_000, "lineage held by the splitter");
        assertEq(_balance(creator, id), 50_000_000, "creator 5 %");
        assertEq(_balance(D0, id), 375_000_000, "D0");

        // The child's revenue pays the parent its royalty.
        vm.deal(address(this), 1 ether);
        splitter.pay{value: 1 ether}(id, address(0), 1 ether);
        assertEq(splitter.claimable(parent, address(0), creator), 0.005 ether, "parent creator's 10 % of 5 %");
    }

    function test_submitEvalResult_whenErc20Forge_recordsCapitalAssetOnIngot() external {
        IForge.ForgeConfig memory c = defaultConfig();
        c.capitalAsset = address(new Dummy());
        Forge f = createForge(c);
        vm.warp(END);
        uint256 id = submit(f, resultFor(f));
        assertEq(ingot.info(id).capitalAsset, c.capitalAsset, "capital asset");
    }

    function test_submitEvalResult_afterLive_contributionsAndRefundsRefused() external {
        _populate(forge);
        submit(forge, _scored(forge));
        vm.expectRevert(
            abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Live, IForge.Phase.Open)
        );
        contributeData(forge, D0, 99);
        vm.warp(EVAL_DEADLINE);
        vm.prank(C0);
        vm.expectRevert(
            abi.encodeWithSelector(IForge.ForgeWrongPhase.selector, address(forge), IForge.Phase.Live, IForge.Phase.Failed)
        );
        forge.refund();
    }

    /// @dev Random scores, work and capital (distinct holders): the Ingot's balances sum exactly to
    /// the supply less the lineage, each pool's members get their pro-rata part within one share,
    /// and a score <= 0 earns nothing.
    /// hardhat-config: fuzz.runs = 64
    function testFuzz_submitEvalResult_sharesSumToSupplyAndFollowWeights(
        int64[] memory scores,
        uint32[] memory work,
        uint64[] memory capital
    ) external {
        uint256 nData = scores.length % 9;
        uint256 nCompute = work.length % 5;
        uint256 nCapital = capital.length % 5;
        vm.warp(START);
        for (uint256 i; i < nData; ++i) contributeData(forge, address(uint160(0x1000 + i)), i);
        for (uint256 i; i < nCompute; ++i) registerCompute(forge, address(uint160(0x2000 + i)), i);
        for (uint256 i; i < nCapital; ++i) contributeEth(forge, address(uint160(0x3000 + i)), uint256(capital[i]) + 1);
        vm.warp(END);
        IForge.EvalResult memory r = resultFor(forge);
        for (uint256 i; i < nData; ++i) r.dataScores[i] = scores[i];
        for (uint256 i; i < nCompute; ++i) r.computeWork[i] = work[i];
        uint256 id = submit(forge, r);

        uint256 total = _balance(creator, id);
        total += _checkPool(r.dataScores, nData, 0x1000, id, _positiveSum(r.dataScores, nData));
        uint256 workSum;
        for (uint256 i; i < nCompute; ++i) workSum += work[i];
        for (uint256 i; i < nCompute; ++i) total += _balance(address(uint160(0x2000 + i)), id);
        uint256 capitalSum = forge.totalCapital();
        for (uint256 i; i < nCapital; ++i) total += _balance(address(uint160(0x3000 + i)), id);
        assertEq(total, SUPPLY, "balances sum to the supply");
        if (workSum == 0) {
            for (uint256 i; i < nCompute; ++i) assertEq(_balance(address(uint160(0x2000 + i)), id), 0, "no work, no shares");
        }
        if (capitalSum == 0) assertEq(nCapital, 0, "capital credited");
    }

    function _positiveSum(int256[] memory scores, uint256 n) internal pure returns (uint256 sum) {
        for (uint256 i; i < n; ++i) {
            if (scores[i] > 0) sum += uint256(scores[i]);
        }
    }

    /// @dev Sums the data pool's balances and checks each is its pro-rata part of the pool within one.
    function _checkPool(int256[] memory scores, uint256 n, uint160 base, uint256 id, uint256 sum)
        internal
        view
        returns (uint256 poolTotal)
    {
        for (uint256 i; i < n; ++i) poolTotal += _balance(address(base + uint160(i)), id);
        for (uint256 i; i < n; ++i) {
            uint256 got = _balance(address(base + uint160(i)), id);
            if (scores[i] <= 0) {
                assertEq(got, 0, "score <= 0 earns nothing");
                continue;
            }
            uint256 exactFloor = poolTotal * uint256(scores[i]) / sum;
            assertTrue(got == exactFloor || got == exactFloor + 1, "within one of pro rata");
        }
    }

    function _split(bytes memory sig) internal pure returns (uint8 v, bytes32 r, bytes32 s) {
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
    }
}

contract Dummy {}
