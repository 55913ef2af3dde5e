/**
 * The monitor's own cost as Linux accounts it: the real process (compiled and started as the launcher
 * starts it) sampling every 10 s, its CPU time from /proc/<pid>/stat at the start and end of the
 * window and its RSS from /proc/<pid>/status every second. Variants (through tsx, V8's default GC,
 * systeminformation) and idle Node processes run beside it in the same window, so what each part
 * costs and the floor Node sets are visible.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { checkResult, containerMetrics, hostMetrics } from "@lag/contracts";
import { bundleProcess, NODE_FLAGS } from "@lag/launcher";
import type { BenchContext, Measurement, Metrics, Variant } from "@lag/bench";
import type { MonitorEnvironment } from "./environment.ts";
import { commandOf, descendants, procUsage, type ProcUsage } from "./proc-stats.ts";

const root = fileURLToPath(new URL("../../../..", import.meta.url));
const MONITOR_ENTRY = "agents/it-lag/src/workers/monitor/main.ts";
const IDLE_ENTRY = "agents/it-lag/bench/monitor/idle.ts";
const MiB = 1024 * 1024;
const SHIPPED = "monitor as shipped";

export const GOALS = { cpuPct: 1, rssMiB: 90 };

interface Spec {
  name: string;
  description: string;
  args: string[];
  env?: Record<string, string>;
  /** The host name of a monitor: its events are counted during the window. */
  host?: string;
}

interface Running {
  spec: Spec;
  child: ChildProcess;
  pid: number;
  lines: string[];
  warnings: number;
  exited?: string;
}

interface Counters {
  rounds: number;
  containerSnapshots: number;
  containersSeen: number;
  checkResults: number;
  checksOk: number;
}

function monitorConfig(dir: string, host: string, env: MonitorEnvironment): string {
  const file = join(dir, `${host}.yaml`);
  const dataDir = join(dir, host);
  mkdirSync(dataDir);
  // JSON is YAML: the config the monitor reads, written without a YAML library.
  const config = {
    dataDir,
    log: { level: "info" },
    nats: { servers: env.nats.url },
    it: { monitor: { host, interval: "10s", mounts: { system: "/" }, checks: env.checks } },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function start(spec: Spec): Running {
  const child = spawn(process.execPath, spec.args, {
    cwd: root,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const r: Running = { spec, child, pid: child.pid!, lines: [], warnings: 0 };
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      r.lines.push(line);
      if (r.lines.length > 200) r.lines.shift();
      // pino levels: 40 warn, 50 error, 60 fatal.
      if (/"level":(4|5|6)0/.test(line)) r.warnings++;
    });
  }
  child.once("exit", (code, signal) => (r.exited = signal ?? `code ${code}`));
  return r;
}

async function stopAll(procs: readonly Running[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exited) return resolve();
          const kill = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
          p.child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          p.child.kill("SIGTERM");
        }),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProcessCostResult {
  measurement: Measurement;
  facts: Record<string, string | number>;
}

