import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alert, hostMetrics, monitorService, type Alert, type HostMetrics } from "@lag/contracts";
import type { Bus } from "@lag/bus";
import { startWorker, type RunningWorker } from "@lag/worker";
import { eventually, memoryLogger, startSshServer, startTestNats, type TestNats, type TestSshServer } from "@lag/testing";
import { cleanEnv, lag } from "../../../packages/cli/test/run-lag.fixture.ts";
import { DEFAULT_RULES } from "../src/workers/monitor/rules/defaults.ts";
import { monitorWorker } from "../src/workers/monitor/worker.ts";

/**
 * A NAS without an agent, read over SSH from a real sshd on loopback: its /proc is a folder of
 * links to this machine's (and a hand-written mdstat), smartctl is a stand-in printing smartctl's
 * JSON, and the No-IP client's log and a backup job's log are files. The monitor's rules are the
 * defaults for such hosts, with their `for` set to 0 so that a test need not wait minutes.
 */
let nats: TestNats;
let sshd: TestSshServer;
let worker: RunningWorker;
let watcher: Bus;
let nas: string;
const alerts: Alert[] = [];
const metrics: HostMetrics[] = [];
const logs = memoryLogger("it-monitor");

const HEALTHY_MDSTAT = `Personalities : [raid1]
md0 : active raid1 sdb1[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
      bitmap: 0/8 pages [0KB], 65536KB chunk

unused devices: <none>
`;
const DEGRADED_MDSTAT = `Personalities : [raid1]
md0 : active raid1 sdb1[1](F) sda1[0]
      976630464 blocks super 1.2 [2/1] [U_]
      bitmap: 3/8 pages [12KB], 65536KB chunk

unused devices: <none>
`;

/** What smartctl 7 prints for `-A -H -i --json` on a SATA disk (trimmed to the fields LAG reads and a few beside them). */
function ataJson(pending: number): string {
  const attr = (id: number, name: string, raw: number) => ({
    id,
    name,
    value: 100,
    worst: 100,
    thresh: 0,
    when_failed: "",
    raw: { value: raw, string: String(raw) },
  });
  return JSON.stringify({
    json_format_version: [1, 0],
    smartctl: { version: [7, 3], exit_status: 0 },
    device: { name: "/dev/sda", info_name: "/dev/sda [SAT]", type: "sat", protocol: "ATA" },
    model_name: "WDC WD40EFRX-68N32N0",
    serial_number: "WD-WCC7K0000001",
    smart_status: { passed: true },
    ata_smart_attributes: {
      revision: 16,
      table: [
        attr(5, "Reallocated_Sector_Ct", 0),
        attr(9, "Power_On_Hours", 31_000),
        attr(194, "Temperature_Celsius", 34 + 21 * 2 ** 16),
        attr(197, "Current_Pending_Sector", pending),
        attr(198, "Offline_Uncorrectable", 0),
      ],
    },
    power_on_time: { hours: 31_000 },
    temperature: { current: 34 },
  });
}
const NVME_JSON = JSON.stringify({
  json_format_version: [1, 0],
  smartctl: { version: [7, 3], exit_status: 0 },
  device: { name: "/dev/nvme0", info_name: "/dev/nvme0", type: "nvme", protocol: "NVMe" },
  model_name: "Samsung SSD 970 EVO Plus 500GB",
  smart_status: { passed: true },
  nvme_smart_health_information_log: {
    critical_warning: 0,
    temperature: 41,
    available_spare: 100,
    percentage_used: 2,
    media_errors: 0,
    power_on_hours: 9_000,
  },
  temperature: { current: 41 },
});

const of = (rule: string, host = "nas") => alerts.filter((a) => a.rule === rule && a.host === host);
const nasRules = [
  "host-unreachable",
  "raid-degraded",
  "disk-failing",
  "disk-pending-sectors",
  "dyndns-failing",
  "nas-job-failed",
  "nas-job-overdue",
];

async function status(host: string) {
  return await watcher.request(monitorService.endpoints.status, {}, { tokens: { host } });
}

