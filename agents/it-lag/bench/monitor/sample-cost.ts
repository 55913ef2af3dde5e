/**
 * The cost of one host sample, in this process: `hostSampler(…).sample()` with systeminformation
 * against the direct /proc reader (same figures, same run), then each systeminformation call and
 * its direct counterpart on its own, then one Docker collection of the running containers.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { networkInterfaces, uptime } from "node:os";
import { hostSampler } from "../../src/workers/monitor/collect/host.ts";
import { collectFilesystems } from "../../src/workers/monitor/collect/filesystems.ts";
import { parseMeminfo, parseNetDev, parseProcStat, procReader } from "../../src/workers/monitor/collect/proc.ts";
import { systeminformationReader, type SystemInformation } from "../../src/workers/monitor/collect/systeminformation.ts";
import { temperatureReader } from "../../src/workers/monitor/collect/temperatures.ts";
import { DockerCollector } from "../../src/workers/monitor/docker/collector.ts";
import type { BenchContext, Measurement, Metrics, Variant } from "@lag/bench";
import { CLK_TCK } from "./proc-stats.ts";

// systeminformation is the monitor's dependency, not the bench's: loaded from the monitor's package.
const si = createRequire(new URL("../../package.json", import.meta.url))("systeminformation") as SystemInformation;

/**
 * systeminformation answers from a cache when asked again within 200 ms (currentLoad) or 500 ms
 * (networkStats, per interface): every call of the same function is spaced further apart than that.
 */
