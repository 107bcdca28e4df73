import { describe, expect, it } from "vitest";
import { createLogger, scrubString } from "../../../coordinator/src/log/createLogger.js";

function capture(level: "info" | "debug" | "warn" = "info") {
  const lines: string[] = [];
  const logger = createLogger({ level, name: "test", destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const KEY = `0x${"5f".repeat(32)}`;

describe("createLogger", () => {
  it("writes structured JSON lines with level, name and fields", () => {
    const { logger, parsed } = capture();
    logger.info({ forge: "0xF0", contributions: 3 }, "window closed");
    expect(parsed()[0]).toMatchObject({ level: 30, name: "test", forge: "0xF0", contributions: 3, msg: "window closed" });
  });

  it("redacts secret-looking fields at any depth, including in child bindings", () => {
    const { logger, lines } = capture();
    logger.child({ component: "store" }).child({ privateKey: KEY }).info({ config: { storage: { privateKey: KEY }, enclave: { secretSeed: KEY } }, password: "hunter2" }, "loaded");
    logger.info({ holdout: { plaintext: "the holdout text" }, apiKey: "sk-123" }, "x");
    const out = lines.join("");
    expect(out).not.toContain(KEY.slice(2));
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain("the holdout text");
    expect(out).not.toContain("sk-123");
    expect(out).toContain("[redacted]");
  });

  it("keeps public keys and public seeds readable", () => {
    const { logger, parsed } = capture();
    logger.info({ hpkePublicKey: "0x1234", seed: "0xabcd", signer: "0x5678" }, "enclave ready");
    expect(parsed()[0]).toMatchObject({ hpkePublicKey: "0x1234", seed: "0xabcd", signer: "0x5678" });
  });

  it("strips credentials from URLs in fields, messages and errors", () => {
    const { logger, lines } = capture();
    logger.info({ rpcUrl: "https://alice:s3cret@rpc.example/path" }, "rpc https://bob:pw@node.example:8545 ready");
    logger.error({ err: new Error("fetch https://carol:tok@x.example/?apikey=K3Y failed") }, "failed");
    logger.info({ url: "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef" }, "infura");
    const out = lines.join("");
    for (const secret of ["s3cret", "alice", "bob:pw", "carol", "K3Y", "0123456789abcdef0123456789abcdef"]) expect(out).not.toContain(secret);
    expect(out).toContain("rpc.example/path");
    expect(out).toContain("node.example:8545");
  });

  it("respects the level", () => {
    const { logger, lines } = capture("warn");
    logger.info("hidden");
    logger.warn("shown");
    expect(lines).toHaveLength(1);
  });
});

describe("scrubString", () => {
  it("leaves text without URLs untouched", () => {
    expect(scrubString("3 of 5 subsets evaluated")).toBe("3 of 5 subsets evaluated");
  });
});
