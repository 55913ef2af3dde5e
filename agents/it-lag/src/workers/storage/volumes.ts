import type { HostMetrics, LibraryUsage, StorageQuery, StorageReport, Volume } from "@lag/contracts";

/** A volume as its host last measured it. */
export type MeasuredVolume = Omit<Volume, "measuredFreeBytes" | "reservedBytes" | "libraries">;

/** What the storage worker adds to a measured volume: the space reserved on it and the library folders it holds. */
export interface VolumeExtras {
  reservedOn(host: string, mount: string): number;
  librariesOn(host: string, mount: string): LibraryUsage[];
}

/**
 * The latest volumes of every monitored host, fed by the host-metrics events on the bus. A storage
 * query answers from them, with what is reserved subtracted from what is free.
 */
export class VolumeBook {
  private readonly byHost = new Map<string, MeasuredVolume[]>();

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

  /** Every measured volume, by host. */
  all(): MeasuredVolume[] {
    return this.hosts().flatMap((h) => this.byHost.get(h)!);
  }

  /** The volume of `host` holding `path`, as measured. */
  holding(host: string, path: string): MeasuredVolume | undefined {
    return holdingVolume(this.byHost.get(host) ?? [], path);
  }

  query(q: StorageQuery, now: Date, extras?: VolumeExtras): StorageReport {
    let volumes: Volume[] = [];
    for (const host of this.hosts()) {
      if (q.host && q.host !== host) continue;
      const vols = this.byHost.get(host)!;
      const picked = q.path ? [holdingVolume(vols, q.path)].filter((v) => v !== undefined) : vols;
      volumes.push(...picked.map((v) => withExtras(v, extras)));
    }
    if (q.minFreeBytes !== undefined) volumes = volumes.filter((v) => v.freeBytes >= q.minFreeBytes!);
    return { time: now.toISOString(), volumes };
  }
}

function withExtras(v: MeasuredVolume, extras?: VolumeExtras): Volume {
  const reserved = extras?.reservedOn(v.host, v.mount) ?? 0;
  const libraries = extras?.librariesOn(v.host, v.mount) ?? [];
  return {
    ...v,
    freeBytes: Math.max(0, v.freeBytes - reserved),
    measuredFreeBytes: v.freeBytes,
    reservedBytes: reserved,
    ...(libraries.length > 0 ? { libraries } : {}),
  };
}

/** The volume whose mount is the longest prefix of the path, as the kernel resolves it. */
export function holdingVolume<V extends { mount: string }>(vols: V[], path: string): V | undefined {
  let best: V | undefined;
  for (const v of vols) {
    const inside = v.mount === "/" || path === v.mount || path.startsWith(`${v.mount}/`);
    if (inside && (!best || v.mount.length > best.mount.length)) best = v;
  }
  return best;
}
