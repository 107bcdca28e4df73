import { concatHex, encodeAbiParameters, isAddress, isHex, keccak256, size, type Address, type Hex } from "viem";
import { EnclaveInputError } from "./errors.js";

export type ReportDataForReturnType = Hex;

/**
 * The 64 bytes of report data an enclave puts in its attestation quote to register `signer` and
 * `hpkePublicKey` on chain `chainId`: `keccak256(abi.encode(signer, hpkePublicKey, chainId))`
 * followed by 32 zero bytes. Identical to `EnclaveRegistry.reportDataFor` (which uses
 * `block.chainid`), so a quote binds one key pair on one chain.
 */
export function reportDataFor(signer: Address, hpkePublicKey: Hex, chainId: number | bigint): ReportDataForReturnType {
  if (!isAddress(signer, { strict: false })) throw new EnclaveInputError("signer", "is not a 20-byte address");
  if (!isHex(hpkePublicKey, { strict: true }) || size(hpkePublicKey) !== 32) {
    throw new EnclaveInputError("hpkePublicKey", "is not 32 bytes (an X25519 public key)");
  }
  const id = BigInt(chainId);
  if (id <= 0n) throw new EnclaveInputError("chainId", "is not a positive chain id");
  const binding = keccak256(
    encodeAbiParameters([{ type: "address" }, { type: "bytes32" }, { type: "uint256" }], [signer, hpkePublicKey, id]),
  );
  return concatHex([binding, `0x${"00".repeat(32)}`]);
}