export async function measureProcessCost(
  ctx: BenchContext,
  envir: MonitorEnvironment,
  opts: { windowMs: number; warmupMs: number },
): Promise<ProcessCostResult> {
  const dir = mkdtempSync(join(tmpdir(), "lag-bench-monitor-"));
  const bus = await envir.nats.bus("ceo");
  const counters = new Map<string, Counters>();
  const counting = { on: false };
  const firstRound = new Map<string, () => void>();
  const count = (host: string) => {
    let c = counters.get(host);
    if (!c) counters.set(host, (c = { rounds: 0, containerSnapshots: 0, containersSeen: 0, checkResults: 0, checksOk: 0 }));
    return c;
  };
  bus.subscribe(hostMetrics, (d) => {
    firstRound.get(d.data.host)?.();
    if (counting.on) count(d.data.host).rounds++;
  });
  bus.subscribe(containerMetrics, (d) => {
    if (!counting.on) return;
    const c = count(d.data.host);
    c.containerSnapshots++;
    c.containersSeen = d.data.containers.filter((x) => x.state === "running").length;
  });
  bus.subscribe(checkResult, (d) => {
    if (!counting.on) return;
    const c = count(d.data.host);
    c.checkResults++;
    if (d.data.ok) c.checksOk++;
  });

  // Compiled as the launcher compiles it (dependencies stay where they are, so the bundle can live here).
  const bundle = join(dir, "it-monitor.mjs");
  const idleBundle = join(dir, "idle.mjs");
  await bundleProcess(join(root, MONITOR_ENTRY), bundle);
  await bundleProcess(join(root, IDLE_ENTRY), idleBundle);
  const monitor = (name: string, host: string, description: string, args: string[], env: Record<string, string> = {}): Spec => ({
    name,
    description,
    args,
    env: { LAG_CONFIG: monitorConfig(dir, host, envir), ...env },
    host,
  });
  const specs: Spec[] = [
    monitor(SHIPPED, "bench-shipped", "as the launcher runs it: compiled bundle, 1 MiB semi-spaces, host read from /proc and /sys", [
      ...NODE_FLAGS,
      bundle,
    ]),
    monitor("monitor, V8 default GC", "bench-gc", "the same bundle with V8's default 16 MiB semi-spaces", [bundle]),
    monitor(
      "monitor through tsx",
      "bench-tsx",
      "node --import tsx main.ts, default GC: how every agent ran before the launcher compiled them",
      ["--import", "tsx", MONITOR_ENTRY],
    ),
    monitor(
      "monitor, systeminformation",
      "bench-si",
      "the shipped command with LAG_MONITOR_HOST_READER=systeminformation (the host reader before this bench)",
      [...NODE_FLAGS, bundle],
      {
        LAG_MONITOR_HOST_READER: "systeminformation",
      },
    ),
    {
      name: "node, idle",
      description: "plain node -e 'setInterval(…)': the floor of any Node process",
      args: ["-e", "setInterval(() => undefined, 1 << 30)"],
    },
    {
      name: "modules loaded, idle",
      description: "the monitor's whole module graph imported (bundle, 1 MiB semi-spaces), nothing started",
      args: [...NODE_FLAGS, idleBundle, "--load"],
    },
    {
      name: "node --import tsx, idle",
      description: "the tsx loader alone on a file that only keeps a timer",
      args: ["--import", "tsx", IDLE_ENTRY],
    },
  ];

  const procs = specs.map(start);
  try {
    ctx.progress(`started ${procs.map((p) => `${p.spec.name} (pid ${p.pid})`).join(", ")}`);
    await Promise.all(
      procs
        .filter((p) => p.spec.host)
        .map(
          (p) =>
            new Promise<void>((resolve, reject) => {
              const t = setTimeout(
                () => reject(new Error(`${p.spec.name} sent no host metrics in 60 s; its last output:\n${p.lines.slice(-20).join("\n")}`)),
                60_000,
              );
              firstRound.set(p.spec.host!, () => {
                clearTimeout(t);
                resolve();
              });
            }),
        ),
    );
    ctx.progress(`first rounds done; warming up ${opts.warmupMs / 1000} s, then measuring ${opts.windowMs / 1000} s`);
    await sleep(opts.warmupMs);
    for (const p of procs) if (p.exited) throw new Error(`${p.spec.name} exited (${p.exited}):\n${p.lines.slice(-20).join("\n")}`);

    const t0 = performance.now();
    const start0 = new Map(procs.map((p) => [p.pid, procUsage(p.pid)]));
    const kids0 = new Map(procs.map((p) => [p.pid, childCpu(p.pid)]));
    const rss = new Map<number, number[]>(procs.map((p) => [p.pid, []]));
    counting.on = true;
    while (performance.now() - t0 < opts.windowMs) {
      for (const p of procs) rss.get(p.pid)!.push(procUsage(p.pid).rss);
      const elapsed = performance.now() - t0;
      if (Math.floor(elapsed / 30_000) !== Math.floor((elapsed - 1000) / 30_000)) ctx.progress(`window: ${Math.round(elapsed / 1000)} s`);
      await sleep(Math.min(1000, opts.windowMs - elapsed));
    }
    counting.on = false;
    const wallSec = (performance.now() - t0) / 1000;
    const end = new Map(procs.map((p) => [p.pid, procUsage(p.pid)]));
    const kids1 = new Map(procs.map((p) => [p.pid, childCpu(p.pid)]));

    const variants: Variant[] = procs.map((p) => {
      const a = start0.get(p.pid)!;
      const b = end.get(p.pid)!;
      const samples = rss.get(p.pid)!;
      const liveKids = kids1.get(p.pid)!;
      const liveCpu = liveKids.cpuSec - (kids0.get(p.pid)!.cpuSec ?? 0);
      const self = ((b.cpuSec - a.cpuSec) / wallSec) * 100;
      const reaped = ((b.reapedChildrenCpuSec - a.reapedChildrenCpuSec) / wallSec) * 100;
      const c = p.spec.host ? counters.get(p.spec.host) : undefined;
      const m: Metrics = {
        "CPU %": self,
        "+ spawned %": reaped,
        "+ live children %": (Math.max(0, liveCpu) / wallSec) * 100,
        "RSS avg": samples.reduce((x, y) => x + y, 0) / samples.length / MiB,
        "RSS max": Math.max(...samples) / MiB,
        "peak RSS": b.hwm / MiB,
        anon: b.rssAnon / MiB,
        "child RSS": liveKids.rss / MiB,
        threads: b.threads,
        ...(c ? { rounds: c.rounds, "checks ok": c.checksOk, "check runs": c.checkResults, containers: c.containersSeen } : {}),
      };
      return { name: p.spec.name, description: p.spec.description, runs: [m], median: m };
    });

    const get = (name: string) => variants.find((v) => v.name === name)!.median;
    const shipped = get(SHIPPED);
    const cpuMet = shipped["CPU %"]! + shipped["+ spawned %"]! + shipped["+ live children %"]! <= GOALS.cpuPct;
    const rssMet = shipped["RSS max"]! <= GOALS.rssMiB;
    const kidsNote = procs
      .filter((p) => kids1.get(p.pid)!.pids.length > 0)
      .map(
        (p) =>
          `${p.spec.name}: ${kids1
            .get(p.pid)!
            .pids.map((k) => commandOf(k).split(" ")[0]!.split("/").pop())
            .join(", ")}`,
      );
    const problems = procs.filter((p) => p.warnings > 0).map((p) => `${p.spec.name} logged ${p.warnings} warnings/errors`);
    return {
      facts: {
        "process window": `${wallSec.toFixed(0)} s after ${opts.warmupMs / 1000} s of warm-up; all ${procs.length} processes side by side`,
      },
      measurement: {
        id: "process-cost",
        title: `Process cost over ${wallSec.toFixed(0)} s: interval 10 s, ${envir.checks.length} service checks, ${envir.containers.length} running containers (CPU in % of one core, memory in MiB)`,
        key: "CPU %",
        units: {
          "CPU %": "%",
          "+ spawned %": "%",
          "+ live children %": "%",
          "RSS avg": "MiB",
          "RSS max": "MiB",
          "peak RSS": "MiB",
          anon: "MiB",
          "child RSS": "MiB",
          threads: "n",
          rounds: "n",
          "check runs": "n",
          "checks ok": "n",
          containers: "n",
        },
        variants,
        ratios: [
          { name: "systeminformation / shipped, CPU incl. spawned", value: total(get("monitor, systeminformation")) / total(shipped) },
          { name: "through tsx / shipped, RSS avg", value: get("monitor through tsx")["RSS avg"]! / shipped["RSS avg"]! },
          { name: "V8 default GC / shipped, RSS avg", value: get("monitor, V8 default GC")["RSS avg"]! / shipped["RSS avg"]! },
          { name: "shipped RSS avg − node idle RSS avg (MiB)", value: shipped["RSS avg"]! - get("node, idle")["RSS avg"]! },
        ],
        notes: [
          `goal: CPU ≤ ${GOALS.cpuPct} % of one core (own + spawned + live children) → ${cpuMet ? "MET" : "MISSED"} (${total(shipped).toFixed(2)} %)`,
          `goal: RSS ≤ ${GOALS.rssMiB} MiB (max of 1 s samples, the process alone) → ${rssMet ? "MET" : "MISSED"} (${shipped["RSS max"]!.toFixed(1)} MiB${shipped["child RSS"]! > 0 ? `; with its live children ${(shipped["RSS max"]! + shipped["child RSS"]!).toFixed(1)} MiB` : ""})`,
          "CPU % is Δ(utime+stime)/Δwall of the process; '+ spawned' is Δ(cutime+cstime), the shells and commands it started and waited for; '+ live children' the CPU of descendants alive at the end (tsx's esbuild service, under tsx)",
          "RSS avg/max: VmRSS sampled every second in the window; peak RSS is VmHWM, since the process started (start-up included); anon is RssAnon at the end (heap, not file-backed pages); child RSS is live descendants' VmRSS at the end",
          ...(kidsNote.length ? [`live children at the end: ${kidsNote.join("; ")}`] : []),
          ...problems,
        ],
      },
    };
  } finally {
    await stopAll(procs);
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const total = (m: Metrics) => m["CPU %"]! + m["+ spawned %"]! + m["+ live children %"]!;

/** CPU seconds and RSS of a process's live descendants (their own CPU only, to avoid double counting). */
function childCpu(pid: number): { cpuSec: number; rss: number; pids: number[] } {
  const pids = descendants(pid);
  let cpuSec = 0;
  let rss = 0;
  for (const k of pids) {
    try {
      const u: ProcUsage = procUsage(k);
      cpuSec += u.cpuSec;
      rss += u.rss;
    } catch {
      // exited between the listing and the read
    }
  }
  return { cpuSec, rss, pids };
}
