import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostMetrics } from "@lag/contracts";
import { hostSampler } from "./host.ts";
import { cpuUsage, networkRates, parseMeminfo, parseNetDev, parseProcStat, procReader } from "./proc.ts";
import { systeminformationReader } from "./systeminformation.ts";
import { temperatureReader } from "./temperatures.ts";

const STAT_1 = [
  "cpu  1000 0 500 8000 300 0 100 100 0 0",
  "cpu0 500 0 250 4000 150 0 50 50 0 0",
  "cpu1 500 0 250 4000 150 0 50 50 0 0",
  "intr 1 2 3",
  "ctxt 42",
].join("\n");
// 800 more ticks, 300 busy: cpu0 busy 300 of 500 (60 %), cpu1 busy 0 of 300, 100 of them iowait (0 %).
const STAT_2 = [
  "cpu  1200 0 600 8400 400 0 100 100 50 0",
  "cpu0 700 0 350 4200 150 0 50 50 50 0",
  "cpu1 500 0 250 4200 250 0 50 50 0 0",
].join("\n");

const MEMINFO = [
  "MemTotal:       16000000 kB",
  "MemFree:         2000000 kB",
  "MemAvailable:   12000000 kB",
  "Buffers:          100000 kB",
  "Cached:          8000000 kB",
  "SwapTotal:       2000000 kB",
  "SwapFree:        1500000 kB",
  "Slab:             400000 kB",
].join("\n");

const NET_DEV = [
  "Inter-|   Receive                                                |  Transmit",
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
  "    lo: 3928 129    0    0    0     0          0         0 3928 129    0    0    0     0       0          0",
  "  eth0: 718188093   18341    0    0    0     0          0         0  1153293   12396    0    0    0     0       0          0",
  "br-e6b79f2170fa:28443 133 0 0 0 0 0 0 76117 135 0 2 0 0 0 0",
].join("\n");

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "lag-sys-"));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("proc reader: parsing", () => {
  it("reads CPU use as top does: iowait is idle, steal is busy, guest is not counted twice", () => {
    const a = parseProcStat(STAT_1);
    const b = parseProcStat(STAT_2);
    expect(a.all).toEqual({ busy: 1700, total: 10000 });
    expect(cpuUsage(a, b)).toEqual({ usagePct: 37.5, cores: [60, 0] });
  });

  it("gives CPU use since boot without a previous reading", () => {
    expect(cpuUsage(undefined, parseProcStat(STAT_1))).toEqual({ usagePct: 17, cores: [17, 17] });
  });

  it("reads memory as systeminformation does: used is total minus available", () => {
    expect(parseMeminfo(MEMINFO)).toEqual({
      totalBytes: 16_000_000 * 1024,
      usedBytes: 4_000_000 * 1024,
      availableBytes: 12_000_000 * 1024,
      usedPct: 25,
      swapTotalBytes: 2_000_000 * 1024,
      swapUsedBytes: 500_000 * 1024,
    });
  });

  it("estimates available memory on kernels without MemAvailable (before 3.14)", () => {
    const old = parseMeminfo(MEMINFO.replace(/MemAvailable.*\n/, ""));
    expect(old.availableBytes).toBe((2_000_000 + 100_000 + 8_000_000 + 400_000) * 1024);
  });

  it("reads every interface's byte counters, name glued to the numbers or not", () => {
    const c = parseNetDev(NET_DEV);
    expect([...c.keys()]).toEqual(["lo", "eth0", "br-e6b79f2170fa"]);
    expect(c.get("eth0")).toEqual({ rxBytes: 718_188_093, txBytes: 1_153_293 });
    expect(c.get("br-e6b79f2170fa")).toEqual({ rxBytes: 28_443, txBytes: 76_117 });
  });

  it("gives bytes per second since the last reading, 0 the first time and when a counter goes back", () => {
    const at0 = { at: 0, counters: new Map([["eth0", { rxBytes: 1000, txBytes: 5000 }]]) };
    const at2 = {
      at: 2000,
      counters: new Map([
        ["eth0", { rxBytes: 3000, txBytes: 4000 }],
        ["wg0", { rxBytes: 9, txBytes: 9 }],
      ]),
    };
    expect(networkRates(undefined, at0, ["eth0"])[0]).toMatchObject({ rxBytesPerSec: 0, txBytesPerSec: 0, rxBytes: 1000 });
    expect(networkRates(at0, at2, ["eth0", "wg0", "gone0"])).toEqual([
      { iface: "eth0", rxBytesPerSec: 1000, txBytesPerSec: 0, rxBytes: 3000, txBytes: 4000 },
      { iface: "wg0", rxBytesPerSec: 0, txBytesPerSec: 0, rxBytes: 9, txBytes: 9 },
    ]);
  });
});

