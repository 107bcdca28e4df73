// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IngotFixture} from "./utils/IngotFixture.sol";
import {GatewayDeposits} from "../../contracts/GatewayDeposits.sol";
import {IGatewayDeposits} from "../../contracts/interfaces/IGatewayDeposits.sol";
import {IRevenueSplitter} from "../../contracts/interfaces/IRevenueSplitter.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The production splitter and Ingot (IngotFixture) with two Ingots held 60/30/10 by
/// Alice, Bob and Carol, and GatewayDeposits in front of the splitter: the test contract is its
/// admin, `SETTLER` settles, payers are plain accounts. The deposits hold the splitter's
/// TRUSTED_PAYER_ROLE.
abstract contract GatewayDepositsFixture is IngotFixture {
    uint64 internal constant DELAY = 1 days;
    address internal constant SETTLER = address(0x5E771E);
    address internal constant PAYER2 = address(0x9A7E3);
    address internal constant SPONSOR = address(0x5B0);
    address internal constant ETH = address(0);

    GatewayDeposits internal deposits;
    uint256 internal idA;
    uint256 internal idB;

    function _deployDeposits() internal {
        _deploy();
        idA = _mintThree(0, 0, address(0));
        idB = _mintThree(0, 0, address(0));
        deposits = new GatewayDeposits(IRevenueSplitter(address(splitter)), address(this), DELAY);
        deposits.grantRole(deposits.SETTLER_ROLE(), SETTLER);
        // As the Gateway Ignition module does: settlements may open an asset slot below the
        // splitter's minimum first payment (they carry whatever fees came due).
        splitter.grantRole(splitter.TRUSTED_PAYER_ROLE(), address(deposits));
    }

    function _depositEth(address payer, uint256 amount) internal {
        vm.deal(payer, payer.balance + amount);
        vm.prank(payer);
        deposits.deposit{value: amount}(payer);
    }

    /// @dev `mint` is the token's own open mint (every token mock has one).
    function _depositToken(IERC20 token, function(address, uint256) external mint, address payer, uint256 amount)
        internal
        returns (uint256 credited)
    {
        mint(payer, amount);
        vm.startPrank(payer);
        token.approve(address(deposits), amount);
        credited = deposits.depositToken(token, amount, payer);
        vm.stopPrank();
    }

    function _debit(address payer, uint256 amount) internal pure returns (IGatewayDeposits.Debit[] memory d) {
        d = new IGatewayDeposits.Debit[](1);
        d[0] = IGatewayDeposits.Debit(payer, amount);
    }

    function _debits(address p1, uint256 a1, address p2, uint256 a2) internal pure returns (IGatewayDeposits.Debit[] memory d) {
        d = new IGatewayDeposits.Debit[](2);
        d[0] = IGatewayDeposits.Debit(p1, a1);
        d[1] = IGatewayDeposits.Debit(p2, a2);
    }

    function _credit(uint256 ingotId, uint256 amount) internal pure returns (IGatewayDeposits.Credit[] memory c) {
        c = new IGatewayDeposits.Credit[](1);
        c[0] = IGatewayDeposits.Credit(ingotId, amount);
    }

    function _credits(uint256 i1, uint256 a1, uint256 i2, uint256 a2) internal pure returns (IGatewayDeposits.Credit[] memory c) {
        c = new IGatewayDeposits.Credit[](2);
        c[0] = IGatewayDeposits.Credit(i1, a1);
        c[1] = IGatewayDeposits.Credit(i2, a2);
    }

    function _settle(bytes32 batchId, address asset, IGatewayDeposits.Debit[] memory d, IGatewayDeposits.Credit[] memory c)
        internal
    {
        vm.prank(SETTLER);
        deposits.settle(batchId, asset, d, c);
    }
}
