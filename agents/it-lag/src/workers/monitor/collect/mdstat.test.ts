import { describe, expect, it } from "vitest";
import { parseMdstat } from "./mdstat.ts";

describe("parseMdstat", () => {
  it("reads healthy, degraded, rebuilding, inactive and raid0 arrays", () => {
    const text = `Personalities : [raid0] [raid1] [raid6] [raid5] [raid4]
md2 : active raid5 sdd1[3] sdc1[1] sde1[0]
      1953260544 blocks super 1.2 level 5, 512k chunk, algorithm 2 [3/2] [UU_]
      [=>...................]  recovery =  8.5% (83058176/976630272) finish=104.2min speed=142848K/sec

md1 : active raid1 sdb2[1](F) sda2[0] sdf2[2](S)
      104320 blocks [2/1] [U_]

md0 : active (auto-read-only) raid1 sdb1[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
      bitmap: 0/8 pages [0KB], 65536KB chunk

md3 : inactive sdg1[0](S)
      976630464 blocks super 1.2

md4 : active raid0 sdh1[1] sdi1[0]
      1953260544 blocks super 1.2 512k chunks

unused devices: <none>
`;
    expect(parseMdstat(text)).toEqual([
      {
        array: "md2",
        level: "raid5",
        state: "active",
        readOnly: false,
        devices: 3,
        activeDevices: 2,
        failed: [],
        spares: [],
        degraded: true,
        sync: { action: "recovery", pct: 8.5, finishMin: 104.2 },
      },
      {
        array: "md1",
        level: "raid1",
        state: "active",
        readOnly: false,
        devices: 2,
        activeDevices: 1,
        failed: ["sdb2"],
        spares: ["sdf2"],
        degraded: true,
      },
      {
        array: "md0",
        level: "raid1",
        state: "active",
        readOnly: true,
        devices: 2,
        activeDevices: 2,
        failed: [],
        spares: [],
        degraded: false,
      },
      { array: "md3", state: "inactive", readOnly: false, devices: 0, activeDevices: 0, failed: [], spares: ["sdg1"], degraded: true },
      {
        array: "md4",
        level: "raid0",
        state: "active",
        readOnly: false,
        devices: 2,
        activeDevices: 2,
        failed: [],
        spares: [],
        degraded: false,
      },
    ]);
  });

  it("no arrays, or no mdstat at all, is an empty list", () => {
    expect(parseMdstat("Personalities : \nunused devices: <none>\n")).toEqual([]);
    expect(parseMdstat("")).toEqual([]);
  });

  it("a pending resync counts as a sync at 0 %", () => {
    const a = parseMdstat("md0 : active raid1 sdb1[1] sda1[0]\n      100 blocks [2/2] [UU]\n        resync=PENDING\n");
    expect(a[0]?.sync).toEqual({ action: "resync", pct: 0 });
    expect(a[0]?.degraded).toBe(false);
  });
});
