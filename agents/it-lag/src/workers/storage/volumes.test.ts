import { describe, expect, it } from "vitest";
import { hostMetrics, StorageReport, type Filesystem, type HostMetrics } from "@lag/contracts";
import { VolumeBook } from "./volumes.ts";

const GB = 1e9;
const fs = (mount: string, freeGB: number, role?: string): Filesystem => ({
  mount,
  device: `/dev/${mount.replace(/\W/g, "") || "root"}`,
  fsType: "ext4",
  ...(role ? { role } : {}),
  sizeBytes: 4000 * GB,
  usedBytes: (4000 - freeGB) * GB,
  freeBytes: freeGB * GB,
  usedPct: 100 - freeGB / 40,
});
const metrics = (host: string, filesystems: Filesystem[]): HostMetrics => ({ ...hostMetrics.example, host, filesystems });

function book() {
  const b = new VolumeBook();
  b.update(metrics("kronos", [fs("/", 50), fs("/mnt/storage", 400, "storage"), fs("/mnt/backup", 900, "backup")]));
  b.update(metrics("nas", [fs("/", 20), fs("/volume1", 2500)]));
  return b;
}
const now = new Date("2026-11-23T06:00:00Z");

describe("storage query", () => {
  it("lists every volume of every host, sorted by host", () => {
    const r = book().query({}, now);
    expect(StorageReport.parse(r)).toEqual(r);
    expect(r.volumes.map((v) => `${v.host}:${v.mount}`)).toEqual([
      "kronos:/",
      "kronos:/mnt/storage",
      "kronos:/mnt/backup",
      "nas:/",
      "nas:/volume1",
    ]);
  });

  it("answers for a path with the volume that holds it (longest mount prefix)", () => {
    const r = book().query({ host: "kronos", path: "/mnt/storage/photos/2026" }, now);
    expect(r.volumes.map((v) => v.mount)).toEqual(["/mnt/storage"]);
    expect(
      book()
        .query({ host: "kronos", path: "/mnt/storagex" }, now)
        .volumes.map((v) => v.mount),
    ).toEqual(["/"]);
  });

  it("answers 'where do 300 GB fit?' with the volumes that have that much free", () => {
    const r = book().query({ minFreeBytes: 300 * GB }, now);
    expect(r.volumes.map((v) => `${v.host}:${v.mount}`)).toEqual(["kronos:/mnt/storage", "kronos:/mnt/backup", "nas:/volume1"]);
  });

  it("keeps the newest sample per host", () => {
    const b = book();
    b.update(metrics("kronos", [fs("/", 10)]));
    expect(b.query({ host: "kronos" }, now).volumes).toHaveLength(1);
    expect(b.hosts()).toEqual(["kronos", "nas"]);
  });
});
