import type { Filesystem, HostMetrics } from "@lag/contracts";
import type { HostSampler } from "../host.ts";
import { jobStatus, noipStatus, type FileTail, type JobSpec } from "../log-verdict.ts";
import { parseMdstat } from "../mdstat.ts";
import { cpuUsage, networkRates, parseMeminfo, parseNetDev, parseProcStat, type NetCounters, type ProcStat } from "../proc.ts";
import { pct } from "../readings.ts";
import { parseMounts, selectMounts } from "../filesystems.ts";
import { parseSmartctl } from "../smart.ts";
import type { ExecResult } from "./session.ts";

/** What the sampler reads, from the target's config. */
export interface RemoteReads {
  host: string;
  intervalMs: number;
  /** Where the host's /proc is (a chroot or a test's stand-in may put it elsewhere). */
  proc: string;
  mounts: Record<string, string>;
  /** smartctl's command (`sudo -n smartctl` where it needs root) and the devices, or all it finds (`--scan`). */
  smart?: { command: string; devices?: readonly string[] };
  raid: boolean;
  noipFile?: string;
  jobs: readonly JobSpec[];
  timeoutMs: number;
}

/** Runs one command on the host (SshSession.exec). */
export type RemoteExec = (command: string, timeoutMs: number) => Promise<ExecResult>;

const MARK = "@@lag:";
const TAIL_LINES = 50;

/** POSIX shell single quoting. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * The whole round's reads as one POSIX sh script, run in one exec over the shared connection: each
 * section is marked `@@lag:NAME`, so one round trip fetches everything and a missing tool leaves only
 * its own section empty. Only cat, df, tail and stat (or date -r) are needed, which BusyBox has.
 */
export function remoteScript(r: RemoteReads): string {
  const p = shq(r.proc);
  const lines = [
    "export LC_ALL=C",
    `s() { printf '\\n${MARK}%s\\n' "$1"; }`,
    `tailf() { if [ -e "$1" ]; then stat -c %Y "$1" 2>/dev/null || date -r "$1" +%s; tail -n ${TAIL_LINES} "$1"; else echo missing; fi; }`,
    ...["uptime", "loadavg", "stat", "meminfo", "mounts"].map((f) => `s ${f}; cat ${p}/${f}`),
    `s netdev; cat ${p}/net/dev`,
    "s df; df -P -k",
    "s dfi; df -P -i 2>/dev/null",
  ];
  if (r.raid) lines.push(`s mdstat; cat ${p}/mdstat 2>/dev/null`);
  if (r.smart) {
    const cmd = r.smart.command;
    const tool = shq(cmd.split(/\s+/).pop()!);
    lines.push(`if command -v ${tool} >/dev/null 2>&1 || [ -x ${tool} ]; then`);
    if (r.smart.devices && r.smart.devices.length > 0) {
      for (const d of r.smart.devices) lines.push(`s smart:${d}; ${cmd} -A -H -i --json ${shq(d)}`);
    } else {
      lines.push(
        `${cmd} --scan | while read -r dev _ type _; do s "smart:$dev"; ${cmd} -A -H -i --json -d "$type" "$dev" </dev/null; done`,
      );
    }
    // Where smartctl is not installed there are no disks to report (the contract's "where present").
    lines.push("fi");
  }
  if (r.noipFile) lines.push(`s file:noip; tailf ${shq(r.noipFile)}`);
  for (const j of r.jobs) lines.push(`s file:job:${j.name}; tailf ${shq(j.file)}`);
  lines.push("s end");
  return lines.join("\n");
}

/** The script's output, section by section. */
export function splitSections(out: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of out.split("\n")) {
    if (line.startsWith(MARK)) {
      if (name !== undefined) sections.set(name, body.join("\n").trim());
      name = line.slice(MARK.length);
      body = [];
    } else if (name !== undefined) body.push(line);
  }
  if (name !== undefined) sections.set(name, body.join("\n").trim());
  return sections;
}

function fileTail(file: string, text: string | undefined): FileTail {
  const [first = "", ...rest] = (text ?? "missing").split("\n");
  const mtime = Number(first.trim());
  if (first.trim() === "missing" || !Number.isFinite(mtime)) return { file, lines: [] };
  return { file, mtimeSec: mtime, lines: rest };
}

