import { parseAbi } from "viem";

/**
 * The ProofLog ABI (contracts/interfaces/IProofLog.sol) typed for viem, errors included so
 * reverts decode by name. test/ts/gateway/chainAbi.test.ts checks it against the compiled artifact.
 */
export const proofLogAbi = parseAbi([
  "struct Anchor { uint64 sequence; uint64 anchoredAt; }",
  "function append(uint64 firstSequence, bytes32[] roots)",
  "function nextSequence() view returns (uint64)",
  "function anchorOf(bytes32 root) view returns (Anchor)",
  "function APPENDER_ROLE() view returns (bytes32)",
  "event RootAnchored(uint64 indexed sequence, bytes32 indexed root, address indexed appender, uint64 anchoredAt)",
  "error ProofLogZeroAddress()",
  "error ProofLogNoRoots()",
  "error ProofLogZeroRoot(uint256 index)",
  "error ProofLogSequenceMismatch(uint64 expected, uint64 given)",
  "error ProofLogRootAlreadyAnchored(bytes32 root, uint64 sequence)",
]);
