import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { tryGetContent } from "../../../coordinator/src/storage/tryGetContent.js";
import {
  ContentNotFoundError,
  ContentRootMismatchError,
  EmptyContentError,
  InvalidContentRootError,
  StoreSetupError,
} from "../../../coordinator/src/storage/errors.js";

const text = (s: string) => new TextEncoder().encode(s);

describe("computeContentRoot", () => {
  it("gives the 0G SDK's Merkle root of known content", async () => {
    // Pinned from @0glabs/0g-ts-sdk 0.3.3 (MemData → merkleTree → rootHash); a change in the SDK's
    // tree layout would silently rename every stored contribution, so it must fail here.
    expect(await computeContentRoot(text("hello"))).toBe("0x3c0a2457170aa849c8f7051e23d7874a362be798d95fbb333c901c6cf19dca5a");
    expect(await computeContentRoot(new Uint8Array(1 << 20))).toBe("0x6e250d9abdbbb3993fce08de0395cdb56f0483e67d8762a798de011f6a50866a");
  });

  it("changes when one byte changes", async () => {
    const a = new Uint8Array(5000).fill(7);
    const b = a.slice();
    b[4321] = 8;
    expect(await computeContentRoot(a)).not.toBe(await computeContentRoot(b));
  });

  it("rejects empty content with an error that says why", async () => {
    await expect(computeContentRoot(new Uint8Array(0))).rejects.toBeInstanceOf(EmptyContentError);
    await expect(computeContentRoot(new Uint8Array(0))).rejects.toThrow(/empty content has no 0G Merkle root/);
  });
});

describe("createLocalContentStore", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ingotforge-store-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores content under its 0G root and returns the same bytes", async () => {
    const store = await createLocalContentStore({ dir });
    const bytes = text('{"prompt":"a","response":"b"}\n');
    const { root, size } = await store.put(bytes);
    expect(root).toBe(await computeContentRoot(bytes));
    expect(size).toBe(bytes.length);
    expect(await store.has(root)).toBe(true);
    expect(await store.get(root)).toEqual(bytes);
    expect(await store.get(root.toUpperCase().replace("0X", "0x") as `0x${string}`)).toEqual(bytes);
  });

  it("is idempotent and survives being reopened", async () => {
    const bytes = text("same bytes");
    const first = await (await createLocalContentStore({ dir })).put(bytes);
    const reopened = await createLocalContentStore({ dir });
    expect(await reopened.put(bytes)).toEqual(first);
    expect(await reopened.get(first.root)).toEqual(bytes);
  });

  it("leaves no temporary files behind after writes", async () => {
    const store = await createLocalContentStore({ dir });
    for (let i = 0; i < 5; i++) await store.put(text(`item ${i}`));
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });

  it("refuses a file altered on disk with a root mismatch naming both roots", async () => {
    const store = await createLocalContentStore({ dir });
    const { root } = await store.put(text("honest contribution"));
    await writeFile(store.pathOf(root), text("tampered contribution"));
    const attempt = store.get(root);
    await expect(attempt).rejects.toBeInstanceOf(ContentRootMismatchError);
    await expect(attempt).rejects.toThrow(new RegExp(`not the requested ${root}`));
  });

  it("refuses an emptied file instead of crashing on it", async () => {
    const store = await createLocalContentStore({ dir });
    const { root } = await store.put(text("x"));
    await writeFile(store.pathOf(root), new Uint8Array(0));
    await expect(store.get(root)).rejects.toBeInstanceOf(ContentRootMismatchError);
  });

  it("repairs a tampered file when the honest bytes are put again", async () => {
    const store = await createLocalContentStore({ dir });
    const bytes = text("honest");
    const { root } = await store.put(bytes);
    await writeFile(store.pathOf(root), text("evil"));
    await store.put(bytes);
    expect(await store.get(root)).toEqual(bytes);
  });

  it("reports a missing root as not found, and has() says false", async () => {
    const store = await createLocalContentStore({ dir });
    const root = await computeContentRoot(text("never stored"));
    expect(await store.has(root)).toBe(false);
    await expect(store.get(root)).rejects.toBeInstanceOf(ContentNotFoundError);
    await expect(store.get(root)).rejects.toThrow(/is not in the local/);
  });

  it("rejects malformed roots before touching the disk", async () => {
    const store = await createLocalContentStore({ dir });
    for (const bad of ["", "0x1234", "../../etc/passwd", `0x${"g".repeat(64)}`]) {
      await expect(store.get(bad as `0x${string}`)).rejects.toBeInstanceOf(InvalidContentRootError);
    }
  });

  it("rejects empty content on put and stores nothing", async () => {
    const store = await createLocalContentStore({ dir });
    await expect(store.put(new Uint8Array(0))).rejects.toBeInstanceOf(EmptyContentError);
    expect((await readdir(dir)).sort()).toEqual(["tmp"]);
  });

  it("fails clearly when the directory cannot be created", async () => {
    const file = join(dir, "a-file");
    await writeFile(file, "not a directory");
    await expect(createLocalContentStore({ dir: join(file, "store") })).rejects.toBeInstanceOf(StoreSetupError);
    expect(await readFile(file, "utf8")).toBe("not a directory");
  });

  it("tryGetContent turns each storage failure into a recorded reason instead of an exception", async () => {
    const store = await createLocalContentStore({ dir });
    const good = await store.put(text("good"));
    const tampered = await store.put(text("will be tampered"));
    await writeFile(store.pathOf(tampered.root), text("tampered"));
    const missing = await computeContentRoot(text("missing"));
    const results = await Promise.all(
      [good.root, tampered.root, missing, "0xnot-a-root"].map((root) => tryGetContent({ store, root })),
    );
    expect(results[0]).toEqual({ ok: true, root: good.root, bytes: text("good") });
    expect(results.slice(1).map((r) => (r.ok ? "ok" : r.reason))).toEqual(["root-mismatch", "missing", "invalid-root"]);
    expect(results.slice(1).every((r) => !r.ok && !r.retryable && r.detail.length > 0)).toBe(true);
  });
});
