import { keccak256, toBytes, type Hex } from "viem";

/**
 * The measurement every simulated enclave reports. A development deployment allow-lists it; it
 * identifies no code at all, which is why only the simulated verifier (chain 31337) accepts it.
 */
export const SIMULATED_MEASUREMENT: Hex = keccak256(toBytes("ingotforge.simulated-measurement.v1"));

/** The seed used when none is configured. PUBLIC: anyone can derive the simulated keys from it. */
export const SIMULATED_DEFAULT_SEED: Hex = keccak256(toBytes("ingotforge.simulated-enclave-seed.v1"));
