import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkMigrationsFresh, StoreError } from "@lag/store";

const here = fileURLToPath(new URL(".", import.meta.url));
const packageRoot = join(here, "..");
const realConfig = join(here, "drizzle.config.ts");
const realMigrations = join(here, "fixture-migrations");

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The fixture package (schema, config, migrations) copied to a temp folder that resolves drizzle like the real one. */
function copyOfFixture(): { root: string; schema: string; config: string } {
  const root = mkdtempSync(join(tmpdir(), "lag-store-fixture-"));
  dirs.push(root);
  writeFileSync(join(root, "package.json"), '{ "name": "fixture-copy", "private": true, "type": "module" }\n');
  symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"), "dir");
  cpSync(here, join(root, "test"), { recursive: true, filter: (src) => !src.endsWith(".test.ts") });
  return { root, schema: join(root, "test", "schema.fixture.ts"), config: join(root, "test", "drizzle.config.ts") };
}

function snapshotOf(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(files.map((e) => [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), "utf8")]));
}

describe("checkMigrationsFresh", () => {
  it("finds the checked-in fixture migrations fresh, without touching them", async () => {
    const before = snapshotOf(realMigrations);
    const r = await checkMigrationsFresh(realConfig);
    expect(r.output).toMatch(/No schema changes/);
    expect(r).toMatchObject({ fresh: true, added: [] });
    expect(snapshotOf(realMigrations)).toEqual(before);
  });

  it("reports the migration a grown schema needs, and writes it only to its temporary copy", async () => {
    const copy = copyOfFixture();
    appendFileSync(copy.schema, '\nexport const tags = sqliteTable("tags", { name: text("name").primaryKey() });\n');
    const migrations = join(copy.root, "test", "fixture-migrations");
    const before = snapshotOf(migrations);
    const r = await checkMigrationsFresh(copy.config);
    expect(r.fresh).toBe(false);
    expect(r.added).toEqual(expect.arrayContaining([expect.stringMatching(/^0001_.*\.sql$/), "meta/0001_snapshot.json"]));
    expect(snapshotOf(migrations)).toEqual(before);
  });

  it("fails loudly, with drizzle-kit's output, when the schema cannot be read", async () => {
    const copy = copyOfFixture();
    writeFileSync(copy.schema, 'import { nothing } from "./does-not-exist.ts";\nexport const broken = nothing;\n');
    const err = await checkMigrationsFresh(copy.config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toMatch(/drizzle-kit generate failed .*fix the error below/);
    expect((err as StoreError).message).toMatch(/does-not-exist/);
  });
});
