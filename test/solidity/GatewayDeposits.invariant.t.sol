// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./utils/Vm.sol";
import {GatewayDepositsFixture} from "./GatewayDepositsFixture.sol";
import {GatewayDeposits} from "../../contracts/GatewayDeposits.sol";
import {IGatewayDeposits} from "../../contracts/interfaces/IGatewayDeposits.sol";
import {RevenueSplitter} from "../../contracts/RevenueSplitter.sol";
import {MockERC20} from "../../contracts/mocks/tokens/MockERC20.sol";
import {FeeOnTransferToken} from "../../contracts/mocks/tokens/FeeOnTransferToken.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Drives GatewayDeposits with random deposits (ETH, an ERC-20, a fee-on-transfer token;
/// by the payer or a sponsor), settlements of random debits and credits into two Ingots,
/// withdrawal requests, cancellations, withdrawals and time, and keeps its own reference of each
/// payer's balance and of the money in and out. It is the settler.
contract GatewayDepositsHandler is TestBase {
    GatewayDeposits internal immutable deposits;
    address[] internal actors;
    address[3] internal assets;
    uint256[2] internal ids;

    mapping(address actor => mapping(address asset => uint256)) public expectedBalance;
    mapping(address asset => uint256) public deposited;
    mapping(address asset => uint256) public paid;
    mapping(address asset => uint256) public withdrawn;
    bool public withdrewWrongAmount;
    bool public feeTokenSettled;
    uint256 internal nonce;
    uint256 public settlements;

    constructor(GatewayDeposits deposits_, address[] memory actors_, address[3] memory assets_, uint256[2] memory ids_) {
        deposits = deposits_;
        actors = actors_;
        assets = assets_;
        ids = ids_;
    }

    function depositEth(uint256 actorSeed, uint256 fromSeed, uint256 amount) external {
        address payer = actors[actorSeed % actors.length];
        address from = actors[fromSeed % actors.length];
        amount = bound(amount, 1, 1e24);
        vm.deal(from, from.balance + amount);
        vm.prank(from);
        deposits.deposit{value: amount}(payer);
        expectedBalance[payer][address(0)] += amount;
        deposited[address(0)] += amount;
    }

    function depositToken(uint256 actorSeed, uint256 tokenSeed, uint256 amount) external {
        address payer = actors[actorSeed % actors.length];
        address token = assets[1 + (tokenSeed % 2)];
        amount = bound(amount, 1, 1e24);
        MockERC20(token).mint(payer, amount);
        vm.startPrank(payer);
        IERC20(token).approve(address(deposits), amount);
        // A fee-on-transfer deposit can round to nothing (then it reverts and nothing changes).
        try deposits.depositToken(IERC20(token), amount, payer) returns (uint256 credited) {
            expectedBalance[payer][token] += credited;
            deposited[token] += credited;
        } catch {}
        vm.stopPrank();
    }

    /// @dev ETH or the plain ERC-20: up to one debit per payer, split between the two Ingots.
    function settle(uint256 assetSeed, uint256 a0, uint256 a1, uint256 a2, uint256 split) external {
        address asset = assets[assetSeed % 2];
        uint256[3] memory want = [a0, a1, a2];
        uint256 n;
        uint256 total;
        IGatewayDeposits.Debit[] memory all = new IGatewayDeposits.Debit[](actors.length);
        for (uint256 i; i < actors.length; ++i) {
            uint256 amount = bound(want[i], 0, expectedBalance[actors[i]][asset]);
            if (amount == 0) continue;
            all[n++] = IGatewayDeposits.Debit(actors[i], amount);
            total += amount;
        }
        if (total == 0) return;
        IGatewayDeposits.Debit[] memory debits = new IGatewayDeposits.Debit[](n);
        for (uint256 i; i < n; ++i) debits[i] = all[i];
        uint256 toA = bound(split, 0, total);
        uint256 parts = (toA == 0 || toA == total) ? 1 : 2;
        IGatewayDeposits.Credit[] memory credits = new IGatewayDeposits.Credit[](parts);
        if (parts == 1) credits[0] = IGatewayDeposits.Credit(toA == 0 ? ids[1] : ids[0], total);
        else (credits[0], credits[1]) = (IGatewayDeposits.Credit(ids[0], toA), IGatewayDeposits.Credit(ids[1], total - toA));

        deposits.settle(keccak256(abi.encode("batch", nonce++)), asset, debits, credits);
        for (uint256 i; i < n; ++i) expectedBalance[debits[i].payer][asset] -= debits[i].amount;
        paid[asset] += total;
        settlements++;
    }

    /// @dev The fee token arrives short at the splitter, so it must never settle.
    function settleFeeToken(uint256 actorSeed, uint256 amount) external {
        address payer = actors[actorSeed % actors.length];
        address token = assets[2];
        uint256 balance = expectedBalance[payer][token];
        if (balance < 100) return;
        amount = bound(amount, 100, balance);
        try deposits.settle(
            keccak256(abi.encode("fee batch", nonce++)), token, _one(payer, amount), _oneCredit(ids[0], amount)
        ) {
            feeTokenSettled = true;
        } catch {}
    }

    function requestWithdrawal(uint256 actorSeed, uint256 assetSeed, uint256 amount) external {
        address payer = actors[actorSeed % actors.length];
        address asset = assets[assetSeed % assets.length];
        uint256 balance = expectedBalance[payer][asset];
        if (balance == 0) return;
        amount = bound(amount, 1, balance);
        vm.prank(payer);
        deposits.requestWithdrawal(asset, amount);
    }

    function cancelWithdrawal(uint256 actorSeed, uint256 assetSeed) external {
        address payer = actors[actorSeed % actors.length];
        address asset = assets[assetSeed % assets.length];
        (uint256 pending,) = deposits.pendingWithdrawal(payer, asset);
        if (pending == 0) return;
        vm.prank(payer);
        deposits.cancelWithdrawal(asset);
    }

    /// @dev Waits out the notice when needed; the payer must get min(requested, balance).
    function withdraw(uint256 actorSeed, uint256 assetSeed) external {
        address payer = actors[actorSeed % actors.length];
        address asset = assets[assetSeed % assets.length];
        (uint256 pending, uint64 readyAt) = deposits.pendingWithdrawal(payer, asset);
        if (pending == 0) return;
        if (block.timestamp < readyAt) vm.warp(readyAt);
        uint256 balance = expectedBalance[payer][asset];
        uint256 expected = pending < balance ? pending : balance;
        vm.prank(payer);
        uint256 sent = deposits.withdraw(asset);
        if (sent != expected) withdrewWrongAmount = true;
        expectedBalance[payer][asset] -= sent;
        withdrawn[asset] += sent;
    }

    function wait(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 2 days));
    }

    function actorList() external view returns (address[] memory) {
        return actors;
    }

    function assetList() external view returns (address[3] memory) {
        return assets;
    }

    function _one(address payer, uint256 amount) private pure returns (IGatewayDeposits.Debit[] memory d) {
        d = new IGatewayDeposits.Debit[](1);
        d[0] = IGatewayDeposits.Debit(payer, amount);
    }

    function _oneCredit(uint256 id, uint256 amount) private pure returns (IGatewayDeposits.Credit[] memory c) {
        c = new IGatewayDeposits.Credit[](1);
        c[0] = IGatewayDeposits.Credit(id, amount);
    }
}