const SPACING_MS = 650;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds of this process's children that were waited for (the shells systeminformation runs). */
function reapedChildrenSec(): number {
  const s = readFileSync("/proc/self/stat", "latin1");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

interface Call {
  ms: number;
  cpuMs: number;
  childMs: number;
}

async function timeCall(f: () => unknown): Promise<Call> {
  const k0 = reapedChildrenSec();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, childMs: (reapedChildrenSec() - k0) * 1000 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Case {
  name: string;
  description: string;
  run: () => unknown;
}

/**
 * Every case once per round, rounds at least SPACING_MS apart, after two unmeasured rounds (the
 * first networkStats call lists the interfaces with dozens of commands, once per process).
 */
async function measureCases(ctx: BenchContext, title: string, cases: readonly Case[], rounds: number): Promise<Variant[]> {
  const calls = new Map<string, Call[]>(cases.map((c) => [c.name, []]));
  for (let r = -2; r < rounds; r++) {
    const started = performance.now();
    for (const c of cases) {
      const call = await timeCall(c.run);
      if (r >= 0) calls.get(c.name)!.push(call);
      await sleep(20);
    }
    await sleep(Math.max(0, SPACING_MS - (performance.now() - started)));
    if (r >= 0 && (r + 1) % 10 === 0) ctx.progress(`${title}: ${r + 1}/${rounds} rounds`);
  }
  return cases.map((c) => {
    const xs = calls.get(c.name)!;
    const m: Metrics = {
      "wall ms": median(xs.map((x) => x.ms)),
      "CPU ms": median(xs.map((x) => x.cpuMs)),
      "spawned CPU ms": mean(xs.map((x) => x.childMs)),
      "CPU ms total": mean(xs.map((x) => x.cpuMs + x.childMs)),
    };
    return { name: c.name, description: c.description, runs: [m], median: m };
  });
}

const UNITS = { "wall ms": "ms", "CPU ms": "ms", "spawned CPU ms": "ms", "CPU ms total": "ms" };
const UNIT_NOTES = [
  "wall ms and CPU ms (this process's user+system) are medians; spawned CPU ms is the mean CPU of the commands a call started and waited for (cutime+cstime, counted in 10 ms ticks, hence the mean); CPU ms total = mean of CPU + spawned",
];

export async function measureSampleCost(ctx: BenchContext, opts: { rounds: number }): Promise<Measurement[]> {
  const mounts = { system: "/" };
  const siSampler = hostSampler({ host: "bench", intervalMs: 10_000, mounts, reader: systeminformationReader() });
  const procSampler = hostSampler({ host: "bench", intervalMs: 10_000, mounts, reader: procReader() });
  const samplers = await measureCases(
    ctx,
    "one sample",
    [
      {
        name: "systeminformation",
        description: "hostSampler with systeminformationReader (currentLoad, mem, networkStats('*'), cpuTemperature) + filesystems",
        run: () => siSampler.sample(),
      },
      {
        name: "proc",
        description: "hostSampler with procReader (/proc/stat, /proc/meminfo, /proc/net/dev, getifaddrs, sysfs temperatures) + filesystems",
        run: () => procSampler.sample(),
      },
    ],
    opts.rounds,
  );

  const temps = temperatureReader();
  const calls = await measureCases(
    ctx,
    "per call",
    [
      {
        name: "si.currentLoad()",
        description: "os.cpus() + execSync('cat /proc/stat | grep cpu') for steal and guest",
        run: () => si.currentLoad(),
      },
      { name: "si.mem()", description: "fs.readFile('/proc/meminfo')", run: () => si.mem() },
      {
        name: "si.networkStats('*')",
        description: "per interface with an address: exec of a shell running cat 7 times",
        run: () => si.networkStats("*"),
      },
      {
        name: "si.cpuTemperature()",
        description: "execSync over thermal zones, a shell loop over hwmon, `sensors`, then thermal_zone0 or vcgencmd",
        run: () => si.cpuTemperature(),
      },
      {
        name: "si.time()",
        description: "execSync('date +%Z && date +%z && ls -l /etc/localtime'): the sampler took only .uptime from it",
        run: () => si.time(),
      },
      {
        name: "direct: /proc/stat",
        description: "readFileSync + parse, total and per core",
        run: () => parseProcStat(readFileSync("/proc/stat", "latin1")),
      },
      {
        name: "direct: /proc/meminfo",
        description: "readFileSync + parse",
        run: () => parseMeminfo(readFileSync("/proc/meminfo", "latin1")),
      },
      {
        name: "direct: /proc/net/dev",
        description: "readFileSync + parse, and getifaddrs for the interfaces with an address",
        run: () => [parseNetDev(readFileSync("/proc/net/dev", "latin1")), networkInterfaces()],
      },
      {
        name: "direct: temperatures",
        description: "sysfs hwmon/thermal files found once (none on this machine: looked for again each minute)",
        run: () => temps.read(),
      },
      { name: "direct: os.uptime()", description: "what si.time().uptime returns", run: () => uptime() },
      {
        name: "filesystems (both)",
        description: "/proc/mounts + statfs per real mount: the sampler's filesystem part, already direct",
        run: () => collectFilesystems(mounts),
      },
    ],
    opts.rounds,
  );

  const siMs = samplers[0]!.median["CPU ms total"]!;
  const procMs = samplers[1]!.median["CPU ms total"]!;
  const siCalls = calls.filter((v) => v.name.startsWith("si."));
  const costliest = [...siCalls].sort((a, b) => b.median["CPU ms total"]! - a.median["CPU ms total"]!);
  return [
    {
      id: "sample-cost",
      title: `One host sample, systeminformation vs direct /proc reads (${opts.rounds} samples each, interleaved, ${SPACING_MS} ms apart)`,
      key: "wall ms",
      units: UNITS,
      variants: samplers,
      ratios: [{ name: "systeminformation / proc, CPU ms total per sample", value: siMs / procMs }],
      notes: [
        ...UNIT_NOTES,
        `per 10 s interval: systeminformation ${(siMs / 100).toFixed(3)} % of a core, proc ${(procMs / 100).toFixed(3)} % (CPU ms total / 10,000 ms × 100)`,
      ],
    },
    {
      id: "sample-calls",
      title: "Where a sample's cost is: each systeminformation call and its direct counterpart on their own",
      key: "wall ms",
      units: UNITS,
      variants: calls,
      ratios: [],
      notes: [
        ...UNIT_NOTES,
        `systeminformation calls by CPU ms total: ${costliest.map((v) => `${v.name} ${v.median["CPU ms total"]!.toFixed(1)}`).join(", ")}`,
      ],
    },
  ];
}

export async function measureDockerCollect(ctx: BenchContext, opts: { rounds: number }): Promise<Measurement> {
  const collector = new DockerCollector({ host: "bench" });
  try {
    let seen = 0;
    const variants = await measureCases(
      ctx,
      "docker collect",
      [
        {
          name: "DockerCollector.collect()",
          description: "list, inspect and one-shot stats of every container through the Docker socket (DockerEngine over node:http)",
          run: async () => {
            const snap = await collector.collect();
            seen = snap.containers.filter((c) => c.state === "running").length;
          },
        },
      ],
      opts.rounds,
    );
    return {
      id: "docker-collect",
      title: `One Docker collection (${seen} running containers on the engine), median of ${opts.rounds}`,
      key: "wall ms",
      units: UNITS,
      variants,
      ratios: [],
      notes: [
        "wall time is mostly waiting: Docker Engine 20.10 answers one-shot stats on a one-second cadence (docker/collector.ts); CPU ms is this process's own work (HTTP over the socket, JSON, contract objects)",
      ],
    };
  } finally {
    collector.close();
  }
}