/** `df -P -k` and `df -P -i` rows by mount point. */
function parseDf(text: string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of (text ?? "").split("\n").slice(1)) {
    const m = /^\S+\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(?:\d+%|-)\s+(.+)$/.exec(line);
    if (m)
      out.set(
        m[4]!,
        [m[1]!, m[2]!, m[3]!].map((v) => (v === "-" ? Number.NaN : Number(v))),
      );
  }
  return out;
}

function filesystems(sections: Map<string, string>, roles: Record<string, string>): Filesystem[] {
  const space = parseDf(sections.get("df"));
  const inodes = parseDf(sections.get("dfi"));
  const roleOf = new Map(Object.entries(roles).map(([role, path]) => [path, role]));
  const out: Filesystem[] = [];
  for (const e of selectMounts(parseMounts(sections.get("mounts") ?? ""), roles)) {
    const d = space.get(e.mount);
    if (!d) continue;
    const [sizeK = 0, usedK = 0, availK = 0] = d;
    const fs: Filesystem = {
      mount: e.mount,
      device: e.device,
      fsType: e.fsType,
      sizeBytes: sizeK * 1024,
      usedBytes: usedK * 1024,
      freeBytes: availK * 1024,
      usedPct: usedK + availK > 0 ? pct((usedK / (usedK + availK)) * 100) : 0,
    };
    const role = roleOf.get(e.mount);
    if (role) fs.role = role;
    const [total = Number.NaN, used = Number.NaN] = inodes.get(e.mount) ?? [];
    if (total > 0 && Number.isFinite(used)) {
      fs.inodesTotal = total;
      fs.inodesUsed = used;
      fs.inodesUsedPct = pct((used / total) * 100);
    }
    out.push(fs);
  }
  return out;
}

/**
 * Samples a host over SSH into the same HostMetrics a local monitor publishes, plus what only a
 * NAS target reads: disks, RAID, the No-IP client and jobs. CPU use and network rates are deltas
 * between rounds (zero on the first). A host that cannot be reached, or a script that fails,
 * rejects: the round turns that into `host.reachable 0`.
 */
export function sshSampler(reads: RemoteReads, exec: RemoteExec, now: () => number = Date.now): HostSampler {
  let last: { at: number; cpu: ProcStat; net: Map<string, NetCounters> } | undefined;
  // The same reads every round: the script is written once.
  const script = remoteScript(reads);
  return {
    async sample(): Promise<HostMetrics> {
      const r = await exec(script, reads.timeoutMs);
      const sections = splitSections(r.stdout);
      if (!sections.has("end") || !sections.get("stat")) {
        const why = r.stderr.trim().split("\n").slice(-3).join("; ") || `exit status ${r.code}`;
        throw new Error(`${reads.host}: the read script did not complete (${why})`);
      }
      const at = now();
      const cpu = parseProcStat(sections.get("stat")!);
      const net = parseNetDev(sections.get("netdev") ?? "");
      const ifaces = [...net.keys()].filter((n) => n !== "lo");
      const [l1 = 0, l5 = 0, l15 = 0] = (sections.get("loadavg") ?? "").split(/\s+/).map(Number);
      const metrics: HostMetrics = {
        host: reads.host,
        time: new Date(at).toISOString(),
        intervalMs: reads.intervalMs,
        uptimeSec: Number((sections.get("uptime") ?? "0").split(/\s+/)[0]) || 0,
        cpu: cpuUsage(last?.cpu, cpu),
        load: { l1, l5, l15 },
        memory: parseMeminfo(sections.get("meminfo") ?? ""),
        temperatures: [],
        network: networkRates(last && { at: last.at, counters: last.net }, { at, counters: net }, ifaces),
        filesystems: filesystems(sections, reads.mounts),
      };
      last = { at, cpu, net };
      if (reads.raid) metrics.raid = parseMdstat(sections.get("mdstat") ?? "");
      if (reads.smart) {
        metrics.disks = [...sections]
          .filter(([name]) => name.startsWith("smart:"))
          .map(([name, body]) => parseSmartctl(body, name.slice("smart:".length)));
      }
      if (reads.noipFile) metrics.dynDns = noipStatus(fileTail(reads.noipFile, sections.get("file:noip")));
      if (reads.jobs.length > 0)
        metrics.jobs = reads.jobs.map((j) => jobStatus(j, fileTail(j.file, sections.get(`file:job:${j.name}`)), at));
      return metrics;
    },
  };
}