/// forge-config: default.invariant.runs = 24
/// forge-config: default.invariant.depth = 40
contract GatewayDepositsInvariantTest is GatewayDepositsFixture {
    GatewayDepositsHandler internal handler;
    MockERC20 internal usdc;
    FeeOnTransferToken internal feeToken;

    function setUp() external {
        _deployDeposits();
        usdc = new MockERC20("USD Coin", "USDC", 6);
        feeToken = new FeeOnTransferToken(250);
        splitter.setAssetAllowed(address(usdc), true, 1);
        splitter.setAssetAllowed(address(feeToken), true, 1);
        address[] memory actors = new address[](3);
        (actors[0], actors[1], actors[2]) = (PAYER, PAYER2, SPONSOR);
        handler = new GatewayDepositsHandler(deposits, actors, [ETH, address(usdc), address(feeToken)], [idA, idB]);
        deposits.grantRole(deposits.SETTLER_ROLE(), address(handler));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function _held(address asset, address who) internal view returns (uint256) {
        return asset == ETH ? who.balance : IERC20(asset).balanceOf(who);
    }

    /// @notice The contract holds exactly the sum of the payers' balances, in every asset.
    function invariant_holdingsEqualSumOfBalances() external view {
        address[] memory actors = handler.actorList();
        address[3] memory assets = handler.assetList();
        for (uint256 a; a < assets.length; ++a) {
            uint256 sum;
            for (uint256 i; i < actors.length; ++i) sum += deposits.balanceOf(actors[i], assets[a]);
            assertEq(_held(assets[a], address(deposits)), sum, "holdings = sum of balances");
        }
    }

    /// @notice Everything deposited is still a balance, was paid into the splitter, or was
    /// withdrawn; and the splitter holds exactly what settlements paid it.
    function invariant_depositedEqualsBalancesPlusPaidPlusWithdrawn() external view {
        address[] memory actors = handler.actorList();
        address[3] memory assets = handler.assetList();
        for (uint256 a; a < assets.length; ++a) {
            address asset = assets[a];
            uint256 balances;
            for (uint256 i; i < actors.length; ++i) balances += deposits.balanceOf(actors[i], asset);
            assertEq(
                handler.deposited(asset), balances + handler.paid(asset) + handler.withdrawn(asset), "in = balances + paid + out"
            );
            assertEq(_held(asset, address(splitter)), handler.paid(asset), "splitter holds what was paid");
        }
    }

    /// @notice Each payer's balance is exactly the reference: credited deposits minus debits minus withdrawals.
    function invariant_balancesMatchReference() external view {
        address[] memory actors = handler.actorList();
        address[3] memory assets = handler.assetList();
        for (uint256 a; a < assets.length; ++a) {
            for (uint256 i; i < actors.length; ++i) {
                assertEq(deposits.balanceOf(actors[i], assets[a]), handler.expectedBalance(actors[i], assets[a]), "balance");
            }
        }
    }

    /// @notice What was paid reaches the Ingots' holders, less at most one wei per holder and pool.
    function invariant_paidReachesHoldersWithinDust() external view {
        address[3] memory holders = [ALICE, BOB, CAROL];
        address[3] memory assets = handler.assetList();
        for (uint256 a; a < assets.length; ++a) {
            uint256 owed;
            for (uint256 h; h < holders.length; ++h) {
                owed += splitter.claimable(idA, assets[a], holders[h]) + splitter.claimable(idB, assets[a], holders[h]);
            }
            uint256 paidIn = handler.paid(assets[a]);
            assertLe(owed, paidIn, "holders owed more than paid");
            assertLe(paidIn - owed, 2 * (holders.length + 1), "dust above bound");
        }
    }

    /// @notice Withdrawals send min(requested, balance); a short-arriving token never settles.
    function invariant_withdrawalsExact_andFeeTokenNeverSettles() external view {
        assertTrue(!handler.withdrewWrongAmount(), "withdrawal other than min(requested, balance)");
        assertTrue(!handler.feeTokenSettled(), "fee-on-transfer token settled short");
        assertEq(handler.paid(address(feeToken)), 0, "fee token paid");
    }
}
