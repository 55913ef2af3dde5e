import { describe, expect, it } from "vitest";
import { TargetsConfig } from "./target-config.ts";

const base = { kind: "ssh", host: "nas", address: "192.168.1.20", user: "lag", keyFile: "/etc/lag/secrets/nas", hostKey: "SHA256:abc" };

describe("SSH targets in the configuration", () => {
  it("fills the defaults: port 22, a minute between reads, smartctl, RAID, no jobs", () => {
    const [t] = TargetsConfig.parse([base]);
    expect(t).toMatchObject({
      port: 22,
      interval: 60_000,
      timeout: 20_000,
      smart: { command: "smartctl" },
      raid: true,
      jobs: [],
      proc: "/proc",
    });
  });

  it("lists every bad key at once: a password, a bad pin, a relative key file, a timeout past the interval, two jobs of one name", () => {
    const r = TargetsConfig.safeParse([
      {
        ...base,
        password: "hunter2",
        hostKey: "nonsense",
        keyFile: "keys/nas",
        interval: "10s",
        timeout: "30s",
        jobs: [
          { name: "rsync", file: "/l" },
          { name: "rsync", file: "/m" },
        ],
      },
      { ...base, smart: { command: "smartctl", devices: ["sda"] } },
    ]);
    expect(r.success).toBe(false);
    const text = r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(text).toEqual(
      expect.arrayContaining([
        "0: no passwords over SSH: log in with keyFile (a private key) and pin hostKey",
        expect.stringMatching(/^0\.hostKey: .*fingerprint/),
        "0.keyFile: an absolute path to the private key",
        "0.timeout: must be shorter than interval",
        "0.jobs: job names must be unique: rsync at [0], [1]",
        "1.host: nas is already a target",
        expect.stringMatching(/^1\.smart/),
      ]),
    );
  });
});
