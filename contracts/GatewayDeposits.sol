// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IGatewayDeposits} from "./interfaces/IGatewayDeposits.sol";
import {IRevenueSplitter} from "./interfaces/IRevenueSplitter.sol";

/// @title GatewayDeposits
/// @notice See {IGatewayDeposits}.
contract GatewayDeposits is IGatewayDeposits, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IGatewayDeposits
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");

    address private constant ETH = address(0);

    /// @inheritdoc IGatewayDeposits
    IRevenueSplitter public immutable splitter;
    /// @inheritdoc IGatewayDeposits
    uint64 public immutable withdrawalDelay;

    /// @inheritdoc IGatewayDeposits
    mapping(bytes32 batchId => bool) public settled;

    mapping(address payer => mapping(address asset => uint256)) private _balances;
    mapping(address payer => mapping(address asset => PendingWithdrawal)) private _pending;

    constructor(IRevenueSplitter splitter_, address admin, uint64 withdrawalDelay_) {
        if (address(splitter_) == address(0) || admin == address(0)) revert DepositZeroAddress();
        splitter = splitter_;
        withdrawalDelay = withdrawalDelay_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IGatewayDeposits
    function deposit(address payer) external payable nonReentrant {
        if (payer == address(0)) revert DepositZeroAddress();
        if (msg.value == 0) revert DepositZeroAmount(payer, ETH);
        _balances[payer][ETH] += msg.value;
        emit Deposited(payer, ETH, msg.value, msg.sender);
    }

    /// @inheritdoc IGatewayDeposits
    function depositToken(IERC20 asset, uint256 amount, address payer) external nonReentrant returns (uint256 credited) {
        if (payer == address(0) || address(asset) == ETH) revert DepositZeroAddress();
        // The one interaction before effects: only the balance that arrived can be credited.
        uint256 before = asset.balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        credited = asset.balanceOf(address(this)) - before;
        if (credited == 0) revert DepositZeroAmount(payer, address(asset));
        _balances[payer][address(asset)] += credited;
        emit Deposited(payer, address(asset), credited, msg.sender);
    }

    /// @inheritdoc IGatewayDeposits
    function settle(bytes32 batchId, address asset, Debit[] calldata debits, Credit[] calldata credits)
        external
        onlyRole(SETTLER_ROLE)
        nonReentrant
    {
        if (settled[batchId]) revert BatchAlreadySettled(batchId);
        if (credits.length == 0) revert SettlementEmpty(batchId);
        uint256 creditTotal;
        for (uint256 i; i < credits.length; ++i) {
            if (credits[i].amount == 0) revert SettlementZeroAmount(batchId, true, i);
            creditTotal += credits[i].amount;
        }
        uint256 debitTotal;
        for (uint256 i; i < debits.length; ++i) {
            if (debits[i].amount == 0) revert SettlementZeroAmount(batchId, false, i);
            debitTotal += debits[i].amount;
        }
        if (debitTotal != creditTotal) revert SettlementUnbalanced(debitTotal, creditTotal);

        settled[batchId] = true;
        for (uint256 i; i < debits.length; ++i) {
            Debit calldata d = debits[i];
            uint256 balance = _balances[d.payer][asset];
            if (balance < d.amount) revert InsufficientDeposit(d.payer, asset, balance, d.amount);
            _balances[d.payer][asset] = balance - d.amount;
            emit Charged(batchId, d.payer, asset, d.amount);
        }
        emit Settled(batchId, asset, creditTotal, debits.length, credits.length);

        if (asset != ETH) IERC20(asset).forceApprove(address(splitter), creditTotal);
        for (uint256 i; i < credits.length; ++i) {
            Credit calldata c = credits[i];
            uint256 credited = asset == ETH
                ? splitter.pay{value: c.amount}(c.ingotId, ETH, c.amount)
                : splitter.pay(c.ingotId, asset, c.amount);
            if (credited != c.amount) revert SettlementCreditMismatch(batchId, c.ingotId, asset, c.amount, credited);
        }
    }

    /// @inheritdoc IGatewayDeposits
    function requestWithdrawal(address asset, uint256 amount) external {
        if (amount == 0) revert WithdrawalZeroAmount(msg.sender, asset);
        uint256 balance = _balances[msg.sender][asset];
        if (amount > balance) revert InsufficientDeposit(msg.sender, asset, balance, amount);
        uint64 readyAt = uint64(block.timestamp) + withdrawalDelay;
        _pending[msg.sender][asset] = PendingWithdrawal({amount: amount, readyAt: readyAt});
        emit WithdrawalRequested(msg.sender, asset, amount, readyAt);
    }

    /// @inheritdoc IGatewayDeposits
    function withdraw(address asset) external nonReentrant returns (uint256 amount) {
        PendingWithdrawal memory p = _pending[msg.sender][asset];
        if (p.amount == 0) revert WithdrawalNotRequested(msg.sender, asset);
        if (block.timestamp < p.readyAt) revert WithdrawalNotReady(msg.sender, asset, p.readyAt, block.timestamp);
        uint256 balance = _balances[msg.sender][asset];
        amount = p.amount < balance ? p.amount : balance;
        delete _pending[msg.sender][asset];
        _balances[msg.sender][asset] = balance - amount;
        emit Withdrawn(msg.sender, asset, amount);

        if (amount == 0) return 0;
        if (asset == ETH) {
            (bool ok,) = msg.sender.call{value: amount}("");
            if (!ok) revert WithdrawalEthTransferFailed(msg.sender, amount);
        } else {
            IERC20(asset).safeTransfer(msg.sender, amount);
        }
    }

    /// @inheritdoc IGatewayDeposits
    function cancelWithdrawal(address asset) external {
        uint256 amount = _pending[msg.sender][asset].amount;
        if (amount == 0) revert WithdrawalNotRequested(msg.sender, asset);
        delete _pending[msg.sender][asset];
        emit WithdrawalCancelled(msg.sender, asset, amount);
    }

    /// @inheritdoc IGatewayDeposits
    function balanceOf(address payer, address asset) external view returns (uint256) {
        return _balances[payer][asset];
    }

    /// @inheritdoc IGatewayDeposits
    function pendingWithdrawal(address payer, address asset) external view returns (uint256 amount, uint64 readyAt) {
        PendingWithdrawal memory p = _pending[payer][asset];
        return (p.amount, p.readyAt);
    }
}
