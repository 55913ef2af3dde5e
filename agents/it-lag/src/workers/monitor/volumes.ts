import type { HostMetrics, StorageQuery, StorageReport, Volume } from "@lag/contracts";

/**
 * The latest volumes of every monitored host, fed by the host-metrics events on the bus. Any
 * monitor instance can therefore answer a storage query for all hosts, so the service scales out
 * as a queue group without asking each host.
 */
export class VolumeBook {
  private readonly byHost = new Map<string, Volume[]>();

  update(m: HostMetrics): void {
    this.byHost.set(
      m.host,
      m.filesystems.map((f) => ({
        host: m.host,
        mount: f.mount,
        ...(f.role ? { role: f.role } : {}),
        fsType: f.fsType,
        sizeBytes: f.sizeBytes,
        usedBytes: f.usedBytes,
        freeBytes: f.freeBytes,
        usedPct: f.usedPct,
        sampledAt: m.time,
      })),
    );
  }

  hosts(): string[] {
    return [...this.byHost.keys()].sort();
  }

  query(q: StorageQuery, now: Date): StorageReport {
    let volumes: Volume[] = [];
    for (const [host, vols] of [...this.byHost.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (q.host && q.host !== host) continue;
      if (q.path) {
        const holder = holdingVolume(vols, q.path);
        if (holder) volumes.push(holder);
      } else {
        volumes.push(...vols);
      }
    }
    if (q.minFreeBytes !== undefined) volumes = volumes.filter((v) => v.freeBytes >= q.minFreeBytes!);
    return { time: now.toISOString(), volumes };
  }
}

/** The volume whose mount is the longest prefix of the path, as the kernel resolves it. */
export function holdingVolume(vols: Volume[], path: string): Volume | undefined {
  let best: Volume | undefined;
  for (const v of vols) {
    const inside = v.mount === "/" || path === v.mount || path.startsWith(`${v.mount}/`);
    if (inside && (!best || v.mount.length > best.mount.length)) best = v;
  }
  return best;
}
