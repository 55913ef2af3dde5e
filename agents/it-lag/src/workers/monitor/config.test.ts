import { describe, expect, it } from "vitest";
import { itConfig } from "../../config.ts";
import { resolveEndpoint } from "../../docker/connection.ts";

describe("monitor configuration", () => {
  it("lets DOCKER_HOST choose the engine when the config names none", () => {
    const section = itConfig.section("monitor");
    const cfg = section.pick(section.processSchema.parse({}));
    const { enabled, ...conn } = cfg.docker;
    expect(enabled).toBe(true);
    expect(resolveEndpoint(conn, { DOCKER_HOST: "tcp://nas:2375" }).label).toBe("tcp://nas:2375");
    expect(resolveEndpoint(conn, {}).label).toBe("/var/run/docker.sock");
  });

  it("reports a misspelt section under it:", () => {
    const r = itConfig.section("monitor").processSchema.safeParse({ it: { monitorr: { interval: "5s" } } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("monitorr");
  });

  it("reports a misspelt top-level section, and accepts the other agents' sections", () => {
    const schema = itConfig.section("monitor").processSchema;
    expect(schema.safeParse({ ceo: {}, media: { anything: 1 }, launcher: {} }).success).toBe(true);
    const r = schema.safeParse({ mediaa: {} });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("mediaa");
  });

  it("refuses an SSH target named like the monitor's own host", () => {
    const r = itConfig.section("monitor").processSchema.safeParse({
      it: {
        monitor: {
          host: "kronos",
          targets: [{ kind: "ssh", host: "kronos", address: "192.168.1.20", user: "lag", keyFile: "/k", hostKey: "SHA256:x" }],
        },
      },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("kronos is this monitor's own host");
  });
});
