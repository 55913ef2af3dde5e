import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CommandError, CommandFailedError, runCommand } from "../src/index.ts";

/** Running, not a zombie waiting for a parent that will not reap it (init in a container). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

describe("runCommand", () => {
  it("gives the exit code, output and lines as they come; a failure is a result unless check is set", async () => {
    const lines: string[] = [];
    const r = await runCommand("sh", ["-c", "echo one; echo two >&2; exit 3"], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    expect(r).toMatchObject({ code: 3, signal: null, stdout: "one\n", stderr: "two\n", ok: false, timedOut: false });
    expect(lines.sort()).toEqual(["stderr:two", "stdout:one"]);
    expect((await runCommand("sh", ["-c", "exit 3"], { okCodes: [0, 3] })).ok).toBe(true);
    const failed = await runCommand("sh", ["-c", "echo 'repository does not exist' >&2; exit 10"], { check: true }).catch(
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(CommandFailedError);
    expect((failed as Error).message).toBe(
      "sh -c 'echo '\\''repository does not exist'\\'' >&2; exit 10': exited with code 10: repository does not exist",
    );
  });

  it("streams JSON lines (restic --json) and hands other lines to onLine", async () => {
    const values: unknown[] = [];
    const other: string[] = [];
    await runCommand("sh", ["-c", `printf '%s\\n' '{"message_type":"status","percent_done":0.5}' 'not json' '{broken'`], {
      onJson: (v) => values.push(v),
      onLine: (l) => other.push(l),
    });
    expect(values).toEqual([{ message_type: "status", percent_done: 0.5 }]);
    expect(other).toEqual(["not json", "{broken"]);
  });

  it("reports a child killed from outside by its signal", async () => {
    const r = await runCommand("sleep", ["30"], { onSpawn: (pid) => setTimeout(() => process.kill(pid, "SIGKILL"), 50) });
    expect(r).toMatchObject({ code: null, signal: "SIGKILL", ok: false, timedOut: false });
  });

  it("stops a program past its timeout, and what it started with it", async () => {
    let leader = 0;
    const r = await runCommand("sh", ["-c", "sleep 30 & echo $!; wait"], {
      timeoutMs: 200,
      killGraceMs: 500,
      onSpawn: (pid) => (leader = pid),
    });
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(alive(leader)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it("stops on abort", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await runCommand("sleep", ["30"], { signal: ac.signal });
    expect(r).toMatchObject({ aborted: true, ok: false });
  });

  it("keeps the last bytes of a huge output and counts them all", async () => {
    const r = await runCommand("sh", ["-c", "head -c 50000000 /dev/zero | tr '\\0' 'x'; echo; echo END"], { maxBuffer: 64 * 1024 });
    expect(r.bytes.stdout).toBe(50_000_000 + 5);
    expect(r.truncated.stdout).toBe(true);
    expect(r.stdout.length).toBe(64 * 1024);
    expect(r.stdout.endsWith("x\nEND\n")).toBe(true);
  });

  it("passes secrets through a pipe or the environment, never the command line", async () => {
    const secret = `s3cret-${process.pid}-${Date.now()}`;
    let cmdline = "";
    const r = await runCommand(
      "sh",
      ["-c", 'p=$(cat /dev/fd/3); sleep 0.3; [ "$p" = "$EXPECT" ] && [ "$RESTIC_PASSWORD" = "$EXPECT" ] && echo match'],
      {
        secretFd: secret,
        secretEnv: { RESTIC_PASSWORD: secret },
        env: { EXPECT: secret.split("").join("") },
        onSpawn: (pid) => setTimeout(() => (cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8")), 100),
      },
    );
    expect(r.stdout.trim()).toBe("match");
    expect(cmdline).toContain("cat /dev/fd/3");
    expect(cmdline).not.toContain(secret);
    await expect(runCommand("restic", ["--password", secret], { secretEnv: { RESTIC_PASSWORD: secret } })).rejects.toMatchObject({
      code: "LAG_COMMAND_SECRET",
    });
  });

  it("says when a program is not installed", async () => {
    const e = await runCommand("lag-no-such-program", []).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandError);
    expect(e).toMatchObject({ code: "LAG_COMMAND_NOT_FOUND", message: "lag-no-such-program is not installed or not on PATH" });
    await expect(runCommand("lag-no-such-program", [], { secretFd: "x" })).rejects.toMatchObject({ code: "LAG_COMMAND_NOT_FOUND" });
  });
});
