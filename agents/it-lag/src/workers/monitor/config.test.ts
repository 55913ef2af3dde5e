import { describe, expect, it } from "vitest";
import { MonitorProcessConfig } from "./config.ts";
import { resolveEndpoint } from "./docker/connection.ts";

describe("monitor configuration", () => {
  it("lets DOCKER_HOST choose the engine when the config names none", () => {
    const cfg = MonitorProcessConfig.parse({});
    const { enabled, ...conn } = cfg.it.monitor.docker;
    expect(enabled).toBe(true);
    expect(resolveEndpoint(conn, { DOCKER_HOST: "tcp://nas:2375" }).label).toBe("tcp://nas:2375");
    expect(resolveEndpoint(conn, {}).label).toBe("/var/run/docker.sock");
  });

  it("reports a misspelt section under it:", () => {
    const r = MonitorProcessConfig.safeParse({ it: { monitorr: { interval: "5s" } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("monitorr");
  });
});