beforeAll(async () => {
  nats = await startTestNats();
  sshd = await startSshServer();
  nas = mkdtempSync(join(tmpdir(), "lag-nas-"));
  mkdirSync(join(nas, "proc/net"), { recursive: true });
  for (const f of ["uptime", "loadavg", "stat", "meminfo", "mounts", "net/dev"]) symlinkSync(`/proc/${f}`, join(nas, "proc", f));
  writeFileSync(join(nas, "proc/mdstat"), HEALTHY_MDSTAT);
  writeFileSync(join(nas, "sda.json"), ataJson(0));
  writeFileSync(join(nas, "nvme0.json"), NVME_JSON);
  writeFileSync(
    join(nas, "smartctl"),
    `#!/bin/sh
case "$*" in
  *--scan*) echo "/dev/sda -d sat # /dev/sda [SAT], ATA device"; echo "/dev/nvme0 -d nvme # /dev/nvme0, NVMe device" ;;
  */dev/sda*) cat ${nas}/sda.json ;;
  */dev/nvme0*) cat ${nas}/nvme0.json ;;
  *) echo "smartctl stand-in: unexpected $*" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(join(nas, "smartctl"), 0o755);
  writeFileSync(
    join(nas, "noip.log"),
    "2026-12-01T20:00:00Z INFO update successful; current ip: 203.0.113.7\n2026-12-01T21:00:00Z INFO no update needed; current ip: 203.0.113.7\n",
  );
  writeFileSync(join(nas, "rsync.log"), "03:00 rsync /volume1 -> /volumeUSB1: 1204 files\n03:12 backup completed successfully\n");
  // Another key, pinned for a second target on the same sshd: the key sshd shows is then not the pinned one.
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(nas, "other")]);
  const otherFingerprint = execFileSync("ssh-keygen", ["-l", "-f", join(nas, "other.pub")], { encoding: "utf8" }).split(" ")[1]!;

  const rules = DEFAULT_RULES.filter((d) => nasRules.includes(d.rule.name)).map((d) => ({ ...d.rule, for: 0, repeat: "never" }));
  const target = (host: string, hostKey: string) => `
      - kind: ssh
        host: ${host}
        address: 127.0.0.1
        port: ${sshd.port}
        user: ${sshd.user}
        keyFile: ${sshd.userKeyFile}
        hostKey: "${hostKey}"
        interval: 1s
        timeout: 900ms
        connectTimeout: 2s
        reconnect: { min: 200ms, max: 1s }
        proc: ${nas}/proc
        mounts: { storage: / }
        smart: { command: ${nas}/smartctl }
        noip: { statusFile: ${nas}/noip.log }
        jobs: [{ name: nightly, file: ${nas}/rsync.log, maxAge: 26h }]`;
  const dir = mkdtempSync(join(tmpdir(), "lag-monitor-"));
  const config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}
it:
  monitor:
    host: kronos
    interval: 1s
    reportInterval: 1h
    docker: { enabled: false }
    rules: ${JSON.stringify(rules)}
    targets:${target("nas", sshd.hostFingerprint)}${target("impostor", otherFingerprint)}
`,
  );
  watcher = await nats.bus("ceo");
  watcher.subscribe(alert, (d) => void alerts.push(d.data));
  watcher.subscribe(hostMetrics, (d) => void metrics.push(d.data), { tokens: { host: "nas" } });
  await watcher.nc.flush();
  worker = await startWorker(monitorWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: logs.logger });
}, 60_000);

afterAll(async () => {
  await worker?.shutdown("test");
  await watcher?.close();
  await sshd?.stop();
  await nats?.stop();
});

