import { CliError } from "../errors.js";
import { parseDurationOption } from "../parseOption.js";
import { DEVELOPMENT_CHAIN_ID } from "../resolveAccount.js";
import { defineCommand } from "../types.js";

export const chainAdvanceTime = defineCommand<{ seconds: bigint }>({
  group: "chain",
  name: "advance-time",
  summary: "move a local hardhat node's clock forward and mine a block (chain 31337 only)",
  usage: "  <seconds>   how far: 3600, 90m, 12h, 7d",
  options: {},
  positionals: ["seconds"],
  parse: (_values, [seconds]) => ({ seconds: parseDurationOption(seconds, "<seconds>") }),
  async run(env, { seconds }) {
    const { chainId, publicClient } = await env.connect();
    if (chainId !== DEVELOPMENT_CHAIN_ID) throw new CliError(`Chain ${chainId} is not a local Hardhat chain (31337); its clock cannot and must not be moved.`);
    const before = (await publicClient.getBlock()).timestamp;
    // evm_* are Hardhat's development methods, outside viem's typed RPC schema.
    const request = publicClient.request as unknown as (args: { method: string; params: unknown[] }) => Promise<unknown>;
    await request({ method: "evm_increaseTime", params: [Number(seconds)] });
    await request({ method: "evm_mine", params: [] });
    const block = await publicClient.getBlock();
    return {
      text: `Advanced the chain clock by ${seconds}s: block ${block.number} at ${new Date(Number(block.timestamp) * 1000).toISOString()} (was ${new Date(Number(before) * 1000).toISOString()})`,
      json: { chainId, seconds, before, blockNumber: block.number, timestamp: block.timestamp },
    };
  },
});
