import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, StoreError, type Store } from "@lag/store";
import { memoryLogger } from "@lag/testing";
import * as schema from "./schema.fixture.ts";

const migrationsFolder = fileURLToPath(new URL("./fixture-migrations", import.meta.url));

const dirs: string[] = [];
const stores: Store<typeof schema>[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(name = "test.sqlite"): string {
  const dir = mkdtempSync(join(tmpdir(), "lag-store-"));
  dirs.push(dir);
  return join(dir, name);
}

function open(file: string, logger = memoryLogger("store").logger): Store<typeof schema> {
  const store = openStore({ file, schema, migrationsFolder, logger });
  stores.push(store);
  return store;
}

function expectStoreError(run: () => unknown): StoreError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe("LAG_STORE");
    return err as StoreError;
  }
  throw new Error("expected a StoreError");
}

describe("openStore", () => {
  it("creates the folder and the file, in WAL mode with the agreed pragmas", () => {
    const file = tempFile("nested/deeper/monitor.sqlite");
    const store = open(file);
    expect(store.file).toBe(file);
    expect(store.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.sqlite.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    expect(store.sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(store.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("applies the migrations, so the drizzle schema can be queried", () => {
    const store = open(tempFile());
    const createdAt = new Date("2025-01-02T03:04:05.000Z");
    store.db.insert(schema.notes).values({ body: "first", createdAt }).run();
    expect(store.db.select().from(schema.notes).all()).toEqual([{ id: 1, body: "first", createdAt }]);
  });

  it("applies migrations once: a second open keeps the data and adds nothing", () => {
    const file = tempFile();
    const first = memoryLogger("store");
    const a = open(file, first.logger);
    a.db.insert(schema.notes).values({ body: "kept", createdAt: new Date() }).run();
    a.close();
    expect(first.lines.some((l) => l.msg === "applied 1 migration")).toBe(true);

    const second = memoryLogger("store");
    const b = open(file, second.logger);
    expect(b.db.select({ body: schema.notes.body }).from(schema.notes).all()).toEqual([{ body: "kept" }]);
    expect(b.sqlite.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: 1 });
    expect(second.lines.some((l) => /applied/.test(l.msg))).toBe(false);
  });

  it("closes once, however often close is called", () => {
    const store = open(tempFile());
    store.close();
    expect(store.sqlite.open).toBe(false);
    expect(() => store.close()).not.toThrow();
  });

  it("refuses a file that is not a SQLite database, naming it and saying what to do", () => {
    const file = tempFile("monitor.sqlite");
    writeFileSync(file, "this is a text file, not a database\n".repeat(200));
    const err = expectStoreError(() => open(file));
    expect(err.file).toBe(file);
    expect(err.message).toBe(
      `${file} is not a usable SQLite database (SQLITE_NOTADB): move it aside (an empty database with the current schema is created at the next start) or restore it from a backup`,
    );
    // The file is evidence: it must be left exactly as it was.
    expect(readFileSync(file, "utf8")).toBe("this is a text file, not a database\n".repeat(200));
  });

  it("reports a failing migration and leaves the file unchanged", () => {
    const file = tempFile();
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE notes (something TEXT)");
    foreign.close();
    const err = expectStoreError(() => open(file));
    expect(err.message).toMatch(
      new RegExp(`^migrating ${file} with ${migrationsFolder} failed, nothing was changed: .*table \`notes\` already exists`),
    );
    expect(err.message).toMatch(/move it aside/);
    const after = new Database(file, { readonly: true });
    expect(after.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: 0 });
    after.close();
  });

  it("says how to generate migrations when the folder has none", () => {
    const file = tempFile();
    const empty = mkdtempSync(join(tmpdir(), "lag-no-migrations-"));
    dirs.push(empty);
    const err = expectStoreError(() => openStore({ file, schema, migrationsFolder: empty }));
    expect(err.message).toBe(
      `no migrations in ${empty} (meta/_journal.json is missing): run \`pnpm exec drizzle-kit generate\` next to the package's drizzle.config.ts, or fix migrationsFolder`,
    );
  });
});
