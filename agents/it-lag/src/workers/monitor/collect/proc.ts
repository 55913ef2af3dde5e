import { readFileSync } from "node:fs";
import { networkInterfaces, uptime } from "node:os";
import { pct, type HostReader, type HostReadings } from "./readings.ts";
import { temperatureReader } from "./temperatures.ts";

/**
 * Host readings straight from Linux's /proc (and /sys for temperatures, temperatures.ts): three file
 * reads per sample where systeminformation starts about 40 processes (bench/README.md, "bench/monitor").
 * The figures are systeminformation's, with one deliberate difference in CPU use (see `cpuTicks`).
 */
export function procReader(opts: { proc?: string; sys?: string } = {}): HostReader {
  const proc = opts.proc ?? "/proc";
  const temperatures = temperatureReader(opts.sys ?? "/sys/class");
  const counters = () => {
    // Synchronous on purpose: these files are made by the kernel from memory, never wait for a
    // disk, and read in about 50 µs each; fs/promises took 6 times the CPU (threadpool round trips).
    const stat = readFileSync(`${proc}/stat`, "latin1");
    const netdev = readFileSync(`${proc}/net/dev`, "latin1");
    return { at: performance.now(), cpu: parseProcStat(stat), net: parseNetDev(netdev) };
  };
  // The first read measures from here, as systeminformation's first currentLoad does, rather than
  // reporting the average since boot.
  let last: ReturnType<typeof counters> | undefined = (() => {
    try {
      return counters();
    } catch {
      return undefined;
    }
  })();
  let first = true;
  return {
    name: "proc",
    async read(): Promise<HostReadings> {
      const temps = temperatures.read();
      if (first && last) {
        // Fewer than 50 clock ticks per core make a meaningless percentage.
        const wait = MIN_FIRST_WINDOW_MS - (performance.now() - last.at);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      first = false;
      const cur = counters();
      const meminfo = readFileSync(`${proc}/meminfo`, "latin1");
      const readings: Omit<HostReadings, "temperatures"> = {
        uptimeSec: uptime(),
        cpu: cpuUsage(last?.cpu, cur.cpu),
        memory: parseMeminfo(meminfo),
        network: networkRates(last && { at: last.at, counters: last.net }, { at: cur.at, counters: cur.net }, addressedInterfaces()),
      };
      last = cur;
      return { ...readings, temperatures: await temps };
    },
  };
}

const MIN_FIRST_WINDOW_MS = 500;

// ── CPU ─────────────────────────────────────────────────────────────────────────────────────────

export interface CpuTicks {
  busy: number;
  total: number;
}

export interface ProcStat {
  all: CpuTicks;
  cores: CpuTicks[];
}

/**
 * One `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal guest guest_nice, in
 * clock ticks) read as top and htop do: idle is idle + iowait, busy is the rest, steal included;
 * guest time is already inside user (and guest_nice inside nice), so it is not added again.
 * systeminformation (through libuv) leaves iowait and softirq out of both sides and adds guest a
 * second time: its figure is higher while the disks keep the CPU waiting, slightly lower under
 * heavy interrupt load, and equal on an idle or compute-bound host.
 */
function cpuTicks(fields: readonly number[]): CpuTicks {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

export function parseProcStat(text: string): ProcStat {
  let all: CpuTicks = { busy: 0, total: 0 };
  const cores: CpuTicks[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("cpu")) continue;
    const [name = "", ...rest] = line.split(/\s+/);
    const ticks = cpuTicks(rest.filter(Boolean).map(Number));
    if (name === "cpu") all = ticks;
    else cores[Number(name.slice(3))] = ticks;
  }
  // An offline CPU has no line: it counts as an idle core rather than a hole in the list.
  return { all, cores: Array.from(cores, (c) => c ?? { busy: 0, total: 0 }) };
}

/** Busy share of the ticks between two readings; without a previous one, since boot. */
export function cpuUsage(prev: ProcStat | undefined, cur: ProcStat): HostReadings["cpu"] {
  const share = (a: CpuTicks | undefined, b: CpuTicks) => {
    const total = b.total - (a?.total ?? 0);
    return total > 0 ? pct(((b.busy - (a?.busy ?? 0)) / total) * 100) : 0;
  };
  return { usagePct: share(prev?.all, cur.all), cores: cur.cores.map((c, i) => share(prev?.cores[i], c)) };
}

// ── Memory ──────────────────────────────────────────────────────────────────────────────────────

/** /proc/meminfo as systeminformation reads it: used = total − available. */
export function parseMeminfo(text: string): HostReadings["memory"] {
  const kB = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m) kB.set(m[1]!, Number(m[2]) * 1024);
  }
  const get = (k: string) => kB.get(k) ?? 0;
  const total = get("MemTotal");
  // MemAvailable exists since Linux 3.14; before it, the same estimate systeminformation makes.
  const available = kB.get("MemAvailable") ?? get("MemFree") + get("Buffers") + get("Cached") + get("Slab");
  const swapTotal = get("SwapTotal");
  return {
    totalBytes: total,
    usedBytes: total - available,
    availableBytes: available,
    usedPct: total > 0 ? pct(((total - available) / total) * 100) : 0,
    swapTotalBytes: swapTotal,
    swapUsedBytes: swapTotal - get("SwapFree"),
  };
}

// ── Network ─────────────────────────────────────────────────────────────────────────────────────

export interface NetCounters {
  rxBytes: number;
  txBytes: number;
}

/** Byte counters of every interface in /proc/net/dev (`name: rx_bytes … (8 fields) tx_bytes …`). */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue; // the two header lines have "|", not ":"
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16) continue;
    out.set(line.slice(0, colon).trim(), { rxBytes: f[0]!, txBytes: f[8]! });
  }
  return out;
}

/**
 * The interfaces systeminformation reports: those with an address (os.networkInterfaces(), which is
 * getifaddrs), loopback left out as the sampler always did. Address labels (`eth0:1`) are the device.
 */
function addressedInterfaces(): string[] {
  const names = Object.keys(networkInterfaces()).map((n) => n.split(":")[0]!);
  return [...new Set(names)].filter((n) => n !== "lo");
}

/** Bytes per second since the previous reading; 0 for an interface seen for the first time. */
export function networkRates(
  prev: { at: number; counters: Map<string, NetCounters> } | undefined,
  cur: { at: number; counters: Map<string, NetCounters> },
  ifaces: readonly string[],
): HostReadings["network"] {
  const seconds = prev ? (cur.at - prev.at) / 1000 : 0;
  const out: HostReadings["network"] = [];
  for (const iface of ifaces) {
    const c = cur.counters.get(iface);
    if (!c) continue;
    const p = prev?.counters.get(iface);
    // A counter that went down (interface re-created, 32-bit wrap) gives 0, not a negative rate.
    const rate = (now: number, before: number | undefined) =>
      before === undefined || seconds <= 0 ? 0 : Math.max(0, (now - before) / seconds);
    out.push({
      iface,
      rxBytesPerSec: rate(c.rxBytes, p?.rxBytes),
      txBytesPerSec: rate(c.txBytes, p?.txBytes),
      rxBytes: c.rxBytes,
      txBytes: c.txBytes,
    });
  }
  return out;
}
