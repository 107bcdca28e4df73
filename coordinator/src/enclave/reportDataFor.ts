import { concatHex, encodeAbiParameters, isAddress, isHex, keccak256, size, type Address, type Hex } from "viem";
import { EnclaveInputError } from "./errors.js";

export type ReportDataForReturnType = Hex;

/**
 * The 64 bytes of report data an enclave puts in its attestation quote to register `signer` and
 * `hpkePublicKey` on chain `chainId`, made over a recent block whose hash is `quoteBlockHash`:
 * `keccak256(abi.encode(signer, hpkePublicKey, chainId))` followed by the block hash. Identical to
 * `EnclaveRegistry.reportDataFor(signer, hpkePublicKey, quoteBlock)` (which uses `block.chainid`
 * and `blockhash(quoteBlock)`), so a quote binds one key pair on one chain and is fresh: the
 * registry accepts it only while `quoteBlock` is one of its last 256 blocks (readQuoteBlock).
 */
export function reportDataFor(signer: Address, hpkePublicKey: Hex, chainId: number | bigint, quoteBlockHash: Hex): ReportDataForReturnType {
  if (!isAddress(signer, { strict: false })) throw new EnclaveInputError("signer", "is not a 20-byte address");
  if (!isHex(hpkePublicKey, { strict: true }) || size(hpkePublicKey) !== 32) {
    throw new EnclaveInputError("hpkePublicKey", "is not 32 bytes (an X25519 public key)");
  }
  const id = BigInt(chainId);
  if (id <= 0n) throw new EnclaveInputError("chainId", "is not a positive chain id");
  if (!isHex(quoteBlockHash, { strict: true }) || size(quoteBlockHash) !== 32 || BigInt(quoteBlockHash) === 0n) {
    throw new EnclaveInputError("quoteBlockHash", "is not the 32-byte hash of a recent block (read it with readQuoteBlock)");
  }
  const binding = keccak256(
    encodeAbiParameters([{ type: "address" }, { type: "bytes32" }, { type: "uint256" }], [signer, hpkePublicKey, id]),
  );
  return concatHex([binding, quoteBlockHash]);
}