describe("temperatures", () => {
  it("reads Intel coretemp: the package for the CPU, each core in order (core 10 after core 2)", async () => {
    const hw = "hwmon/hwmon1";
    const root = tree({
      "hwmon/hwmon0/name": "acpitz",
      "hwmon/hwmon0/temp1_input": "27800",
      [`${hw}/temp1_label`]: "Package id 0\n",
      [`${hw}/temp1_input`]: "45000\n",
      [`${hw}/temp2_label`]: "Core 0\n",
      [`${hw}/temp2_input`]: "43500\n",
      [`${hw}/temp3_label`]: "Core 1\n",
      [`${hw}/temp3_input`]: "47250\n",
      [`${hw}/temp10_label`]: "Core 8\n",
      [`${hw}/temp10_input`]: "41000\n",
      "thermal/thermal_zone0/type": "acpitz\n",
      "thermal/thermal_zone0/temp": "27800\n",
    });
    expect(await temperatureReader(root).read()).toEqual([
      { sensor: "cpu", celsius: 45 },
      { sensor: "core0", celsius: 43.5 },
      { sensor: "core1", celsius: 47.3 },
      { sensor: "core2", celsius: 41 },
    ]);
  });

  it("reads AMD k10temp's Tdie, else Tctl", async () => {
    const both = tree({
      "hwmon/hwmon2/temp1_label": "Tctl",
      "hwmon/hwmon2/temp1_input": "61000",
      "hwmon/hwmon2/temp2_label": "Tdie",
      "hwmon/hwmon2/temp2_input": "51000",
    });
    const tctl = tree({ "hwmon/hwmon0/temp1_label": "Tctl", "hwmon/hwmon0/temp1_input": "52125" });
    expect(await temperatureReader(both).read()).toEqual([{ sensor: "cpu", celsius: 51 }]);
    expect(await temperatureReader(tctl).read()).toEqual([{ sensor: "cpu", celsius: 52.1 }]);
  });

  it("falls back to the CPU's thermal zone (Raspberry Pi), then to thermal_zone0", async () => {
    const pi = tree({
      "thermal/thermal_zone0/type": "acpitz",
      "thermal/thermal_zone0/temp": "30000",
      "thermal/thermal_zone1/type": "cpu-thermal",
      "thermal/thermal_zone1/temp": "48312",
    });
    const other = tree({ "thermal/thermal_zone0/type": "acpitz", "thermal/thermal_zone0/temp": "30000" });
    expect(await temperatureReader(pi).read()).toEqual([{ sensor: "cpu", celsius: 48.3 }]);
    expect(await temperatureReader(other).read()).toEqual([{ sensor: "cpu", celsius: 30 }]);
  });

  it("reports nothing on a host without sensors, and finds one that appears later", async () => {
    const root = tree({ "thermal/.keep": "" });
    let now = 0;
    const r = temperatureReader(root, () => now);
    expect(await r.read()).toEqual([]);
    writeFileSync(join(root, "thermal/.keep"), "");
    mkdirSync(join(root, "thermal/thermal_zone0"));
    writeFileSync(join(root, "thermal/thermal_zone0/temp"), "50000");
    expect(await r.read()).toEqual([]); // not looked for again within the minute
    now = 60_000;
    await r.read();
    expect(await r.read()).toEqual([{ sensor: "cpu", celsius: 50 }]);
  });

  it("looks again after a sensor disappears (driver reloaded)", async () => {
    const root = tree({ "hwmon/hwmon0/temp1_label": "Tctl", "hwmon/hwmon0/temp1_input": "52000" });
    const r = temperatureReader(root);
    expect(await r.read()).toHaveLength(1);
    rmSync(join(root, "hwmon/hwmon0"), { recursive: true });
    mkdirSync(join(root, "hwmon/hwmon3"), { recursive: true });
    writeFileSync(join(root, "hwmon/hwmon3/temp1_label"), "Tctl");
    writeFileSync(join(root, "hwmon/hwmon3/temp1_input"), "53000");
    expect(await r.read()).toEqual([]);
    expect(await r.read()).toEqual([{ sensor: "cpu", celsius: 53 }]);
  });
});

/** /proc/stat's cpu lines (the total, then each core) as numbers. */
function statLines(): number[][] {
  return readFileSync("/proc/stat", "latin1")
    .split("\n")
    .filter((l) => /^cpu\d* /.test(l))
    .map((l) => l.split(/\s+/).slice(1).filter(Boolean).map(Number));
}

/** The share of a cpu line's time between two reads spent in iowait, irq and softirq, in points. */
function interruptAndWaitPct(a: number[], b: number[]): number {
  const d = b.slice(0, 8).map((x, k) => x - (a[k] ?? 0));
  const total = d.reduce((n, x) => n + x, 0);
  return total > 0 ? (100 * ((d[4] ?? 0) + (d[5] ?? 0) + (d[6] ?? 0))) / total : 0;
}

