import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryLogger } from "@lag/testing";
import { freePort } from "@lag/launcher";
import { fingerprint, pinnedFingerprint, SshSession } from "./session.ts";

describe("host key pins", () => {
  it("a fingerprint and a whole public key line pin the same key, as ssh-keygen -l names it", () => {
    const dir = mkdtempSync(join(tmpdir(), "lag-key-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
    const line = readFileSync(join(dir, "k.pub"), "utf8").trim();
    const keygen = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1];
    expect(fingerprint(Buffer.from(line.split(" ")[1]!, "base64"))).toBe(keygen);
    expect(pinnedFingerprint(line)).toBe(keygen);
    expect(pinnedFingerprint(`  ${keygen}  `)).toBe(keygen);
  });

  it("a pin that is neither is refused, naming it", () => {
    expect(() => pinnedFingerprint("not-a-key")).toThrow('host key "not-a-key" is neither SHA256:… nor "type base64-key"');
  });
});

describe("a host that does not answer", () => {
  it("fails once per back-off step: the next read within it does not dial again, and says when it will", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lag-key-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
    const port = await freePort();
    let now = 1_000_000;
    const log = memoryLogger("ssh");
    const s = new SshSession(
      {
        name: "nas",
        address: "127.0.0.1",
        port,
        user: "lag",
        keyFile: join(dir, "k"),
        hostKeys: ["SHA256:x"],
        connectTimeoutMs: 2_000,
        reconnectMinMs: 5_000,
        reconnectMaxMs: 60_000,
      },
      log.logger,
      () => now,
    );
    await expect(s.exec("true", 1_000)).rejects.toThrow(`nas (lag@127.0.0.1:${port}): connection refused (is sshd running?)`);
    await expect(s.exec("true", 1_000)).rejects.toThrow(/connection refused \(is sshd running\?\) \(next attempt in [4-6] s\)/);
    // One warning for the one failure, whatever the reads in between.
    expect(log.lines.filter((l) => /connection refused/.test(l.msg))).toHaveLength(1);
    now += 10_000;
    await expect(s.exec("true", 1_000)).rejects.toThrow(/connection refused \(is sshd running\?\)$/);
    s.close();
  });

  it("a key file that cannot be read is said, naming it", async () => {
    const s = new SshSession(
      {
        name: "nas",
        address: "127.0.0.1",
        port: 22,
        user: "lag",
        keyFile: "/nonexistent/key",
        hostKeys: [],
        connectTimeoutMs: 1_000,
        reconnectMinMs: 1_000,
        reconnectMaxMs: 1_000,
      },
      memoryLogger("ssh").logger,
    );
    await expect(s.exec("true", 1_000)).rejects.toThrow("cannot read the key file /nonexistent/key: ENOENT");
  });
});
