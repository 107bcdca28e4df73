import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import type { CoordinatorConfig } from "../../../coordinator/src/config/coordinatorConfigSchema.js";
import { createCoordinatorService, type ServiceEvent } from "../../../coordinator/src/service/createCoordinatorService.js";

/**
 * The service on a chain that mines only when it has transactions (like `hardhat node`): it says
 * what it waits for — a Forge, a window to close, confirmations — instead of sitting silent.
 */
describe("coordinator service: says what it waits for", () => {
  let dir: string;
  let env: Awaited<ReturnType<typeof deployLocalProtocol>>;
  let forge: Address;
  let windowEnd: bigint;
  const lines: { msg: string; wait?: string; forge?: string }[] = [];
  const events: ServiceEvent[] = [];
  let service: ReturnType<typeof createCoordinatorService>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-waits-"));
    env = await deployLocalProtocol();
    const logger = createLogger({ level: "info", destination: new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }) });
    const store = await createLocalContentStore({ dir: path.join(dir, "content") });
    const enclave = await createSimulatedEnclave({ chainId: env.chainId, logger });
    const config: CoordinatorConfig = {
      rpcUrl: "http://127.0.0.1:8545",
      chainId: env.chainId,
      dataDir: dir,
      confirmations: 2,
      logLevel: "info",
      storage: { kind: "local", dir: path.join(dir, "content") },
      enclave: { kind: "simulated", forceChain: false },
    };
    service = createCoordinatorService({ config, logger, ctx: env.ctx, enclave, store, waitLogIntervalMs: 0, onEvent: (e) => events.push(e) });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const waitsLogged = () => lines.filter((l) => l.wait !== undefined).map((l) => l.msg);

  it("with no Forge yet, says it waits for one", async () => {
    await service.poll();
    expect(waitsLogged().at(-1)).toMatch(/waiting for a Forge/);
  });

  it("while a Forge's window is open, says when it closes", async () => {
    const now = (await env.ctx.publicClient.getBlock()).timestamp;
    const config = exampleForgeConfig({
      creator: env.wallets[0].account.address,
      now,
      holdoutRoot: `0x${"11".repeat(32)}` as Hex,
      holdoutExamples: 4,
      baseModelRoot: `0x${"22".repeat(32)}` as Hex,
      allowedMeasurements: [SIMULATED_MEASUREMENT],
      windowSeconds: 3600n,
    });
    windowEnd = config.windowEnd;
    forge = (await createForge(env.ctx, config)).forge;
    // Bury the creation under the confirmations.
    await env.networkHelpers.mine(2);
    await service.poll();
    expect(events).toContainEqual(expect.objectContaining({ kind: "forge-seen", forge }));
    expect(waitsLogged().at(-1)).toMatch(new RegExp(`Forge ${forge}'s window to close.*${windowEnd}`));
  });

  it("when the window has closed at the head but not under the confirmations, says how many blocks it waits for, and starts nothing", async () => {
    await env.networkHelpers.time.increaseTo(windowEnd);
    await service.poll();
    await service.poll();
    const last = waitsLogged().at(-1)!;
    expect(last).toMatch(new RegExp(`Forge ${forge}`));
    expect(last).toMatch(/^(still )?waiting for blocks on top of .*window has closed at the head.*2 confirmations deep.*up to 2 more blocks/);
    expect(waitsLogged()).toContainEqual(expect.stringMatching(/^done waiting for Forge .*'s window to close/));
    expect(events.filter((e) => e.kind === "eval-started")).toEqual([]);
  });
});
