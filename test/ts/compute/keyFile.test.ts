import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { ComputeKeyError } from "../../../coordinator/src/compute/errors.js";
import { readEd25519KeyFile } from "../../../coordinator/src/compute/readEd25519KeyFile.js";
import { writeEd25519KeyFile } from "../../../coordinator/src/compute/writeEd25519KeyFile.js";
import { loadOrCreateComputeKey } from "../../../coordinator/src/cli/loadOrCreateComputeKey.js";

const dirP = mkdtemp(join(tmpdir(), "compute-keys-"));
afterAll(async () => rm(await dirP, { recursive: true, force: true }));

describe("worker key files", () => {
  it("creates a private (0600) key file in the format forge register-compute writes, whose public key reads back, and never overwrites it", async () => {
    const path = join(await dirP, "w.key");
    const { publicKey } = await writeEd25519KeyFile(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // One key-file format: `forge register-compute --key-file` takes the worker's file as it is.
    expect((await loadOrCreateComputeKey(path)).publicKey).toBe(publicKey);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ kind: "ed25519", publicKey });
    const read = await readEd25519KeyFile(path);
    expect(ed25519PublicKeyOf(read.privateKey)).toBe(publicKey);
    expect(read.looselyPermitted).toBe(false);
    await expect(writeEd25519KeyFile(path)).rejects.toThrow(/already exists/);
    expect(ed25519PublicKeyOf((await readEd25519KeyFile(path)).privateKey)).toBe(publicKey);
  });

  it("reads the JSON key file `forge register-compute` writes, checking its public key against the private one", async () => {
    const dir = await dirP;
    const file = join(dir, "cli.ed25519.json");
    const { publicKey } = await loadOrCreateComputeKey(file);
    const read = await readEd25519KeyFile(file);
    expect(ed25519PublicKeyOf(read.privateKey)).toBe(publicKey);
    expect(read.looselyPermitted).toBe(false);
    const mismatched = join(dir, "mismatched.json");
    await writeFile(mismatched, JSON.stringify({ kind: "ed25519", publicKey: ed25519PublicKeyOf(`0x${"3d".repeat(32)}`), privateKey: `0x${"3c".repeat(32)}` }));
    await expect(readEd25519KeyFile(mismatched)).rejects.toThrow(/public key/);
    const wrongKind = join(dir, "wrong-kind.json");
    await writeFile(wrongKind, JSON.stringify({ kind: "secp256k1", privateKey: `0x${"3c".repeat(32)}` }));
    await expect(readEd25519KeyFile(wrongKind)).rejects.toBeInstanceOf(ComputeKeyError);
  });

  it("reads bare or 0x hex, flags a group-readable file, and refuses anything else", async () => {
    const dir = await dirP;
    const bare = join(dir, "bare.key");
    await writeFile(bare, `${"3c".repeat(32)}\n`);
    await chmod(bare, 0o640);
    const read = await readEd25519KeyFile(bare);
    expect(ed25519PublicKeyOf(read.privateKey)).toBe(ed25519PublicKeyOf(`0x${"3c".repeat(32)}`));
    expect(read.looselyPermitted).toBe(true);
    const bad = join(dir, "bad.key");
    await writeFile(bad, "0x1234\n");
    await expect(readEd25519KeyFile(bad)).rejects.toBeInstanceOf(ComputeKeyError);
    await expect(readEd25519KeyFile(join(dir, "missing.key"))).rejects.toThrow(/Cannot read the key file/);
  });
});
