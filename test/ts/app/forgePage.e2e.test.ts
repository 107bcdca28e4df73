import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { parseEther, zeroAddress, type Hex } from "viem";
import { formatAmount } from "../../../app/src/format/formatAmount.js";
import { FAST_LIVE_SEED, startAppStack, type AppStack } from "../../../scripts/app/startAppStack.js";
import { startAppWorker, type AppWorker } from "../../../scripts/app/startAppWorker.js";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SHOTS = path.join(ROOT, "app/screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Seeding the LIVE Ingot runs the coordinator pipeline (about a minute on 2 cores); 0 skips it and the claim. */
const LIVE = process.env.INGOTFORGE_APP_E2E_LIVE !== "0";
const TIMEOUT = 30_000;

const ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // test account #1

const GOOD = [
  { id: "ua-1", prompt: "Review this unsafe block.\nfn at(v: &[u32], i: usize) -> u32 { unsafe { *v.get_unchecked(i) } }", response: "UNSOUND: nothing checks i < v.len(); assert the bound or use v[i]." },
  { id: "ua-2", prompt: "Review this unsafe block.\nfn as_u8(s: &str) -> &[u8] { unsafe { std::slice::from_raw_parts(s.as_ptr(), s.len()) } }", response: "SOUND but needless: s.as_bytes() does the same safely." },
].map((e) => JSON.stringify(e)).join("\n") + "\n";
const BAD = ['{"id":"ok-1","prompt":"p","response":"r"}', "{not json", '{"id":"ok-2","prompt":"p2"}', '{"id":"ok-1","prompt":"q","response":"s"}'].join("\n") + "\n";

/**
 * The page's controls (buttons, links, fields, disclosure summaries) that have no accessible name:
 * no aria-label(ledby), no <label>, no text, no title. (Runs in the page.)
 */
const UNNAMED_CONTROLS = `[...document.querySelectorAll("button, a[href], input, select, textarea, summary")]
  .filter((el) => !(el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.labels && el.labels.length) || el.textContent.trim() || el.getAttribute("title")))
  .map((el) => el.outerHTML.slice(0, 160))`;
/** How far the document is wider than the window (0 or less: no horizontal scrolling). */
const OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth";

const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`SKIPPED the Forge page e2e: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

describe.skipIf(!HAS_CHROMIUM)("the Forge page in Chromium against the local stack", () => {
  let stack: AppStack;
  let browser: Browser;
  let page: Page;
  let workDir: string;
  /** The worker process started with the key file saved from the page. */
  let aliceWorker: AppWorker | undefined;

  beforeAll(async () => {
    await promisify(execFile)(path.join(ROOT, "node_modules/.bin/vite"), ["build", "--config", "app/vite.config.ts", "--logLevel", "warn"], { cwd: ROOT });
    workDir = await mkdtemp(path.join(tmpdir(), "ingotforge-app-e2e-"));
    // A worker that does not answer is passed over after 20 s (the last test stops the stack's own).
    stack = await startAppStack({ root: ROOT, workDir, live: LIVE, liveSeed: FAST_LIVE_SEED, workerTimeoutMs: 20_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(TIMEOUT);
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await aliceWorker?.stop();
    await browser?.close();
    await stack?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const connect = async (who: RegExp) => {
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await page.getByRole("button", { name: who }).click();
    await page.getByLabel("Connected account").waitFor();
  };

  it("refuses a malformed data file with its line numbers, then contributes a valid one", async () => {
    await page.goto(`${stack.url}/forge/${stack.openForge}`);
    await page.getByRole("heading", { name: "Rust Unsafe-Code Auditor" }).waitFor();
    await page.getByLabel("Phase: OPEN").waitFor();
    await page.getByText("Eval has not yet run.").waitFor();
    await connect(/Test account #1 /);

    await page.getByLabel("Data file (JSONL)").setInputFiles({ name: "bad.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(BAD) });
    const refused = page.getByRole("list", { name: "Refused lines" });
    await refused.waitFor();
    expect(await refused.getByRole("listitem").allTextContents()).toEqual([
      expect.stringMatching(/^Line 2: not valid JSON/),
      expect.stringMatching(/^Line 3: missing field "response"/),
      expect.stringMatching(/^Line 4: duplicate id "ok-1" \(first used on line 1\)/),
    ]);
    expect(await page.getByRole("button", { name: "Seal, store and contribute" }).isDisabled()).toBe(true);

    await page.getByLabel("Data file (JSONL)").setInputFiles({ name: "audits.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(GOOD) });
    await page.getByRole("status", { name: "File checked" }).filter({ hasText: "2 examples" }).waitFor();
    await page.getByRole("button", { name: "Seal, store and contribute" }).click();
    await page.getByRole("status", { name: "Data contribution status" }).filter({ hasText: "Data contributed" }).waitFor();
    await page.getByRole("list", { name: "Forge activity, newest first" }).getByText("Data #0 contributed by 0x7099…79C8: 2 examples").waitFor();
    // The stack's own worker (registered by test account #4) and this data contribution.
    await page.getByLabel("Number of contributions").filter({ hasText: /^2$/ }).waitFor();

    // What was stored is the sealed envelope, not the file: the store holds no plaintext of it.
    const dataRoot = (await stack.ctx.publicClient.getContractEvents({ address: stack.openForge, abi: stack.ctx.abis.Forge, eventName: "DataContributed", fromBlock: 0n }))[0].args as { root: `0x${string}` };
    const stored = Buffer.from(await (await fetch(`${stack.storeUrl}/content/${dataRoot.root}`)).arrayBuffer());
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.includes(Buffer.from("assert the bound or use v[i]"))).toBe(false);
  });

  it("contributes capital in ETH and shows it in the activity list and the position", async () => {
    await page.getByLabel("Capital amount (ETH)").fill("0.5");
    await page.getByRole("button", { name: "Contribute ETH" }).click();
    await page.getByRole("status", { name: "Capital contribution status" }).filter({ hasText: "0.5 ETH contributed" }).waitFor();
    await page.getByRole("list", { name: "Forge activity, newest first" }).getByText("0.5 ETH escrowed by 0x7099…79C8").waitFor();
    await page.getByLabel("Your capital").filter({ hasText: "0.5 ETH" }).waitFor();
    expect(await stack.ctx.publicClient.readContract({ address: stack.openForge, abi: stack.ctx.abis.Forge, functionName: "capitalOf", args: [ALICE] })).toBe(parseEther("0.5"));
    await page.screenshot({ path: path.join(SHOTS, "forge-open-1280.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("heading", { name: "Participate" }).waitFor();
    const overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow as number).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, "forge-open-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("registers a compute worker with a key made in the browser, saves its key file, and a worker process runs on it", async () => {
    // The page makes the Ed25519 key, the person saves its key file (the CLI's format), the key
    // signs the registration digest in the browser and the wallet signs it as the signer.
    const generateAndSave = async (into: string) => {
      await page.getByRole("button", { name: "Generate a worker key in this browser" }).click();
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /^Save key file/ }).click()]);
      await mkdir(into, { recursive: true });
      const file = path.join(into, download.suggestedFilename());
      await download.saveAs(file);
      await chmod(file, 0o600);
      return file;
    };
    expect(await page.getByRole("button", { name: "Register worker" }).isDisabled()).toBe(true);
    const keyFile = await generateAndSave(path.join(workDir, "alice-keys"));
    expect(path.basename(keyFile)).toBe(`${ALICE.toLowerCase()}.ed25519.json`);
    const saved = JSON.parse(await readFile(keyFile, "utf8")) as { kind: string; publicKey: Hex; privateKey: Hex };
    expect(saved.kind).toBe("ed25519");
    expect(await page.getByLabel("Worker Ed25519 public key").inputValue()).toBe(saved.publicKey);
    expect(await page.getByLabel("Worker signer address").inputValue()).toBe(ALICE);
    await page.getByLabel("Registration digest").filter({ hasText: /^0x[0-9a-f]{64}$/ }).waitFor();
    await page.getByLabel("Worker command").filter({ hasText: `--key ${path.basename(keyFile)}` }).waitFor();
    await page.getByRole("button", { name: "Register worker" }).click();
    await page.getByRole("status", { name: "Worker registration status" }).filter({ hasText: "Worker registered" }).waitFor();
    await page.getByRole("list", { name: "Forge activity, newest first" }).getByText("Worker #1 registered by 0x7099…79C8").waitFor();
    const registered = await stack.ctx.publicClient.getContractEvents({ address: stack.openForge, abi: stack.ctx.abis.Forge, eventName: "ComputeRegistered", fromBlock: 0n });
    expect(registered.map((e) => (e.args as { ed25519PublicKey: Hex }).ed25519PublicKey)).toContain(saved.publicKey);

    // The saved file runs a worker process, as `npm run worker -- --key <file>` would.
    aliceWorker = await startAppWorker({ root: ROOT, forge: stack.openForge, keyFile, ...stack.compute });
    expect(aliceWorker.logs.find((e) => e.msg === "worker started")?.publicKey).toBe(saved.publicKey);

    // The same signer again, with a second key: the Forge's custom error, decoded from the ABI, in words.
    await page.getByRole("button", { name: "Use a key from the worker CLI instead" }).click();
    await generateAndSave(path.join(workDir, "alice-keys-2"));
    await page.getByRole("button", { name: "Register worker" }).click();
    await page.getByRole("alert", { name: "Worker registration failed" }).filter({ hasText: "Signer 0x7099…79C8 is already registered as worker #1." }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: /^Save key file/ }).waitFor();
    expect((await page.evaluate(OVERFLOW)) as number).toBeLessThanOrEqual(0);
    expect(await page.evaluate(UNNAMED_CONTROLS)).toEqual([]);
    await page.getByRole("group", { name: "Worker key" }).screenshot({ path: path.join(SHOTS, "compute-key-390.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("contributes ERC-20 capital after its approve step", async () => {
    await page.goto(`${stack.url}/forge/${stack.tokenForge}`);
    await page.getByLabel("Connected account").waitFor(); // the test account stays connected across a reload
    await page.getByLabel("Capital amount (tUSD)").fill("25");
    await page.getByRole("button", { name: "Approve and contribute tUSD" }).click();
    await page.getByRole("status", { name: "Capital contribution status" }).filter({ hasText: "25 tUSD contributed" }).waitFor();
    await page.getByRole("list", { name: "Forge activity, newest first" }).getByText("25 tUSD escrowed by 0x7099…79C8").waitFor();
    expect(await stack.ctx.publicClient.readContract({ address: stack.tokenForge, abi: stack.ctx.abis.Forge, functionName: "capitalOf", args: [ALICE] })).toBe(25_000_000n);
  });

  it("creates a Forge from the list page and opens it", async () => {
    await page.goto(`${stack.url}/`);
    await page.getByRole("list", { name: "All Forges" }).getByRole("link", { name: /Open Forge Rust Unsafe-Code Auditor/ }).first().waitFor();
    await page.getByLabel("Connected account").waitFor();
    await page.getByLabel("Title").fill("Rust Unsafe-Code Auditor, round 2");
    await page.getByLabel("Description").fill("More unsafe blocks, harder ones.");
    await page.getByLabel("This Forge needs (one item per line)").fill("FFI boundary reviews\nGPU hours");
    await page.getByLabel("Base model root (0G)").fill(`0x${"11".repeat(32)}`);
    await page.getByLabel("Sealed holdout root (0G)").fill(`0x${"22".repeat(32)}`);
    await page.getByLabel("Holdout examples").fill("12");
    await page.getByLabel("Allowed enclave measurement").and(page.locator("[value^='0x']")).waitFor(); // defaulted from the registry's events
    await page.getByRole("button", { name: "Create Forge" }).click();
    await page.getByRole("heading", { name: "Rust Unsafe-Code Auditor, round 2" }).waitFor();
    await page.getByLabel("Phase: OPEN").waitFor();
    await page.getByText("FFI boundary reviews").waitFor();
    expect(page.url()).toMatch(/\/forge\/0x[0-9a-fA-F]{40}$/);
  });

  it("says when there is no wallet, when the wallet is on another chain or refuses, and when the RPC is down", async () => {
    const fresh = await browser.newContext();
    try {
      const p = await fresh.newPage();
      p.setDefaultTimeout(TIMEOUT);
      await p.goto(`${stack.url}/forge/${stack.openForge}`);
      await p.getByRole("button", { name: "Connect wallet" }).click();
      await p.getByText("No browser wallet found.").waitFor();
      await p.getByText("Connect a wallet to contribute.").waitFor();

      // A wallet announced through EIP-6963, on chain 1, that refuses to switch chains.
      await p.addInitScript(() => {
        let authorized = false;
        const provider = {
          request: async ({ method }: { method: string }) => {
            if (method === "eth_requestAccounts") authorized = true;
            if (method === "eth_requestAccounts" || method === "eth_accounts") return authorized ? ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"] : [];
            if (method === "eth_chainId") return "0x1";
            if (method === "wallet_switchEthereumChain" || method === "wallet_addEthereumChain") throw Object.assign(new Error("User rejected the request."), { code: 4001 });
            if (method === "wallet_requestPermissions") return [{ parentCapability: "eth_accounts" }];
            throw Object.assign(new Error(`unsupported ${method}`), { code: 4200 });
          },
          on: () => undefined,
          removeListener: () => undefined,
        };
        // (runs in the page; the test's tsconfig has no DOM types)
        const win = globalThis as unknown as { dispatchEvent(e: unknown): void; addEventListener(t: string, f: () => void): void };
        const announce = () => win.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info: { uuid: "5b7f0c2e-1c1e-4d8e-9a51-000000000001", name: "Mainnet Test Wallet", icon: "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>", rdns: "test.mainnet.wallet" }, provider }) }));
        win.addEventListener("eip6963:requestProvider", announce);
        announce();
      });
      await p.reload();
      await p.getByRole("button", { name: "Connect wallet" }).click();
      await p.getByRole("button", { name: "Mainnet Test Wallet" }).click();
      await p.getByRole("alert").filter({ hasText: "Your wallet is on chain 1; this Forge lives on Hardhat (local) (31337)." }).waitFor();
      await p.getByRole("button", { name: "Switch to Hardhat (local)" }).click();
      await p.getByRole("alert").filter({ hasText: "You refused the request in your wallet" }).waitFor();

      // The chain's RPC stops answering.
      await p.route(`${stack.rpcUrl}/**`, (route) => route.abort("connectionrefused"));
      await p.route(stack.rpcUrl, (route) => route.abort("connectionrefused"));
      await p.getByRole("alert").filter({ hasText: `The chain's RPC at ${stack.rpcUrl} does not answer` }).waitFor();
    } finally {
      await fresh.close();
    }
  });

  it.runIf(LIVE)("shows the LIVE Forge's attribution checked against its root, and claims on the Ingot page", async () => {
    const live = stack.live!;
    // The seed's jobs were trained by a worker process over the file queue, not in the coordinator.
    expect(stack.workerLogs.filter((e) => e.msg === "result written" && e.forge === live.forge.toLowerCase()).length).toBeGreaterThan(0);
    await page.goto(`${stack.url}/forge/${live.forge}`);
    await page.getByLabel("Phase: LIVE").waitFor();
    const table = page.getByRole("table", { name: "Attribution per contribution" });
    await table.waitFor();
    expect(await table.getByRole("row").count()).toBe(4); // header + 3 data contributions
    await page.getByText("matches its root on chain ✓").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "forge-live-1280.png"), fullPage: true });
    expect(await page.evaluate(UNNAMED_CONTROLS)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await table.waitFor();
    expect((await page.evaluate(OVERFLOW)) as number).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, "forge-live-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(`${stack.url}/ingot/${live.ingotId}`);
    await page.getByRole("heading", { name: /^Ingot #1/ }).waitFor();
    const claimable = page.getByLabel(`Claimable ETH`);
    await claimable.filter({ hasText: /[1-9]/ }).waitFor();
    const owed = (await stack.ctx.publicClient.readContract({ address: stack.addresses.splitter, abi: stack.ctx.abis.RevenueSplitter, functionName: "claimable", args: [live.ingotId, zeroAddress, ALICE] })) as bigint;
    expect(owed).toBeGreaterThan(0n);
    const before = await stack.ctx.publicClient.getBalance({ address: ALICE });
    await page.getByRole("button", { name: "Claim ETH" }).click();
    await page.getByRole("status", { name: "Claim status" }).filter({ hasText: "Claimed" }).waitFor();
    await claimable.filter({ hasText: /^0 ETH$/ }).waitFor();
    const after = await stack.ctx.publicClient.getBalance({ address: ALICE });
    expect(after - before).toBeGreaterThan((owed * 99n) / 100n); // the claim less its gas
    await page.getByRole("table", { name: "Revenue per asset" }).getByRole("cell", { name: formatAmount(owed), exact: true }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "ingot-1280.png"), fullPage: true });
  });

  it.runIf(LIVE)("chats with the LIVE Ingot in the playground through the gateway and verifies the answer's proof in the browser", async () => {
    const live = stack.live!;
    expect(stack.gateway).toBeDefined();
    if (!page.url().endsWith(`/ingot/${live.ingotId}`)) await page.goto(`${stack.url}/ingot/${live.ingotId}`);
    const playground = page.locator("#playground");
    await page.getByRole("heading", { name: "Playground" }).waitFor();
    if (!(await page.getByLabel("Connected account").isVisible())) await connect(/Test account #1 /);
    await playground.getByLabel("Deposit (ETH)").waitFor({ timeout: 5000 }).catch(async (e: unknown) => {
      throw new Error(`the playground shows no deposit form; it reads: ${await playground.innerText()}`, { cause: e });
    });
    await playground.getByLabel("Deposit (ETH)").fill("0.01");
    await playground.getByRole("button", { name: "Deposit into the gateway" }).click();
    await page.getByRole("status", { name: "Gateway deposit status" }).filter({ hasText: "Deposited" }).waitFor();
    await playground.getByRole("button", { name: "Get an API key" }).click();
    // The gateway syncs GatewayDeposits every 2 s; Send opens once the credit is there.
    await playground.getByLabel("Gateway credit").filter({ hasText: /Credit: 0\.01 ETH/ }).waitFor();
    await playground.getByLabel("Max tokens").fill("8");
    await playground.getByRole("button", { name: "Send" }).click();
    const verdict = playground.getByRole("status", { name: /^Proof prf_/ });
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.textContent()).toContain("Proof verified in your browser");
    const checks = playground.getByRole("list", { name: "Proof checks" });
    for (const check of ["chain hash", "signature", "public key", "metadata signature", "request hash", "response hash", "buyer fingerprint"]) {
      await checks.getByText(new RegExp(`^✓ ${check}:`)).waitFor();
    }
    await playground.getByText(/registered and valid on chain in ProofKeyRegistry .* SIMULATED quote verifier/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "playground-1280.png"), fullPage: true });
    expect(await page.evaluate(UNNAMED_CONTROLS)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await playground.getByRole("list", { name: "Proof checks" }).waitFor();
    expect((await page.evaluate(OVERFLOW)) as number).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, "playground-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it.runIf(LIVE)("closes the OPEN Forge's window with the dev control, and the coordinator evaluates it to LIVE", async () => {
    // Only the worker on the key file saved from the page is left to train the OPEN Forge's jobs.
    await stack.worker!.stop();
    await page.goto(`${stack.url}/forge/${stack.openForge}`);
    await page.getByLabel("Phase: OPEN").waitFor();
    await page.getByRole("button", { name: "Close window (local node only)" }).click();
    await page.getByRole("status", { name: "Close window status" }).waitFor();
    await page.getByText("Contribution window elapsed").waitFor();
    // While CLOSED the page follows the coordinator's progress (the eval takes seconds here).
    await page.getByRole("status", { name: "Eval progress" }).filter({ hasText: /^Coordinator: / }).waitFor();
    await page.getByLabel("Phase: LIVE").waitFor({ timeout: 240_000 });
    expect(stack.coordinatorEvents?.some((e) => e.kind === "submitted" && e.forge.toLowerCase() === stack.openForge.toLowerCase())).toBe(true);
    // The jobs were trained over the file queue by the worker on the key file saved from the page
    // (its signed results accepted by the coordinator), not by the stopped one, nor in the coordinator.
    const byAlice = (aliceWorker?.logs ?? []).filter((e) => e.msg === "result written" && e.forge === stack.openForge.toLowerCase());
    expect(byAlice.length).toBeGreaterThan(0);
    expect(stack.workerLogs.filter((e) => e.msg === "result written" && e.forge === stack.openForge.toLowerCase())).toEqual([]);
    await page.getByRole("table", { name: "Attribution per contribution" }).waitFor();
    await page.getByText("matches its root on chain ✓").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "forge-open-after-eval-1280.png"), fullPage: true });
  }, 300_000);
});
