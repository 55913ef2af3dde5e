import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Filesystem } from "@lag/contracts";
import { collectFilesystems, parseMounts, selectMounts } from "./filesystems.ts";

const MOUNTS = [
  "proc /proc proc rw 0 0",
  "/dev/vda / ext4 rw 0 0",
  "tmpfs /dev/shm tmpfs rw 0 0",
  "/dev/vda /var/lib/docker ext4 rw 0 0",
  "/dev/sdb1 /mnt/storage ext4 rw 0 0",
  "/dev/sdc1 /mnt/back\\040up xfs rw 0 0",
  "overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0",
  "tmpfs /run/lag tmpfs rw 0 0",
].join("\n");

describe("filesystems", () => {
  it("parses /proc/mounts, unescaping spaces", () => {
    const m = parseMounts(MOUNTS);
    expect(m[5]).toEqual({ device: "/dev/sdc1", mount: "/mnt/back up", fsType: "xfs" });
  });

  it("keeps real filesystems once per device, and every mount the config names", () => {
    const sel = selectMounts(parseMounts(MOUNTS), { scratch: "/run/lag" }).map((e) => e.mount);
    expect(sel).toEqual(["/", "/mnt/back up", "/mnt/storage", "/run/lag"]);
  });

  it("measures real mounts of this machine, labelled by role, valid against the contract", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lag-mounts-"));
    const file = join(dir, "mounts");
    writeFileSync(file, "/dev/root / ext4 rw 0 0\n/dev/missing /does/not/exist ext4 rw 0 0\n");
    const out = await collectFilesystems({ system: "/" }, file);
    expect(out).toHaveLength(1);
    const root = Filesystem.parse(out[0]);
    expect(root.role).toBe("system");
    expect(root.sizeBytes).toBeGreaterThan(0);
    expect(root.usedBytes + root.freeBytes).toBeLessThanOrEqual(root.sizeBytes);
    expect(root.inodesTotal).toBeGreaterThan(0);
  });
});
