import { parseAbi } from "viem";

/**
 * The GatewayDeposits ABI the gateway uses (contracts/interfaces/IGatewayDeposits.sol), typed
 * for viem, so the gateway runs without Hardhat's build output. The custom errors are included
 * so that reverts decode to their names and data. test/ts/gateway/chainAbi.test.ts checks every
 * item against the compiled artifact.
 */
export const gatewayDepositsAbi = parseAbi([
  "struct Debit { address payer; uint256 amount; }",
  "struct Credit { uint256 ingotId; uint256 amount; }",
  "function deposit(address payer) payable",
  "function depositToken(address asset, uint256 amount, address payer) returns (uint256 credited)",
  "function settle(bytes32 batchId, address asset, Debit[] debits, Credit[] credits)",
  "function requestWithdrawal(address asset, uint256 amount)",
  "function withdraw(address asset) returns (uint256 amount)",
  "function cancelWithdrawal(address asset)",
  "function balanceOf(address payer, address asset) view returns (uint256)",
  "function pendingWithdrawal(address payer, address asset) view returns (uint256 amount, uint64 readyAt)",
  "function settled(bytes32 batchId) view returns (bool)",
  "function splitter() view returns (address)",
  "function withdrawalDelay() view returns (uint64)",
  "function SETTLER_ROLE() view returns (bytes32)",
  "function grantRole(bytes32 role, address account)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "event Deposited(address indexed payer, address indexed asset, uint256 amount, address from)",
  "event Charged(bytes32 indexed batchId, address indexed payer, address indexed asset, uint256 amount)",
  "event Settled(bytes32 indexed batchId, address indexed asset, uint256 total, uint256 debitCount, uint256 creditCount)",
  "event WithdrawalRequested(address indexed payer, address indexed asset, uint256 amount, uint64 readyAt)",
  "event WithdrawalCancelled(address indexed payer, address indexed asset, uint256 amount)",
  "event Withdrawn(address indexed payer, address indexed asset, uint256 amount)",
  "error DepositZeroAddress()",
  "error DepositZeroAmount(address payer, address asset)",
  "error BatchAlreadySettled(bytes32 batchId)",
  "error SettlementEmpty(bytes32 batchId)",
  "error SettlementZeroAmount(bytes32 batchId, bool isCredit, uint256 index)",
  "error SettlementUnbalanced(uint256 debits, uint256 credits)",
  "error InsufficientDeposit(address payer, address asset, uint256 balance, uint256 amount)",
  "error SettlementCreditMismatch(bytes32 batchId, uint256 ingotId, address asset, uint256 amount, uint256 credited)",
  "error WithdrawalZeroAmount(address payer, address asset)",
  "error WithdrawalNotRequested(address payer, address asset)",
  "error WithdrawalNotReady(address payer, address asset, uint64 readyAt, uint256 timestamp)",
  "error WithdrawalEthTransferFailed(address to, uint256 amount)",
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
  "error AccessControlBadConfirmation()",
  "error ReentrancyGuardReentrantCall()",
  "error SafeERC20FailedOperation(address token)",
  // The RevenueSplitter's errors, which a settlement's payments can revert with.
  "error SplitterUnknownIngot(uint256 ingotId)",
  "error SplitterAssetNotAccepted(uint256 ingotId, address asset)",
  "error SplitterTooManyAssets(uint256 ingotId, address asset, uint256 max)",
  "error SplitterPaymentTooLarge(uint256 ingotId, address asset, uint256 amount)",
  "error SplitterZeroPayment(uint256 ingotId, address asset)",
  // Only when the deposits lack the splitter's TRUSTED_PAYER_ROLE (the Gateway module grants it).
  "error SplitterFirstPaymentTooSmall(uint256 ingotId, address asset, uint256 amount, uint256 minimum)",
]);

/** The Ingot reads the gateway needs (contracts/interfaces/IIngot.sol). */
export const ingotReadAbi = parseAbi([
  "struct IngotInfo { address forge; uint256 parentId; uint16 royaltyBps; address capitalAsset; bytes32 baseModelRoot; bytes32 adapterRoot; bytes32 measurement; bytes32 attributionLogRoot; int256 metricBefore; int256 metricAfter; string baseModelName; string metadataURI; }",
  "function count() view returns (uint256)",
  "function info(uint256 ingotId) view returns (IngotInfo)",
]);
