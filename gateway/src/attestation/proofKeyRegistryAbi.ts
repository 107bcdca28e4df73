import { parseAbi } from "viem";

/**
 * The ProofKeyRegistry ABI (contracts/interfaces/IProofKeyRegistry.sol) typed for viem, so the
 * gateway and `verify` run without Hardhat's build output; errors included so reverts decode by
 * name. test/ts/gateway/chainAbi.test.ts checks every item against the compiled artifact.
 */
export const proofKeyRegistryAbi = parseAbi([
  "struct ProofKey { bytes32 measurement; uint64 registeredAt; bool revoked; bool simulated; }",
  "function registerProofKey(bytes quote, bytes32 publicKey) returns (bytes32 measurement)",
  "function revokeProofKey(bytes32 publicKey)",
  "function setMeasurementAllowed(bytes32 measurement, bool allowed)",
  "function proofKey(bytes32 publicKey) view returns (ProofKey)",
  "function isValid(bytes32 publicKey) view returns (bool)",
  "function measurementAllowed(bytes32 measurement) view returns (bool)",
  "function reportDataFor(bytes32 publicKey) pure returns (bytes)",
  "function verifier() view returns (address)",
  "event ProofKeyRegistered(bytes32 indexed publicKey, bytes32 indexed measurement, bool simulated)",
  "event ProofKeyRevoked(bytes32 indexed publicKey, bytes32 indexed measurement)",
  "event MeasurementAllowed(bytes32 indexed measurement, bool allowed)",
  "error ProofKeyReportDataMismatch(bytes expected, bytes actual)",
  "error ProofKeyMeasurementNotAllowed(bytes32 measurement)",
  "error ProofKeyDebugRefused(bytes32 measurement)",
  "error ProofKeyTcbNotOk(bytes32 measurement)",
  "error ProofKeyZero()",
  "error ProofKeyUnknown(bytes32 publicKey)",
  "error ProofKeyIsRevoked(bytes32 publicKey)",
  "error ProofKeyRegistryZeroAddress()",
]);
