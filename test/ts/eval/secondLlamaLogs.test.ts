import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const child = join(import.meta.dirname, "fixtures", "secondLlamaChild.ts");

describe("getOfflineLlama", () => {
  it("keeps llama.cpp's lines behind the loggers when a second engine in one process takes llama.cpp (the demo's gateway after its eval)", () => {
    const dir = mkdtempSync(join(tmpdir(), "second-llama-"));
    try {
      const run = spawnSync(process.execPath, ["--import", "tsx", child, dir], { encoding: "utf8", timeout: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      // On a CPU whose backends cannot hold LoRA tensors (this project's AMX machines) llama.cpp
      // warns once per adapter tensor; every such line must reach the logger, none the terminal.
      const raw = `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => /^(llama|ggml|gguf)_/.test(line));
      expect(raw).toEqual([]);
      // Each lease hears the lines of the work done while it is held: the first both loads, the
      // second its own.
      const seen = JSON.parse(run.stdout.trim().split("\n").pop()!) as { first: number; second: number };
      expect(seen.first).toBe(2 * seen.second);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
