import { readFile, statfs } from "node:fs/promises";
import type { Filesystem } from "@lag/contracts";

/** Kernel pseudo filesystems and container layers: never storage anyone cares about. */
const PSEUDO = new Set([
  "proc",
  "sysfs",
  "devtmpfs",
  "devpts",
  "tmpfs",
  "cgroup",
  "cgroup2",
  "securityfs",
  "pstore",
  "bpf",
  "debugfs",
  "tracefs",
  "configfs",
  "fusectl",
  "mqueue",
  "hugetlbfs",
  "autofs",
  "binfmt_misc",
  "rpc_pipefs",
  "nsfs",
  "overlay",
  "squashfs",
  "ramfs",
  "efivarfs",
  "selinuxfs",
  "fuse.lxcfs",
  "fuse.portal",
  "nfsd",
]);

export interface MountEntry {
  device: string;
  mount: string;
  fsType: string;
}

/** /proc/mounts escapes spaces and tabs in paths as octal (`\040`). */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [device = "", mount = "", fsType = ""] = line.split(" ");
      return { device: unescapeOctal(device), mount: unescapeOctal(mount), fsType };
    });
}

/**
 * The mounts worth watching: real filesystems, each device once (a bind mount of the same device
 * shows the same numbers), plus every mount the config names whatever its type.
 */
export function selectMounts(entries: MountEntry[], roles: Record<string, string>): MountEntry[] {
  const wanted = new Set(Object.values(roles));
  const seenDevices = new Set<string>();
  const out: MountEntry[] = [];
  for (const e of [...entries].sort((a, b) => a.mount.length - b.mount.length)) {
    if (wanted.has(e.mount)) {
      out.push(e);
      seenDevices.add(e.device);
      continue;
    }
    if (PSEUDO.has(e.fsType) || e.mount.startsWith("/proc") || e.mount.startsWith("/sys")) continue;
    if (seenDevices.has(e.device)) continue;
    seenDevices.add(e.device);
    out.push(e);
  }
  return out.sort((a, b) => a.mount.localeCompare(b.mount));
}

/** Size and use of one mount, computed as `df` does (used / (used + available to users)). */
export async function measureMount(e: MountEntry, role: string | undefined): Promise<Filesystem | undefined> {
  let s;
  try {
    s = await statfs(e.mount);
  } catch {
    return undefined; // unmounted between reading /proc/mounts and now, or no permission
  }
  const size = s.blocks * s.bsize;
  const free = s.bavail * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const usedPct = used + free > 0 ? (used / (used + free)) * 100 : 0;
  const fs: Filesystem = {
    mount: e.mount,
    device: e.device,
    fsType: e.fsType,
    sizeBytes: size,
    usedBytes: used,
    freeBytes: free,
    usedPct: round(usedPct),
  };
  if (role) fs.role = role;
  if (s.files > 0) {
    fs.inodesTotal = s.files;
    fs.inodesUsed = s.files - s.ffree;
    fs.inodesUsedPct = round(((s.files - s.ffree) / s.files) * 100);
  }
  return fs;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The mount a path lives on: the longest mount point that is a prefix of it. */
export function mountOf(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    const inside = path === e.mount || path.startsWith(e.mount.endsWith("/") ? e.mount : `${e.mount}/`);
    if (inside && (!best || e.mount.length > best.mount.length)) best = e;
  }
  return best;
}

/** The role given to the mount holding LAG's own data directory (its SQLite files, its alert state). */
export const LAG_DATA_ROLE = "lag-data";

/**
 * Every watched filesystem, labelled with the role the config gives its mount. The mount holding
 * `dataDir` is always watched, as `lag-data` unless the config already names it: a full data disk
 * is what stops LAG's own stores.
 */
export async function collectFilesystems(
  roles: Record<string, string>,
  mountsFile = "/proc/mounts",
  dataDir?: string,
): Promise<Filesystem[]> {
  const entries = parseMounts(await readFile(mountsFile, "utf8"));
  const data = dataDir ? mountOf(entries, dataDir) : undefined;
  if (data && !Object.values(roles).includes(data.mount)) roles = { ...roles, [LAG_DATA_ROLE]: data.mount };
  const roleOf = new Map(Object.entries(roles).map(([role, path]) => [path, role]));
  const out = await Promise.all(selectMounts(entries, roles).map((e) => measureMount(e, roleOf.get(e.mount))));
  return out.filter((f): f is Filesystem => f !== undefined);
}
