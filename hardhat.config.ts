import { createRequire } from "node:module";
import type { HardhatUserConfig } from "hardhat/config";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";

const require = createRequire(import.meta.url);

/**
 * Offline by construction: the compiler is the WASM build shipped in the `solc`
 * npm package (pinned to the same version), so nothing is downloaded.
 */
const config: HardhatUserConfig = {
  plugins: [hardhatToolboxViem],
  solidity: {
    version: "0.8.28",
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "./contracts",
    tests: { solidity: "./test/solidity" },
  },
  networks: {
    // `--network localhost` is the node at INGOTFORGE_RPC_URL when set (any port or host, e.g. a
    // `npx hardhat node --port 18545`), else Hardhat's default http://127.0.0.1:8545.
    localhost: { type: "http", chainType: "l1", url: process.env.INGOTFORGE_RPC_URL ?? "http://127.0.0.1:8545" },
  },
};

export default config;
