import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import {
  backupEvent,
  backupService,
  hostMetrics,
  mediaImportChanged,
  mediaService,
  reservationsService,
  storageReservation,
  storageService,
  storageSpace,
  type BackupEvent,
  type Filesystem,
  type MediaImportEvent,
  type StorageReservationEvent,
  type StorageSpaceEvent,
} from "@lag/contracts";
import { backupWorker, storageWorker } from "@lag/it-lag";
import { mediaWorker } from "@lag/media-lag";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag } from "../packages/cli/test/run-lag.fixture.ts";

/**
 * Flow 4 and MEDIA_LAG's storage negotiation with the real processes: the storage worker (volumes
 * from the monitors' samples on the bus, reservations in SQLite, library folders walked), MEDIA_LAG
 * (imports on reserved space, paused by low-space warnings, backed up when written) and the backup
 * worker with real restic. A stand-in monitor publishes the host-metrics contract, so the test
 * chooses how full each volume is.
 */
const GB = 1e9;
let nats: TestNats;
let dir: string;
let config: string;
let monitor: Bus;
let media: Bus;
let cli: Bus;
let storage: RunningWorker;
let mediaW: RunningWorker;
let backup: RunningWorker;
const reservationEvents: StorageReservationEvent[] = [];
const spaceEvents: StorageSpaceEvent[] = [];
const importEvents: MediaImportEvent[] = [];
const backupEvents: BackupEvent[] = [];
/** How full the stand-in Kronos' media volume is, in % (size 4 TB). */
let kronosUsedPct = 75;
let ticker: NodeJS.Timeout | undefined;
const storageLog = memoryLogger("it-storage");
const mediaLog = memoryLogger("media");

const fs = (mount: string, sizeGB: number, usedPct: number, role?: string): Filesystem => ({
  mount,
  device: `/dev/${mount.replace(/\W/g, "") || "root"}`,
  fsType: "ext4",
  ...(role ? { role } : {}),
  sizeBytes: sizeGB * GB,
  usedBytes: (sizeGB * GB * usedPct) / 100,
  freeBytes: (sizeGB * GB * (100 - usedPct)) / 100,
  usedPct,
});

function sample(): void {
  const time = new Date().toISOString();
  monitor.emit(hostMetrics, { ...hostMetrics.example, host: "kronos", time, filesystems: [fs("/", 4000, kronosUsedPct, "storage")] });
  monitor.emit(hostMetrics, { ...hostMetrics.example, host: "vault", time, filesystems: [fs("/mnt/big", 8000, 25, "backup")] });
}

/** Sets Kronos' use and waits until the storage worker has seen it. */
async function kronosAt(pct: number): Promise<void> {
  kronosUsedPct = pct;
  sample();
  await eventually(async () => {
    const r = await cli.request(storageService.endpoints.query, { host: "kronos" });
    return r.volumes[0]?.usedPct === pct;
  });
}

const env = () => cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" });
const workerEnv = () => ({ LAG_CONFIG: config, NATS_URL: nats.url });
const startStorage = () => startWorker(storageWorker, { env: workerEnv(), logger: storageLog.logger });
const startMedia = () => startWorker(mediaWorker, { env: workerEnv(), logger: mediaLog.logger });

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
}

beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  dir = mkdtempSync(join(tmpdir(), "lag-storage-"));
  for (let i = 0; i < 30; i++) write(join(dir, "media", "Movies", `m${i % 3}`, `film${i}.mkv`), Buffer.alloc(10_000 + i * 997, i));
  write(join(dir, "media", "Movies", "big.mkv"), Buffer.alloc(2_000_000, 7));
  // A hard link is the same data twice in the tree: counted once, as du does.
  linkSync(join(dir, "media", "Movies", "big.mkv"), join(dir, "media", "Movies", "big-link.mkv"));
  write(join(dir, "media", "Music", "a.flac"), Buffer.alloc(123_456, 1));
  writeFileSync(join(dir, "pw"), "media-repo-secret\n");
  config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}/data
