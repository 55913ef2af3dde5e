import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HostMetrics } from "@lag/contracts";
import { remoteScript, shq, splitSections, sshSampler, type RemoteExec, type RemoteReads } from "./sampler.ts";

/** The script run by this machine's own sh, as sshd would run it: the same text, no network. */
const localSh: RemoteExec = (command, timeoutMs) =>
  new Promise((resolve) => {
    execFile("sh", ["-c", command], { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });

function fakeProc(): string {
  const dir = mkdtempSync(join(tmpdir(), "lag-proc-"));
  mkdirSync(join(dir, "net"));
  for (const f of ["uptime", "loadavg", "stat", "meminfo", "mounts", "net/dev"]) symlinkSync(`/proc/${f}`, join(dir, f));
  writeFileSync(join(dir, "mdstat"), "md0 : active raid1 sdb1[1] sda1[0]\n      100 blocks [2/2] [UU]\n");
  return dir;
}

const reads = (proc: string, extra: Partial<RemoteReads> = {}): RemoteReads => ({
  host: "nas",
  intervalMs: 60_000,
  proc,
  mounts: { storage: "/" },
  raid: true,
  jobs: [],
  timeoutMs: 10_000,
  ...extra,
});

describe("the SSH read script", () => {
  it("reads a host into valid HostMetrics: CPU as a delta between rounds, every filesystem with inodes", async () => {
    const sampler = sshSampler(reads(fakeProc()), localSh);
    const first = await sampler.sample();
    expect(HostMetrics.safeParse(first).success).toBe(true);
    expect(first.filesystems.find((f) => f.mount === "/")).toMatchObject({ role: "storage" });
    expect(first.filesystems.every((f) => f.sizeBytes > 0)).toBe(true);
    expect(first.raid?.[0]?.array).toBe("md0");
    expect(first.memory.totalBytes).toBeGreaterThan(0);
    expect(first.network.some((n) => n.iface === "lo")).toBe(false);
    const second = await sampler.sample();
    expect(second.cpu.cores.length).toBe(first.cpu.cores.length);
  });

  it("a missing smartctl leaves disks empty; a missing job log is overdue; quotes in paths survive", async () => {
    const proc = fakeProc();
    const odd = join(proc, "it's a log");
    writeFileSync(odd, "done\n");
    const m = await sshSampler(
      reads(proc, {
        smart: { command: "/nonexistent/smartctl" },
        jobs: [
          { name: "a", file: odd, success: /done/, failure: /fail/, maxAgeMs: 3_600_000 },
          { name: "b", file: "/nonexistent/log", success: /done/, failure: /fail/, maxAgeMs: 3_600_000 },
        ],
      }),
      localSh,
    ).sample();
    expect(m.disks).toEqual([]);
    expect(m.jobs?.map((j) => [j.name, j.ok, j.overdue])).toEqual([
      ["a", true, false],
      ["b", undefined, true],
    ]);
  });

  it("a host whose /proc cannot be read rejects with what it said", async () => {
    await expect(sshSampler(reads("/nonexistent"), localSh).sample()).rejects.toThrow(/the read script did not complete \(.*No such file/);
  });

  it("sections split on their markers only", () => {
    const out = "junk\n@@lag:a\n1\n2\n@@lag:b\n\n@@lag:end\n";
    expect([...splitSections(out)]).toEqual([
      ["a", "1\n2"],
      ["b", ""],
      ["end", ""],
    ]);
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(remoteScript(reads("/p", { raid: false }))).not.toContain("mdstat");
  });
});
