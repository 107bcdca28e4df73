// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice Splitter behaviour against a plain pro-rata reference: floor(balance * paid / accruing)
/// per holder, within one wei (the stated bound), holders' sum never above what was paid.
contract RevenueSplitterFuzzTest is IngotFixture {
    address internal constant ETH = address(0);
    uint256 internal parent;

    function setUp() external {
        _deploy();
        parent = _mintOne(address(0xFA), 0, 0, ETH);
    }

    function testFuzz_pay_eachHolderGetsProRataFloorWithinOneWei(
        uint256 seed,
        uint8 holderCount,
        uint16 royaltyBps,
        uint256[4] memory payments
    ) external {
        uint256 n = bound(holderCount, 1, 6);
        royaltyBps = uint16(bound(royaltyBps, 0, 9_000));
        uint256 accruing = SUPPLY - (SUPPLY * royaltyBps) / 10_000;
        (address[] memory holders, uint256[] memory amounts) = _randomAllocation(seed, n, accruing);
        uint256 id = _mint(holders, amounts, royaltyBps == 0 ? 0 : parent, royaltyBps, ETH);

        uint256 net;
        uint256 royalties;
        for (uint256 i; i < payments.length; ++i) {
            uint256 p = bound(payments[i], 1, 1e30);
            _payEth(id, p);
            uint256 r = (p * royaltyBps) / 10_000;
            net += p - r;
            royalties += r;
        }

        uint256 sum;
        for (uint256 i; i < n; ++i) {
            uint256 c = splitter.claimable(id, ETH, holders[i]);
            uint256 ref = Math.mulDiv(ingot.balanceOf(holders[i], id), net, accruing);
            assertLe(c, ref, "above pro-rata floor");
            assertGe(c + 1, ref, "more than one wei below pro-rata floor");
            sum += c;
        }
        assertLe(sum, net, "holders above net paid");
        assertLe(net - sum, n, "more than one wei lost per holder");
        uint256 parentGot = splitter.claimable(parent, ETH, address(0xFA));
        assertLe(parentGot, royalties, "parent above royalties");
        assertGe(parentGot + 1, royalties, "parent more than one wei short");
    }

    function testFuzz_transfer_splitsEarningsByHoldingPeriod(uint256 p1, uint256 p2, uint256 moved, uint16 royaltyBps)
        external
    {
        p1 = bound(p1, 1, 1e30);
        p2 = bound(p2, 1, 1e30);
        royaltyBps = uint16(bound(royaltyBps, 1, 9_000));
        uint256 id = _mintThree(parent, royaltyBps, ETH);
        uint256 accruing = SUPPLY - (SUPPLY * royaltyBps) / 10_000;
        uint256 aliceBefore = ingot.balanceOf(ALICE, id);
        moved = bound(moved, 0, aliceBefore);
        uint256 bobBefore = ingot.balanceOf(BOB, id);

        _payEth(id, p1);
        _move(ALICE, BOB, id, moved);
        _payEth(id, p2);

        uint256 n1 = p1 - (p1 * royaltyBps) / 10_000;
        uint256 n2 = p2 - (p2 * royaltyBps) / 10_000;
        uint256 aliceRef = (aliceBefore * n1 + (aliceBefore - moved) * n2) / accruing;
        uint256 bobRef = (bobBefore * n1 + (bobBefore + moved) * n2) / accruing;
        _assertWithinOne(splitter.claimable(id, ETH, ALICE), aliceRef, "alice");
        _assertWithinOne(splitter.claimable(id, ETH, BOB), bobRef, "bob");
        assertLe(
            splitter.claimable(id, ETH, ALICE) + splitter.claimable(id, ETH, BOB) + splitter.claimable(id, ETH, CAROL),
            n1 + n2,
            "holders above net paid"
        );
    }

    function testFuzz_pay_whenHuge_eitherFitsTheCapOrRevertsCleanly(uint256 amount, bool nearCap) external {
        // Half the runs straddle the cap closely, the rest roam the whole range.
        uint256 cap = (uint256(type(uint216).max) * SUPPLY) / 1e18;
        amount = nearCap ? bound(amount, cap - 1e6, cap + 1e6) : bound(amount, 1, type(uint256).max);
        MockERC20 t = new MockERC20("Big", "BIG", 18);
        uint256 id = _mintThree(0, 0, address(t));
        _payEth(id, 1 ether);
        t.mint(PAYER, amount);
        vm.prank(PAYER);
        t.approve(address(splitter), amount);

        (bool fitsMul, uint256 scaled) = Math.tryMul(amount, 1e18);
        bool expectOk = fitsMul && scaled / SUPPLY <= type(uint216).max;
        vm.prank(PAYER);
        try splitter.pay(id, address(t), amount) {
            assertTrue(expectOk, "accepted a payment past the cap");
            (uint256 perShare,) = splitter.poolOf(id, address(t));
            assertLe(perShare, type(uint216).max, "accumulator past cap");
        } catch (bytes memory err) {
            assertTrue(!expectOk, "refused a payment under the cap");
            assertEq(
                keccak256(err),
                keccak256(
                    abi.encodeWithSelector(IRevenueSplitter.SplitterPaymentTooLarge.selector, id, address(t), amount)
                ),
                "revert reason"
            );
        }
        // Whatever happened, shares still move and other assets still pay out.
        _move(ALICE, BOB, id, 600_000_000);
        vm.prank(ALICE);
        splitter.claim(id, ETH, ALICE);
        assertEq(ALICE.balance, 0.6 ether, "eth claim");
        if (expectOk) {
            vm.prank(BOB);
            splitter.claim(id, address(t), BOB);
            assertEq(t.balanceOf(BOB), Math.mulDiv(amount, 3, 10), "token claim");
        }
    }

    function _randomAllocation(uint256 seed, uint256 n, uint256 total)
        internal
        pure
        returns (address[] memory holders, uint256[] memory amounts)
    {
        holders = new address[](n);
        amounts = new uint256[](n);
        uint256 left = total;
        for (uint256 i; i < n; ++i) {
            holders[i] = address(uint160(0x5000 + i));
            amounts[i] = i == n - 1 ? left : uint256(keccak256(abi.encode(seed, i))) % (left + 1);
            left -= amounts[i];
        }
    }

    function _assertWithinOne(uint256 actual, uint256 expected, string memory what) internal pure {
        assertLe(actual, expected + 1, what);
        assertGe(actual + 1, expected, what);
    }
}