it:
  monitor: { host: kronos }
  storage:
    keepFreePct: 5
    thresholds: { low: 90, critical: 95 }
    hysteresisPct: 2
    expireEvery: 300ms
    walkCpuShare: 0.5
    volumes: [{ host: vault, mount: /mnt/big, low: 80, critical: 90 }]
    libraries:
      - { name: Movies, path: ${dir}/media/Movies }
      - { name: Music, path: ${dir}/media/Music }
      - { name: Photos, path: ${dir}/media/Photos }
  backup:
    repositories:
      local: { url: ${dir}/repo, password: { file: ${dir}/pw } }
    plans:
      - { name: media, paths: [${dir}/media], repositories: [local] }
media: { backupPlan: media, retryEvery: 300ms, storageCheckInterval: 1h, reservationTtl: 2s }
`,
  );
  monitor = await nats.bus("it-monitor");
  media = await nats.bus("media");
  cli = await nats.bus("cli");
  cli.subscribe(storageReservation, (d) => void reservationEvents.push(d.data));
  cli.subscribe(storageSpace, (d) => void spaceEvents.push(d.data));
  cli.subscribe(mediaImportChanged, (d) => void importEvents.push(d.data));
  cli.subscribe(backupEvent, (d) => void backupEvents.push(d.data));
  await cli.nc.flush();
  storage = await startStorage();
  backup = await startWorker(backupWorker, { env: workerEnv(), logger: memoryLogger("it-backup").logger });
  sample();
  ticker = setInterval(sample, 200);
  await eventually(async () => (await cli.request(storageService.endpoints.query, {})).volumes.length === 2);
  mediaW = await startMedia();
  const init = await cli.request(backupService.endpoints.init, { plan: "media" });
  expect(init.repositories[0]).toMatchObject({ created: true });
}, 120_000);

afterAll(async () => {
  clearInterval(ticker);
  for (const w of [mediaW, storage, backup]) await w?.shutdown("test").catch(() => undefined);
  for (const b of [monitor, media, cli]) await b?.close();
  await nats?.stop();
});

async function volumeOf(path: string) {
  const r = await cli.request(storageService.endpoints.query, { path });
  return r.volumes[0]!;
}

describe("reservations (flow 4)", () => {
  it("answers where 300 GB fit, reserves them, counts them out of free until released", async () => {
    const where = await media.request(storageService.endpoints.query, { minFreeBytes: 300 * GB });
    expect(where.volumes.map((v) => `${v.host}:${v.mount}`)).toEqual(["kronos:/", "vault:/mnt/big"]);
    const path = join(dir, "media", "Movies");
    const r = await media.request(reservationsService.endpoints.reserve, { path, bytes: 300 * GB, purpose: "import: Kurosawa" });
    if (!r.granted) throw new Error(r.reason);
    expect(r.reservation).toMatchObject({ host: "kronos", mount: "/", bytes: 300 * GB, requester: "media", state: "open", path });
    const v = await volumeOf(path);
    expect(v).toMatchObject({ measuredFreeBytes: 1000 * GB, reservedBytes: 300 * GB, freeBytes: 700 * GB });
    // Every later query sees it: "where do 750 GB fit" no longer names Kronos.
    const fit = await cli.request(storageService.endpoints.query, { minFreeBytes: 750 * GB });
    expect(fit.volumes.map((x) => x.host)).toEqual(["vault"]);

    const shrunk = await media.request(reservationsService.endpoints.shrink, { id: r.reservation.id, bytes: 100 * GB });
    expect(shrunk.bytes).toBe(100 * GB);
    expect((await volumeOf(path)).freeBytes).toBe(900 * GB);
    await expect(media.request(reservationsService.endpoints.shrink, { id: r.reservation.id, bytes: 200 * GB })).rejects.toThrow(
      /bytes: a reservation only shrinks/,
    );

    const released = await media.request(reservationsService.endpoints.release, { id: r.reservation.id, writtenBytes: 280 * GB });
    expect(released).toMatchObject({ state: "released", writtenBytes: 280 * GB });
    expect((await volumeOf(path)).freeBytes).toBe(1000 * GB);
    await eventually(() => reservationEvents.filter((e) => e.reservation?.id === r.reservation.id).length === 3);
    expect(reservationEvents.filter((e) => e.reservation?.id === r.reservation.id).map((e) => e.change)).toEqual([
      "granted",
      "shrunk",
      "released",
    ]);
  });

  it("refuses what does not fit, saying why and where it would fit instead", async () => {
    const r = await media.request(reservationsService.endpoints.reserve, { path: join(dir, "media"), bytes: 900 * GB, purpose: "too big" });
    if (r.granted) throw new Error("granted");
    // 1000 GB free less 5 % of 4 TB kept free: 800 GB can be reserved.
    expect(r.reason).toMatch(
      /838\.2 GiB asked, 745\.1 GiB can be reserved on kronos:\/ \(931\.3 GiB free, 0 B reserved, 186\.3 GiB kept free\)/,
    );
    expect(r.alternatives).toEqual([{ host: "vault", mount: "/mnt/big", role: "backup", freeBytes: 5600 * GB }]);
    const unknown = await media.request(reservationsService.endpoints.reserve, { host: "nas", path: "/volume1", bytes: GB, purpose: "x" });
    expect(unknown).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/nas has not been measured yet \(known: kronos, vault\)/),
    });
    await eventually(() => reservationEvents.some((e) => e.change === "refused" && e.request?.purpose === "too big"));
  });

  it("never grants two reservations that together do not fit, however many arrive at once", async () => {
    // 800 GB can be reserved on Kronos: of 12 requests of 100 GB from two agents at once, exactly 8 are granted.
    const asks = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? media : cli).request(reservationsService.endpoints.reserve, {
        path: join(dir, "media"),
        bytes: 100 * GB,
        purpose: `race ${i}`,
      }),
    );
    const replies = await Promise.all(asks);
    const granted = replies.flatMap((r) => (r.granted ? [r.reservation] : []));
    expect(granted).toHaveLength(8);
    expect(new Set(granted.map((g) => g.id)).size).toBe(8);
    expect((await volumeOf(dir)).freeBytes).toBe(200 * GB);
    for (const g of granted) await cli.request(reservationsService.endpoints.release, { id: g.id });
    expect((await volumeOf(dir)).reservedBytes).toBe(0);
  });

  it("gives the same reservation for the same key (an answer lost, asked again), and expires one not released", async () => {
    const ask = { path: dir, bytes: 10 * GB, purpose: "keyed", key: "imp-test-1", ttlMs: 800 };
    const a = await media.request(reservationsService.endpoints.reserve, ask);
    const b = await media.request(reservationsService.endpoints.reserve, ask);
    if (!a.granted || !b.granted) throw new Error("refused");
    expect(b.reservation.id).toBe(a.reservation.id);
    expect((await volumeOf(dir)).reservedBytes).toBe(10 * GB);
    await eventually(() => reservationEvents.some((e) => e.change === "expired" && e.reservation?.id === a.reservation.id), 10_000);
    expect((await volumeOf(dir)).reservedBytes).toBe(0);
    const all = await cli.request(reservationsService.endpoints.reservations, { all: true });
    expect(all.reservations.find((x) => x.id === a.reservation.id)?.state).toBe("expired");
    // Once closed, the key asks anew.
    const c = await media.request(reservationsService.endpoints.reserve, ask);
    if (!c.granted) throw new Error(c.reason);
    expect(c.reservation.id).not.toBe(a.reservation.id);
    await media.request(reservationsService.endpoints.release, { id: c.reservation.id });
  });

  it("keeps reservations across a restart of the storage worker", async () => {
    const r = await media.request(reservationsService.endpoints.reserve, { path: dir, bytes: 42 * GB, purpose: "kept" });
    if (!r.granted) throw new Error(r.reason);
    await storage.shutdown("test");
    storage = await startStorage();
    await eventually(async () => (await cli.request(storageService.endpoints.query, { host: "kronos" })).volumes.length === 1);
    expect((await volumeOf(dir)).reservedBytes).toBe(42 * GB);
    const open = await cli.request(reservationsService.endpoints.reservations, {});
    expect(open.reservations.map((x) => x.id)).toContain(r.reservation.id);
    await cli.request(reservationsService.endpoints.release, { id: r.reservation.id });
  });
});

describe("library folders", () => {
  it("are measured in the background as du counts them, shown with their volume", async () => {
    const v = await eventually(async () => {
      const x = await volumeOf(dir);
      return x.libraries?.find((l) => l.name === "Movies")?.state === "measured" &&
        x.libraries.find((l) => l.name === "Music")?.state === "measured"
        ? x
        : undefined;
    }, 20_000);
    const movies = v.libraries!.find((l) => l.name === "Movies")!;
    const du = Number(execFileSync("du", ["-s", "-x", "-B1", join(dir, "media", "Movies")], { encoding: "utf8" }).split(/\s/)[0]);
    expect(movies.bytes).toBe(du);
    // 30 films and big.mkv; its hard link is the same file.
    expect(movies.files).toBe(31);
    expect(movies.apparentBytes).toBe(Array.from({ length: 30 }, (_, i) => 10_000 + i * 997).reduce((a, b) => a + b, 0) + 2_000_000);
    expect(v.libraries!.find((l) => l.name === "Music")).toMatchObject({ files: 1, apparentBytes: 123_456 });
    expect(v.libraries!.find((l) => l.name === "Photos")).toMatchObject({ state: "missing" });
  });
});

describe("MEDIA_LAG's imports", () => {
  it("pauses its imports at a low-space warning (with the reservations open there) and resumes them when space is back", async () => {
    const folder = join(dir, "media", "Series");
    mkdirSync(folder, { recursive: true });
    const imp = await cli.request(mediaService.endpoints.start, { name: "The Wire", folder, bytes: 50 * GB });
    expect(imp).toMatchObject({ state: "importing", host: "kronos", mount: "/" });
    expect((await volumeOf(folder)).reservedBytes).toBe(50 * GB);

    await kronosAt(91);
    const low = await eventually(() => spaceEvents.find((e) => e.level === "low" && e.host === "kronos"));
    expect(low).toMatchObject({ previous: "ok", mount: "/", usedPct: 91, thresholdPct: 90, freeBytes: 360 * GB - 50 * GB });
    expect(low.reservations.map((r) => r.id)).toEqual([imp.reservationId]);
    await eventually(() => importEvents.some((e) => e.change === "paused" && e.import.id === imp.id));
    expect(mediaLog.lines.some((l) => /import The Wire paused: paused: low space on kronos:\/ \(91\.0 % used\)/.test(l.msg))).toBe(true);

    // 89 % is below 90 but within the 2 points of hysteresis: still low, still paused.
    await kronosAt(89);
    await kronosAt(96);
    await eventually(() => spaceEvents.some((e) => e.level === "critical"));
    await kronosAt(87);
    const ok = await eventually(() => spaceEvents.find((e) => e.level === "ok" && e.host === "kronos"));
    expect(ok.previous).toBe("critical");
    await eventually(() => importEvents.some((e) => e.change === "resumed" && e.import.id === imp.id));
    expect(spaceEvents.filter((e) => e.host === "kronos").map((e) => e.level)).toEqual(["low", "critical", "ok"]);
    const listed = await cli.request(mediaService.endpoints.list, {});
    expect(listed.imports.find((x) => x.id === imp.id)?.state).toBe("importing");
    await kronosAt(75);
    const cancelled = await cli.request(mediaService.endpoints.cancel, { id: imp.id });
    expect(cancelled.state).toBe("cancelled");
    expect((await volumeOf(folder)).reservedBytes).toBe(0);
  });

  it("keeps an import's reservation alive while it goes on (extended before it expires)", async () => {
    const imp = await media.request(mediaService.endpoints.start, { name: "Long one", folder: join(dir, "media", "Long"), bytes: GB });
    expect(imp.state).toBe("importing");
    // Its reservation is for 2 s (media.reservationTtl); 3 s later it still holds, extended.
    await new Promise((r) => setTimeout(r, 3_000));
    const open = await cli.request(reservationsService.endpoints.reservations, {});
    const held = open.reservations.find((r) => r.id === imp.reservationId)!;
    expect(held.state).toBe("open");
    expect(Date.parse(held.expiresAt)).toBeGreaterThan(Date.parse(imp.reservedUntil!));
    expect(reservationEvents.some((e) => e.change === "shrunk" && e.reservation?.id === imp.reservationId)).toBe(true);
    await media.request(mediaService.endpoints.cancel, { id: imp.id });
  });

  it("finishes an import: the space is given back and its folder backed up by the backup worker as an ad-hoc run", async () => {
    const folder = join(dir, "media", "Movies", "Kurosawa");
    const imp = await media.request(mediaService.endpoints.start, { name: "Kurosawa", folder, bytes: 5 * GB });
    expect(imp.state).toBe("importing");
    write(join(folder, "ran.mkv"), Buffer.alloc(300_000, 3));
    write(join(folder, "ikiru.mkv"), Buffer.alloc(200_000, 4));
    // MEDIA_LAG keeps its imports across a restart.
    await mediaW.shutdown("test");
    mediaW = await startMedia();
    const fin = await cli.request(mediaService.endpoints.finish, { id: imp.id, writtenBytes: 500_000 });
    expect(fin).toMatchObject({ state: "backing-up", writtenBytes: 500_000, backup: { plan: "media" } });
    expect((await volumeOf(folder)).reservedBytes).toBe(0);
    const started = await eventually(() =>
      backupEvents.find((e): e is Extract<BackupEvent, { kind: "started" }> => e.kind === "started" && e.trigger === "request"),
    );
    expect(started).toMatchObject({ plan: "media", paths: [folder], requestedBy: "media", reason: `import Kurosawa (${imp.id})` });
    const done = await eventually(() => importEvents.find((e) => e.change === "backed-up" && e.import.id === imp.id), 60_000);
    expect(done.import).toMatchObject({ state: "done", backup: { state: "ok", runId: started.runId } });
    const snap = done.import.backup!.snapshots[0]!;
    const snaps = await cli.request(backupService.endpoints.snapshots, { plan: "media" });
    const s = snaps.repositories[0]!.snapshots.find((x) => x.id === snap.snapshotId)!;
    expect(s.paths).toEqual([folder]);
    expect(s.tags).toContain("adhoc");
    // An ad-hoc run of one folder is not the plan's backup: its RPO still waits for a run of the whole plan.
    const plans = await cli.request(backupService.endpoints.list, {});
    expect(plans.plans.find((p) => p.plan === "media")?.repositories[0]?.lastSuccess).toBeUndefined();
  });

  it("refuses an import that does not fit, with where it would, and refuses a backup of a folder outside the plan", async () => {
    const r = await cli.request(mediaService.endpoints.start, { name: "Everything", folder: join(dir, "media", "All"), bytes: 3000 * GB });
    expect(r.state).toBe("refused");
    expect(r.reason).toMatch(/can be reserved on kronos:\/.*; it would fit on vault:\/mnt\/big/);
    await expect(cli.request(backupService.endpoints.run, { plan: "media", paths: ["/etc"] })).rejects.toThrow(
      /paths: \/etc not inside plan media's paths/,
    );
  });
});

describe("lag storage", () => {
  it("shows volumes, libraries and reservations; reserves and releases", async () => {
    const reserve = await lag(["storage", "reserve", join(dir, "media"), "120GB", "--purpose", "by hand", "--json"], env());
    expect(reserve.code, reserve.stderr).toBe(0);
    const r = jsonOf<{ granted: true; reservation: { id: string } }>(reserve);
    const table = await lag(["storage"], env());
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/kronos\s+\/\s+storage\s+3\.6 TiB\s+75\.0 %\s+\S+ \S+\s+111\.8 GiB/);
    expect(table.stdout).toMatch(/Movies\s+\S+Movies\s+kronos:\//);
    expect(table.stdout).toContain(r.reservation.id);
    const json = jsonOf<{ volumes: { host: string; reservedBytes: number }[] }>(await lag(["storage", "--json"], env()));
    expect(json.volumes.find((v) => v.host === "kronos")?.reservedBytes).toBe(120 * GB);
    const refused = await lag(["storage", "reserve", join(dir, "media"), "5TB"], env());
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/refused: .*\n.*it fits on vault:\/mnt\/big/);
    const released = await lag(["storage", "release", r.reservation.id], env());
    expect(released.stdout).toMatch(/released: 111\.8 GiB on kronos:\/ given back/);
    const bad = await lag(["storage", "reserve", dir, "lots"], env());
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/SIZE must be/);
  });
});