describe("a NAS read over SSH", () => {
  it("is a host like the monitor's own: its metrics on the bus, disks, RAID, No-IP and jobs in its status", async () => {
    const m = await eventually(() => metrics.find((x) => x.filesystems.length > 0 && x.disks?.length === 2), 20_000, "NAS metrics");
    expect(m.host).toBe("nas");
    expect(m.uptimeSec).toBeGreaterThan(0);
    expect(m.memory.totalBytes).toBeGreaterThan(0);
    expect(m.filesystems.find((f) => f.mount === "/")).toMatchObject({ role: "storage" });
    expect(m.filesystems.find((f) => f.mount === "/")?.inodesTotal).toBeGreaterThan(0);

    const s = await status("nas");
    expect(s.reach).toEqual({ via: "ssh", address: `${sshd.user}@127.0.0.1:${sshd.port}`, connected: true });
    expect(s.disks).toEqual([
      expect.objectContaining({
        device: "/dev/sda",
        model: "WDC WD40EFRX-68N32N0",
        passed: true,
        reallocatedSectors: 0,
        pendingSectors: 0,
        temperatureC: 34,
        powerOnHours: 31_000,
      }),
      expect.objectContaining({ device: "/dev/nvme0", passed: true, mediaErrors: 0, temperatureC: 41 }),
    ]);
    expect(s.raid).toEqual([
      {
        array: "md0",
        level: "raid1",
        state: "active",
        readOnly: false,
        devices: 2,
        activeDevices: 2,
        failed: [],
        spares: [],
        degraded: false,
      },
    ]);
    expect(s.dynDns).toMatchObject({ client: "noip", ok: true, ip: "203.0.113.7", at: "2026-12-01T21:00:00.000Z" });
    expect(s.jobs).toEqual([
      expect.objectContaining({ name: "nightly", ok: true, overdue: false, line: "03:12 backup completed successfully" }),
    ]);
    expect(s.firing).toEqual([]);

    // Its history is its own: a series query answers for the NAS from it-monitor-nas.sqlite.
    const series = await eventually(async () => {
      const r = await watcher.request(monitorService.endpoints.series, { prefix: "raid." }, { tokens: { host: "nas" } });
      return r.series.length > 0 ? r : undefined;
    });
    expect(series.series).toContainEqual({ metric: "raid.degraded", labels: { array: "md0" } });
  });

  it("shows in `lag status` beside the monitor's own host", async () => {
    const env = cleanEnv({ NATS_URL: nats.url });
    const r = await lag(["status"], env);
    expect(r.stdout).toMatch(/^nas\s+\S+.*ssh /m);
    expect(r.stdout).toMatch(/^kronos\s/m);
    expect(r.stdout).toMatch(/DISK HEALTH[\s\S]*nas\s+\/dev\/sda\s+passed/);
    expect(r.stdout).toMatch(/RAID[\s\S]*nas\s+md0\s+raid1\s+active\s+2\/2/);
    expect(r.stdout).toMatch(/NAS SERVICES[\s\S]*job nightly\s+ok/);
  });

  it("refuses a host whose key is not the pinned one, naming the key it was shown", async () => {
    const s = await eventually(async () => {
      const x = await status("impostor");
      return x.reach?.error ? x : undefined;
    });
    expect(s.reach?.connected).toBe(false);
    expect(s.reach?.error).toContain(`host key ${sshd.hostFingerprint} refused, it is not the pinned`);
    await eventually(() => of("host-unreachable", "impostor").some((a) => a.status === "firing"), 10_000, "impostor unreachable alert");
  });

  it("a degraded array is a high alert; pending sectors a medium one", async () => {
    writeFileSync(join(nas, "proc/mdstat"), DEGRADED_MDSTAT);
    writeFileSync(join(nas, "sda.json"), ataJson(8));
    const raid = await eventually(() => of("raid-degraded").find((a) => a.status === "firing"), 10_000, "raid alert");
    expect(raid).toMatchObject({ severity: "high", labels: expect.objectContaining({ array: "md0" }) });
    const sectors = await eventually(() => of("disk-pending-sectors").find((a) => a.status === "firing"), 10_000, "sectors alert");
    expect(sectors).toMatchObject({ severity: "medium", value: 8 });
    const s = await status("nas");
    expect(s.raid?.[0]).toMatchObject({ degraded: true, failed: ["sdb1"], activeDevices: 1, devices: 2 });
    writeFileSync(join(nas, "proc/mdstat"), HEALTHY_MDSTAT);
    writeFileSync(join(nas, "sda.json"), ataJson(0));
    await eventually(() => of("raid-degraded").some((a) => a.status === "resolved"), 10_000, "raid resolved");
  });

  it("a failed backup job and a failing No-IP client alert", async () => {
    writeFileSync(
      join(nas, "rsync.log"),
      "03:00 rsync /volume1 -> /volumeUSB1\n03:01 rsync error: some files could not be transferred (code 23)\n",
    );
    writeFileSync(join(nas, "noip.log"), "2026-12-01T22:00:00Z ERROR update failed: badauth\n");
    await eventually(() => of("nas-job-failed").some((a) => a.status === "firing"), 10_000, "job alert");
    await eventually(() => of("dyndns-failing").some((a) => a.status === "firing"), 10_000, "dyndns alert");
    // A log not written for longer than maxAge: the job stopped running.
    const old = new Date(Date.now() - 30 * 3_600_000);
    writeFileSync(join(nas, "rsync.log"), "03:12 backup completed successfully\n");
    utimesSync(join(nas, "rsync.log"), old, old);
    await eventually(() => of("nas-job-overdue").some((a) => a.status === "firing"), 10_000, "overdue alert");
    expect((await status("nas")).jobs?.[0]).toMatchObject({ ok: true, overdue: true });
  });

  it("sshd killed: one alert while it is down, and the connection comes back with it", async () => {
    await eventually(async () => (await status("nas")).reach?.connected === true);
    const before = of("host-unreachable").length;
    await sshd.stop();
    await eventually(() => of("host-unreachable").some((a) => a.status === "firing"), 10_000, "unreachable alert");
    // Several rounds while it stays down: still that one alert.
    await new Promise((r) => setTimeout(r, 3_000));
    const s = await status("nas");
    expect(s.reach?.connected).toBe(false);
    expect(s.reach?.error).toMatch(/connection (refused|lost)|closed/);
    await sshd.start();
    await eventually(() => of("host-unreachable").some((a) => a.status === "resolved"), 15_000, "unreachable resolved");
    expect(
      of("host-unreachable")
        .slice(before)
        .map((a) => a.status),
    ).toEqual(["firing", "resolved"]);
    expect((await status("nas")).reach?.connected).toBe(true);
    expect(logs.lines.some((l) => /connected again/.test(l.msg))).toBe(true);
  });
});
