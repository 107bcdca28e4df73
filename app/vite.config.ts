import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { generateAppAbis } from "../scripts/app/generateAppAbis.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const gatewaySha256 = path.join(root, "gateway/src/proof/sha256Hex.ts");
const browserSha256 = path.join(root, "app/src/proof/sha256HexInBrowser.ts");

/** The gateway's proof code hashes with node:crypto in one module; the page gets noble's SHA-256 in its place, so `verifyProof` runs in the browser unchanged. */
const browserSha256Plugin: Plugin = {
  name: "ingotforge-browser-sha256",
  enforce: "pre",
  async resolveId(source, importer, options) {
    if (!source.endsWith("sha256Hex.js") && !source.endsWith("sha256Hex.ts")) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved && path.normalize(resolved.id) === gatewaySha256 ? browserSha256 : null;
  },
};

/**
 * The Forge page. Its typed ABI module is regenerated from Hardhat's artifacts at every build,
 * so the page always matches the contracts; `config.json` (chain, addresses, store, gateway) is
 * served next to the built files at run time, never baked in.
 */
export default defineConfig({
  root: path.join(root, "app"),
  base: "/",
  plugins: [browserSha256Plugin, react(), { name: "ingotforge-abis", async buildStart() { await generateAppAbis(root); } }],
  build: { outDir: path.join(root, "app/dist"), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { fs: { allow: [root] } },
});
