import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Bus, compareVersions, UnsupportedServerError } from "@lag/bus";
import { repoRoot } from "@lag/launcher";
import { memoryLogger, startTestNats } from "@lag/testing";

// Debian 12's own nats-server, fetched by `infra/setup/setup.sh test` for this test.
const old = join(repoRoot, ".tools/old/nats-server-2.9");

describe("server version check", () => {
  it("compares versions numerically", () => {
    expect(compareVersions("2.10.0", "2.9.10")).toBe(1);
    expect(compareVersions("2.9.10", "2.10.0")).toBe(-1);
    expect(compareVersions("2.10.27", "2.10.27")).toBe(0);
    expect(compareVersions("2.11.0-RC.1", "2.10.0")).toBe(1);
  });

  it("refuses a nats-server older than 2.10 with a message saying what to install", async () => {
    expect(existsSync(old), `${old} is missing: run infra/setup/setup.sh test`).toBe(true);
    const nats = await startTestNats({ binary: old, config: "host: 127.0.0.1\njetstream { store_dir: $LAG_JS_DIR }\n" });
    try {
      const err = await Bus.connect({
        principal: "cli",
        name: "version-test",
        nats: { servers: [nats.url] },
        failFast: true,
        logger: memoryLogger("t").logger,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedServerError);
      expect((err as Error).message).toMatch(
        /nats-server 2\.9\.10 at .* is older than the supported 2\.10\.0: install nats-server 2\.10\.0 or newer/,
      );
    } finally {
      await nats.stop();
    }
  });

  it("accepts the supported server", async () => {
    const nats = await startTestNats();
    try {
      const bus = await nats.bus("cli");
      expect(compareVersions(bus.nc.info!.version, "2.10.0")).toBeGreaterThanOrEqual(0);
    } finally {
      await nats.stop();
    }
  });
});
