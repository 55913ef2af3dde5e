import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { ConfigError } from "@lag/config";
import { greeting, helloService, storageService, type Greeting } from "@lag/contracts";
import { eventually, ManualClock, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { helloWorker } from "./worker.ts";

/**
 * The example worker as a declaration does it: its own config section, its own SQLite file and
 * migrations, a dependency that starts late, and a cron schedule in a time zone on an injected clock.
 */
let nats: TestNats;
let dir: string;
beforeAll(async () => {
  nats = await startTestNats();
  dir = mkdtempSync(join(tmpdir(), "lag-hello-"));
});
afterAll(async () => nats?.stop());

function configFile(body: string): string {
  const file = join(dir, `lag-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `dataDir: ${dir}\n${body}`);
  return file;
}

describe("the example worker, declared", () => {
  let worker: RunningWorker | undefined;
  afterAll(async () => worker?.shutdown("test"));

  it("waits for the service it depends on, then greets at 07:00 Madrid time, storing each greeting in its own SQLite file", async () => {
    const clock = new ManualClock("2026-12-01T05:50:00Z"); // 06:50 in Madrid (CET)
    const log = memoryLogger("example-hello");
    const file = configFile("example:\n  hello:\n    name: lagrieta\n    cron: '0 7 * * *'\n    timezone: Europe/Madrid\n");
    const starting = startWorker(helloWorker, { env: { LAG_CONFIG: file, NATS_URL: nats.url }, logger: log.logger, clock });
    let started = false;
    void starting.then(() => (started = true));
    await log.waitFor((l) => l.msg.startsWith("waiting for service it-storage"), 10_000);
    expect(started).toBe(false);

    // IT_LAG comes up late; the worker's next retry (on its own clock) finds it.
    const it: Bus = await nats.bus("it-monitor");
    await it.serve(storageService, { query: () => storageService.endpoints.query.example.reply });
    await eventually(
      async () => {
        await clock.advance(1_000);
        return started;
      },
      10_000,
      "worker started after its dependency appeared",
    );
    worker = await starting;
    expect(log.lines.some((l) => l.msg === "service it-storage is ready")).toBe(true);

    const seen: Greeting[] = [];
    const ceo = await nats.bus("ceo");
    ceo.subscribe(greeting, (d) => void seen.push(d.data));
    await ceo.nc.flush();
    expect(clock.pending().map((d) => d.toISOString())).toContain("2026-12-01T06:00:00.000Z");
    await clock.advanceTo("2026-12-01T05:59:59Z");
    expect(seen).toEqual([]);
    await clock.advanceTo("2026-12-01T06:00:00Z");
    await eventually(() => seen.length === 1, 5_000, "the 07:00 greeting");
    expect(seen[0]).toEqual({ name: "lagrieta", text: "good morning, lagrieta", count: 1, time: "2026-12-01T06:00:00.000Z" });
    await clock.advanceTo("2026-12-02T06:00:00Z");
    await eventually(() => seen.length === 2, 5_000, "the next day's greeting");

    const count = await ceo.request(helloService.endpoints.count, {});
    expect(count).toEqual({ greetings: 2, last: "2026-12-02T06:00:00.000Z" });
    // Its own file, migrated from its own folder: nobody else's tables in it.
    const db = new Database(join(dir, "example-hello.sqlite"), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    db.close();
    expect(tables.map((t) => t.name)).toEqual(["__drizzle_migrations", "greetings", "sqlite_sequence"]);
  }, 30_000);

  it("reports a typo in its own section with the line and a did-you-mean, and a misspelt section name too", async () => {
    const file = configFile("example:\n  hello:\n    nmae: lagrieta\n  helo: {}\n");
    const err = await startWorker(helloWorker, { env: { LAG_CONFIG: file, NATS_URL: nats.url }, logger: memoryLogger("x").logger }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join("\n");
    expect(text).toContain(`${file}:4 example.hello.nmae: unknown key; did you mean name?`);
    expect(text).toContain(`${file}:5 example.helo: unknown key; did you mean hello?`);
  });
});
