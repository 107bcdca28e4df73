import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "viem";
import { ed25519 } from "@noble/curves/ed25519";
import { createComputeKeyFile } from "../../../app/src/contribute/createComputeKeyFile.js";
import { loadOrCreateComputeKey } from "../../../coordinator/src/cli/loadOrCreateComputeKey.js";
import { readEd25519KeyFile } from "../../../coordinator/src/compute/readEd25519KeyFile.js";

const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("createComputeKeyFile (the worker key the page makes)", () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), "ingotforge-keyfile-"))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("writes the same file, byte for byte, as the CLI writes for the same key and account", async () => {
    const cliFile = path.join(dir, "keys", `${ACCOUNT.toLowerCase()}.ed25519.json`);
    const cli = await loadOrCreateComputeKey(cliFile);
    const page = createComputeKeyFile(ACCOUNT, hexToBytes(cli.privateKey));
    expect(page.fileName).toBe(path.basename(cliFile));
    expect(page.text).toBe(await readFile(cliFile, "utf8"));
  });

  it("is read back by the worker's key reader and the CLI as the key whose public key the page registers", async () => {
    const page = createComputeKeyFile(ACCOUNT);
    const file = path.join(dir, page.fileName);
    await writeFile(file, page.text, { mode: 0o600 });
    const { privateKey } = await readEd25519KeyFile(file);
    expect(bytesToHex(privateKey)).toBe(page.privateKey);
    expect(bytesToHex(ed25519.getPublicKey(privateKey))).toBe(page.publicKey);
    expect((await loadOrCreateComputeKey(file)).publicKey).toBe(page.publicKey);
  });

  it("makes a new key each time when no secret is given", () => {
    expect(createComputeKeyFile(ACCOUNT).privateKey).not.toBe(createComputeKeyFile(ACCOUNT).privateKey);
  });
});
