import type { Logger } from "pino";
import { getAddress, type Address, type Hex } from "viem";
import { getForgeEnclaveKeys } from "../chain/getForgeEnclaveKeys.js";
import { getForgeStatus } from "../chain/getForgeStatus.js";
import type { ProtocolContext } from "../chain/types.js";
import { createSimulatedEnclave } from "../enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../enclave/simulated/simulatedMeasurement.js";
import { CliError } from "./errors.js";
import { DEVELOPMENT_CHAIN_ID } from "./resolveAccount.js";

export interface ForgeSealingKey {
  hpkePublicKey: Hex;
  /** The registered enclave signer, or "simulated" for the development fallback. */
  enclave: Address | "simulated";
  /** Set when the key is the unregistered simulated enclave's (chain 31337 only). */
  note?: string;
}

/**
 * The HPKE key a contribution to `forge` is sealed to, found as the holdout's is: the enclaves the
 * EnclaveRegistry holds for the Forge's allowed measurements (getForgeEnclaveKeys). One key (or
 * `enclave`'s) is used; several distinct keys need `--enclave`. With none registered yet, on the
 * development chain a Forge that allows the simulated measurement gets the simulated enclave's key
 * (what `forge create-example` seals the demo holdout to); elsewhere it is an error.
 */
export async function resolveForgeSealingKey(ctx: ProtocolContext & { chainId: number }, forge: Address, enclave?: Address): Promise<ForgeSealingKey> {
  const keys = await getForgeEnclaveKeys(ctx, forge);
  if (enclave) {
    const chosen = keys.find((k) => k.signer.toLowerCase() === enclave.toLowerCase());
    if (!chosen) throw new CliError(`Enclave ${getAddress(enclave)} is not a valid registered enclave for Forge ${forge} (expired, revoked, unknown, or its measurement is not allowed). Leave --enclave out to list the ones that are.`);
    return { hpkePublicKey: chosen.hpkePublicKey, enclave: chosen.signer };
  }
  const distinct = [...new Set(keys.map((k) => k.hpkePublicKey.toLowerCase()))];
  if (distinct.length === 1) return { hpkePublicKey: keys[0].hpkePublicKey, enclave: keys[0].signer };
  if (distinct.length > 1) {
    const list = keys.map((k) => `  ${k.signer}  HPKE ${k.hpkePublicKey}${k.simulated ? "  (simulated)" : ""}`).join("\n");
    throw new CliError(`Forge ${forge} accepts several enclaves with different HPKE keys:\n${list}\nPass --enclave <signer> with the one that will evaluate it (ask the Forge's creator).`);
  }
  const { config } = await getForgeStatus(ctx, forge);
  const allowsSimulated = config.allowedMeasurements.some((m) => m.toLowerCase() === SIMULATED_MEASUREMENT.toLowerCase());
  if (ctx.chainId === DEVELOPMENT_CHAIN_ID && allowsSimulated) {
    const quiet = { warn: () => undefined, info: () => undefined } as unknown as Pick<Logger, "warn" | "info">;
    const simulated = await createSimulatedEnclave({ chainId: ctx.chainId, logger: quiet });
    return { hpkePublicKey: simulated.hpkePublicKey, enclave: "simulated", note: "no enclave registered yet: sealed to the SIMULATED enclave's key (development only)" };
  }
  throw new CliError(
    `No enclave that can evaluate Forge ${forge} has registered its HPKE key yet, so there is nothing to seal the data to. ` +
      "Wait until the Forge's coordinator is running (`coordinator run` registers its enclave) and run this again.",
  );
}
