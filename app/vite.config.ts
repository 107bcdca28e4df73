import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { generateAppAbis } from "../scripts/app/generateAppAbis.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The Forge page. Its typed ABI module is regenerated from Hardhat's artifacts at every build,
 * so the page always matches the contracts; `config.json` (chain, addresses, store, gateway) is
 * served next to the built files at run time, never baked in.
 */
export default defineConfig({
  root: path.join(root, "app"),
  base: "/",
  plugins: [react(), { name: "ingotforge-abis", async buildStart() { await generateAppAbis(root); } }],
  build: { outDir: path.join(root, "app/dist"), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { fs: { allow: [root] } },
});