// The same figures as systeminformation on the machine the tests run on: read side by side, after a
// first reading each, over the same two seconds.
describe.runIf(process.platform === "linux")("proc reader against systeminformation on this machine", () => {
  it("gives the same memory, uptime, interfaces and temperatures, and CPU use within 5 points", async () => {
    const proc = procReader();
    const si = systeminformationReader();
    const before = statLines();
    let t = performance.now();
    await Promise.all([proc.read(), si.read()]);
    // The two readers read /proc/stat one after the other, up to this long apart at each end.
    let skewMs = performance.now() - t;
    await new Promise((r) => setTimeout(r, 2_000));
    t = performance.now();
    const [p, s] = await Promise.all([proc.read(), si.read()]);
    skewMs += performance.now() - t;
    const after = statLines();

    // Memory moves between the two reads of /proc/meminfo: 64 MiB of slack.
    const MiB64 = 64 * 1024 * 1024;
    expect(p.memory.totalBytes).toBe(s.memory.totalBytes);
    expect(Math.abs(p.memory.availableBytes - s.memory.availableBytes)).toBeLessThan(MiB64);
    expect(Math.abs(p.memory.usedPct - s.memory.usedPct)).toBeLessThan(1);
    expect(p.memory.swapTotalBytes).toBe(s.memory.swapTotalBytes);
    expect(Math.abs(p.memory.swapUsedBytes - s.memory.swapUsedBytes)).toBeLessThan(MiB64);
    expect(Math.abs(p.uptimeSec - s.uptimeSec)).toBeLessThan(1);

    expect(p.network.map((n) => n.iface)).toEqual(s.network.map((n) => n.iface));
    p.network.forEach((n, i) => {
      const o = s.network[i]!;
      // Counters read a few milliseconds apart; rates over windows that differ by as much.
      expect(Math.abs(n.rxBytes - o.rxBytes)).toBeLessThan(1e6);
      expect(Math.abs(n.txBytes - o.txBytes)).toBeLessThan(1e6);
      expect(Math.abs(n.rxBytesPerSec - o.rxBytesPerSec)).toBeLessThan(Math.max(50_000, o.rxBytesPerSec * 0.1));
      expect(Math.abs(n.txBytesPerSec - o.txBytesPerSec)).toBeLessThan(Math.max(50_000, o.txBytesPerSec * 0.1));
    });

    expect(p.temperatures.map((t) => t.sensor)).toEqual(s.temperatures.map((t) => t.sensor));
    p.temperatures.forEach((t, i) => expect(Math.abs(t.celsius - s.temperatures[i]!.celsius)).toBeLessThan(5));

    // Not equal by design: iowait, irq and softirq count differently (proc.ts, cpuTicks), so the two
    // may differ by as much as those took over the window (a busy disk: much), plus 5 points of timing,
    // plus the share of the window by which their reads were apart (a loaded machine: some).
    const tolerance = (line: number) => 5 + interruptAndWaitPct(before[line]!, after[line]!) + (100 * skewMs) / 2_000;
    expect(p.cpu.cores).toHaveLength(s.cpu.cores.length);
    expect(Math.abs(p.cpu.usagePct - s.cpu.usagePct)).toBeLessThan(tolerance(0));
    p.cpu.cores.forEach((c, i) => expect(Math.abs(c - s.cpu.cores[i]!)).toBeLessThan(tolerance(i + 1)));
  });

  it("makes host metrics valid against the contract", async () => {
    const sampler = hostSampler({ host: "test", intervalMs: 10_000, mounts: { system: "/" }, reader: procReader() });
    await sampler.sample();
    const m = HostMetrics.parse(await sampler.sample());
    expect(m.cpu.cores.length).toBeGreaterThan(0);
    expect(m.filesystems.find((f) => f.mount === "/")?.role).toBe("system");
  });

  it("reads the host's own software RAID where the kernel has it, and reports none where it has no array", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lag-md-"));
    writeFileSync(join(dir, "mdstat"), "md0 : active raid1 sdb1[1](F) sda1[0]\n      100 blocks [2/1] [U_]\n");
    const degraded = await hostSampler({
      host: "test",
      intervalMs: 10_000,
      mounts: {},
      reader: procReader(),
      mdstatFile: join(dir, "mdstat"),
    }).sample();
    expect(degraded.raid).toEqual([expect.objectContaining({ array: "md0", degraded: true, failed: ["sdb1"] })]);
    writeFileSync(join(dir, "empty"), "Personalities : \nunused devices: <none>\n");
    const none = await hostSampler({
      host: "test",
      intervalMs: 10_000,
      mounts: {},
      reader: procReader(),
      mdstatFile: join(dir, "empty"),
    }).sample();
    expect(none).not.toHaveProperty("raid");
    const absent = await hostSampler({
      host: "test",
      intervalMs: 10_000,
      mounts: {},
      reader: procReader(),
      mdstatFile: join(dir, "nope"),
    }).sample();
    expect(absent).not.toHaveProperty("raid");
  });
});
