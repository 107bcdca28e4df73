import path from "node:path";
import { formatEther, isHex, size, type Address, type Hex } from "viem";
import { CliError } from "../errors.js";
import { registerCompute } from "../../chain/registerCompute.js";
import { loadOrCreateComputeKey } from "../loadOrCreateComputeKey.js";
import { optionalString, parseAddressOption, parseIntegerOption, requireOption } from "../parseOption.js";
import { defineCommand } from "../types.js";

export interface ForgeRegisterComputeOptions {
  forge: Address;
  capacity: number;
  keyFile?: string;
  signer?: Address;
  signerSignature?: Hex;
}

export const forgeRegisterCompute = defineCommand<ForgeRegisterComputeOptions>({
  group: "forge",
  name: "register-compute",
  summary: "register as a compute worker: signing address, Ed25519 key, capacity",
  usage: [
    "  --forge <address>       the Forge (required)",
    "  --capacity <n>          declared capacity in job slots (default 1)",
    "  --key-file <path>       the worker's Ed25519 key; created there if missing",
    "                          (default <store>/../keys/<account>.ed25519.json)",
    "  --signer <address>      the worker's EVM signing address (default: the sending account)",
    "  --signer-signature <hex>  with --signer other than the sending account: the signer's",
    "                          EIP-712 signature of ComputeRegistration(worker = the sending",
    "                          account, signer, Ed25519 key) in the Forge's domain",
    "  The Ed25519 key signs the same registration (proof of possession); the bond the Forge",
    "  asks for is sent with the transaction.",
  ].join("\n"),
  options: { forge: { type: "string" }, capacity: { type: "string" }, "key-file": { type: "string" }, signer: { type: "string" }, "signer-signature": { type: "string" } },
  parse: (values) => ({
    forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge"),
    capacity: values.capacity === undefined ? 1 : Number(parseIntegerOption(String(values.capacity), "--capacity", { min: 1n, max: 2n ** 32n - 1n })),
    keyFile: optionalString(values["key-file"]),
    signer: optionalString(values.signer) ? parseAddressOption(String(values.signer), "--signer") : undefined,
    signerSignature: parseSignature(optionalString(values["signer-signature"])),
  }),
  async run(env, options) {
    const ctx = await env.protocol();
    const sender = ctx.walletClient.account.address;
    const keyFile = path.resolve(options.keyFile ?? path.join(path.dirname(env.global.storeDir), "keys", `${sender.toLowerCase()}.ed25519.json`));
    const key = await loadOrCreateComputeKey(keyFile);
    env.note(`${key.created ? "Created" : "Using"} the Ed25519 key in ${keyFile}`);
    const signer = options.signer ?? sender;
    const { computeId, hash, bond } = await registerCompute(ctx, {
      forge: options.forge,
      signer,
      ed25519PrivateKey: key.privateKey,
      capacity: options.capacity,
      signerSignature: options.signerSignature,
    });
    return {
      text: [
        `Registered compute worker #${computeId} on ${options.forge}`,
        `  signer        ${signer}`,
        `  ed25519 key   ${key.publicKey} (${keyFile})`,
        `  capacity      ${options.capacity}`,
        `  bond          ${formatEther(bond)} ETH (refunded when the registration is counted or the Forge fails)`,
        `  transaction   ${hash}`,
      ].join("\n"),
      json: { forge: options.forge, computeId, bond, signer, ed25519PublicKey: key.publicKey, keyFile, capacity: options.capacity, hash },
    };
  },
});

function parseSignature(value: string | undefined): Hex | undefined {
  if (value === undefined) return undefined;
  if (!isHex(value, { strict: true }) || size(value) !== 65) throw new CliError("--signer-signature must be a 65-byte 0x-hex ECDSA signature.");
  return value;
}
