// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IRevenueSplitter} from "./IRevenueSplitter.sol";

/// @title IGatewayDeposits
/// @notice Prepaid credit for the inference gateway. Payers deposit ETH or ERC-20s; the gateway
/// serves calls off chain against that credit and, in batches, moves what was served from the
/// payers' deposits into the RevenueSplitter, one payment per Ingot.
/// @dev Accounting per asset (ETH is `address(0)`): this contract holds the sum of all payers'
/// balances, and everything ever deposited equals the balances plus everything paid into the
/// splitter plus everything withdrawn. Plain ETH transfers revert (there is no payer to credit);
/// tokens transferred directly, or ETH forced in, are credited to no one and stay here. Every balance change emits an event: `Deposited`, `Charged` (one per
/// debit of a settled batch), `Withdrawn`.
///
/// Settlement (`SETTLER_ROLE`, the gateway): a batch names one asset, debits (payer, amount) and
/// credits (Ingot, amount) whose totals are equal. Each debit must fit the payer's balance at
/// that point of the batch (a payer may appear more than once). A batch id is accepted once, so
/// a batch sent twice (a retry after a lost receipt) settles once. Every credit is paid with
/// `IRevenueSplitter.pay`, and the splitter must credit exactly the amount: an asset that
/// arrives short (fee on transfer) cannot be settled, rather than pay holders less than payers
/// were charged.
///
/// Withdrawal with notice: a payer requests an amount (at most its balance), waits
/// `withdrawalDelay` seconds, then withdraws. During the notice the gateway stops serving against
/// that credit and settles what it already served, which may lower the balance; `withdraw` then
/// sends min(requested, balance). A new request replaces the previous one and restarts the notice.
interface IGatewayDeposits {
    /// @notice One payer's share of a settlement batch.
    struct Debit {
        address payer;
        uint256 amount;
    }

    /// @notice One Ingot's revenue in a settlement batch, paid into the RevenueSplitter.
    struct Credit {
        uint256 ingotId;
        uint256 amount;
    }

    /// @notice A payer's pending withdrawal of one asset.
    struct PendingWithdrawal {
        uint256 amount;
        uint64 readyAt;
    }

    /// @notice The zero address was given for the splitter, the admin or a payer, or as the
    /// ERC-20 of `depositToken` (deposit ETH with `deposit`).
    error DepositZeroAddress();
    /// @notice Nothing arrived: zero ETH, or a token transfer that credited nothing.
    error DepositZeroAmount(address payer, address asset);
    /// @notice `batchId` was settled before.
    error BatchAlreadySettled(bytes32 batchId);
    /// @notice The batch has no credits (there would be nothing to pay).
    error SettlementEmpty(bytes32 batchId);
    /// @notice A debit or credit of zero (`index` in its list; `isCredit` says which list).
    error SettlementZeroAmount(bytes32 batchId, bool isCredit, uint256 index);
    /// @notice The debits and the credits of a batch sum to different totals.
    error SettlementUnbalanced(uint256 debits, uint256 credits);
    /// @notice `payer` has `balance` of `asset` left, less than `amount` (a debit, or a
    /// withdrawal request).
    error InsufficientDeposit(address payer, address asset, uint256 balance, uint256 amount);
    /// @notice The splitter credited `credited` for a payment of `amount` (a token that arrives
    /// short cannot be settled exactly).
    error SettlementCreditMismatch(bytes32 batchId, uint256 ingotId, address asset, uint256 amount, uint256 credited);
    /// @notice A withdrawal request of zero.
    error WithdrawalZeroAmount(address payer, address asset);
    /// @notice `payer` has no pending withdrawal of `asset`.
    error WithdrawalNotRequested(address payer, address asset);
    /// @notice The notice runs until `readyAt`; it is `timestamp`.
    error WithdrawalNotReady(address payer, address asset, uint64 readyAt, uint256 timestamp);
    /// @notice Sending `amount` ETH to `to` failed; withdraw from an account that accepts ETH.
    error WithdrawalEthTransferFailed(address to, uint256 amount);

    /// @notice `from` deposited `amount` of `asset` (what arrived) to the credit of `payer`.
    event Deposited(address indexed payer, address indexed asset, uint256 amount, address from);
    /// @notice Batch `batchId` debited `amount` of `asset` from `payer`.
    event Charged(bytes32 indexed batchId, address indexed payer, address indexed asset, uint256 amount);
    /// @notice Batch `batchId` paid `total` of `asset` into the splitter: `debitCount` debits,
    /// `creditCount` Ingot payments.
    event Settled(bytes32 indexed batchId, address indexed asset, uint256 total, uint256 debitCount, uint256 creditCount);
    /// @notice `payer` asked to withdraw `amount` of `asset`, possible from `readyAt`.
    event WithdrawalRequested(address indexed payer, address indexed asset, uint256 amount, uint64 readyAt);
    /// @notice `payer` cancelled its pending withdrawal of `amount` of `asset`.
    event WithdrawalCancelled(address indexed payer, address indexed asset, uint256 amount);
    /// @notice `payer` withdrew `amount` of `asset` (0 when settlement used up the balance).
    event Withdrawn(address indexed payer, address indexed asset, uint256 amount);

    /// @notice Deposit the ETH sent to the credit of `payer` (which may differ from the sender).
    function deposit(address payer) external payable;

    /// @notice Pull `amount` of `asset` from the sender (approve first) and credit `payer` with
    /// the balance that actually arrived (net of any transfer fee).
    /// @return credited what `payer` was credited.
    function depositToken(IERC20 asset, uint256 amount, address payer) external returns (uint256 credited);

    /// @notice Settle batch `batchId` in `asset`: debit each payer, pay each Ingot into the
    /// splitter. Only `SETTLER_ROLE`. Reverts as a whole on any failed check or payment.
    function settle(bytes32 batchId, address asset, Debit[] calldata debits, Credit[] calldata credits) external;

    /// @notice Ask to withdraw `amount` of `asset` (at most the balance) after the notice;
    /// replaces any pending request of that asset.
    function requestWithdrawal(address asset, uint256 amount) external;

    /// @notice After the notice, send the caller min(requested, balance) of `asset` and clear the request.
    /// @return amount what was sent.
    function withdraw(address asset) external returns (uint256 amount);

    /// @notice Drop the caller's pending withdrawal of `asset`.
    function cancelWithdrawal(address asset) external;

    /// @notice `payer`'s balance of `asset`, including any amount pending withdrawal.
    function balanceOf(address payer, address asset) external view returns (uint256);

    /// @notice `payer`'s pending withdrawal of `asset` (amount 0 when none).
    function pendingWithdrawal(address payer, address asset) external view returns (uint256 amount, uint64 readyAt);

    /// @notice Whether batch `batchId` was settled.
    function settled(bytes32 batchId) external view returns (bool);

    /// @notice The RevenueSplitter settled batches pay into.
    function splitter() external view returns (IRevenueSplitter);

    /// @notice Seconds between a withdrawal request and the withdrawal.
    function withdrawalDelay() external view returns (uint64);

    /// @notice The role allowed to settle batches.
    function SETTLER_ROLE() external view returns (bytes32);
}
