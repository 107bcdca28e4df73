import type { Logger } from "pino";
import { hexToBytes, isHex, size, type Hex } from "viem";
import { openContribution } from "../../sealing/openContribution.js";
import { deriveInRunResultKey } from "../../compute/inRun/deriveInRunResultKey.js";
import { openHoldout } from "../../sealing/openHoldout.js";
import { DstackResponseError } from "../adapterErrors.js";
import { tdxMeasurement } from "../dcap/tdxMeasurement.js";
import { deriveEnclaveKeys, HPKE_KEY_PATH, SIGNER_KEY_PATH } from "../deriveEnclaveKeys.js";
import { EnclaveInputError } from "../errors.js";
import type { Enclave, EnclaveDescription } from "../types.js";
import { connectDstack, type ConnectDstackParameters } from "./connectDstack.js";
import { parseTdxQuote } from "./parseTdxQuote.js";

export interface CreateDstackEnclaveParameters extends ConnectDstackParameters {
  logger: Pick<Logger, "warn" | "info" | "error">;
}

/**
 * The production enclave: Intel TDX through dstack's guest agent. Keys come from `GetKey` at
 * fixed paths, so they are bound to this app's identity and survive restarts; quotes from
 * `GetQuote`; the measurement from `/Info` (keccak256(MRTD ‖ RTMR0..3), as the DCAP verifier
 * computes it).
 */
export async function createDstackEnclave(params: CreateDstackEnclaveParameters): Promise<Enclave> {
  const { logger } = params;
  const { client, call } = connectDstack(params);

  const signerKey = await call("GetKey(signer)", () => client.getKey(SIGNER_KEY_PATH, "ingotforge enclave signing key", "secp256k1"));
  const hpkeKey = await call("GetKey(hpke)", () => client.getKey(HPKE_KEY_PATH, "ingotforge holdout HPKE key", "secp256k1"));
  if (signerKey.key.length !== 32) throw new DstackResponseError("GetKey(signer)", `key is ${signerKey.key.length} bytes, not 32`);
  if (hpkeKey.key.length < 32) throw new DstackResponseError("GetKey(hpke)", `key is ${hpkeKey.key.length} bytes, fewer than 32`);
  const { account, hpke, hpkePublicKey } = await deriveEnclaveKeys({ signerSecret: signerKey.key, hpkeSecret: hpkeKey.key });

  const info = await call("Info", () => client.info());
  const tcb = info.tcb_info;
  const register = (name: string, value: unknown): Hex => {
    const hex = typeof value === "string" ? (value.startsWith("0x") ? value : `0x${value}`) : "";
    if (!isHex(hex, { strict: true }) || size(hex as Hex) !== 48) throw new DstackResponseError("Info", `tcb_info.${name} is not 48 bytes of hex`);
    return (hex as Hex).toLowerCase() as Hex;
  };
  const mrTd = register("mrtd", tcb?.mrtd);
  const rtmr = [register("rtmr0", tcb?.rtmr0), register("rtmr1", tcb?.rtmr1), register("rtmr2", tcb?.rtmr2), register("rtmr3", tcb?.rtmr3)] as const;
  const measurement = tdxMeasurement({ mrTd, rtmr });

  const description: EnclaveDescription = {
    kind: "dstack",
    simulated: false,
    signerAddress: account.address,
    hpkePublicKey,
    measurement,
    appId: info.app_id,
    instanceId: info.instance_id,
    composeHash: info.compose_hash,
    mrTd,
    rtmr,
  };
  logger.info({ enclave: description }, "dstack enclave ready");

  return {
    kind: "dstack",
    signerAddress: account.address,
    hpkePublicKey,
    async getQuote(reportData) {
      if (!isHex(reportData, { strict: true }) || size(reportData) !== 64) throw new EnclaveInputError("reportData", "is not 64 bytes");
      const response = await call("GetQuote", () => client.getQuote(hexToBytes(reportData)));
      const raw = typeof response.quote === "string" ? response.quote : "";
      const quote = (raw.startsWith("0x") ? raw : `0x${raw}`) as Hex;
      const facts = parseTdxQuote(quote);
      // The registry is the authority on these; the checks here only make a refusal explainable.
      if (facts.reportData !== reportData.toLowerCase()) {
        logger.error({ requested: reportData, quoted: facts.reportData }, "dstack quote carries other report data than requested; registration will be refused");
      }
      if (facts.measurement !== measurement) {
        logger.warn({ info: measurement, quote: facts.measurement }, "dstack quote measurement differs from /Info's registers");
      }
      return quote;
    },
    signTypedData: (typedData) => account.signTypedData(typedData),
    openSealed: (envelope, options) => openHoldout({ envelope, recipientPrivateKey: hpke.privateKey, expectedInfo: options?.expectedInfo }),
    openContribution: (envelope, expected) => openContribution({ envelope, recipientPrivateKey: hpke.privateKey, expected }),
    inRunResultKey: ({ forge, computeId }) => deriveInRunResultKey({ secret: hpkeKey.key, forge, computeId }),
    describe: () => ({ ...description }),
  };
}
