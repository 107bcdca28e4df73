import { describe, expect, it } from "vitest";
import { formatLogLine } from "../../../coordinator/src/log/formatLogLine.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";

describe("log lines for a person", () => {
  it("formats a pino JSON line as time, level, message and the line's own fields, hiding pino's and cutting long values", () => {
    const time = new Date(2026, 11, 8, 0, 10, 36).getTime();
    const line = JSON.stringify({ level: 30, time, pid: 7, hostname: "vm", name: "coordinator", component: "coordinator", forge: "0xB1eD", waitedS: 30, msg: "still waiting for the eval (30s so far)", enclave: { signer: "0x".padEnd(200, "a") } });
    const out = formatLogLine(line);
    expect(out).toMatch(/^00:10:36 INFO  still waiting for the eval \(30s so far\)  forge=0xB1eD waitedS=30 enclave=\{"signer":"0xa+…\n$/);
    expect(out).not.toMatch(/hostname|pid=|"level"/);
    expect(out.length).toBeLessThan(220);
    expect(formatLogLine(JSON.stringify({ level: 50, time, msg: "eval failed", err: { type: "ServiceError", message: "no worker answered", stack: "ServiceError: …\n    at x" } }))).toBe("00:10:36 ERROR eval failed  err=ServiceError: no worker answered\n");
    expect(formatLogLine("not json")).toBe("not json\n");
  });

  it("createLogger({ pretty }) writes those lines, still scrubbing secrets", () => {
    const lines: string[] = [];
    const logger = createLogger({ name: "coordinator", pretty: true, destination: { write: (s: string) => void lines.push(s) } });
    logger.info({ forge: "0xB1eD", privateKey: "0xdeadbeef" }, "Forge seen");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO  Forge seen  forge=0xB1eD privateKey=\[redacted\]\n$/);
  });
});
