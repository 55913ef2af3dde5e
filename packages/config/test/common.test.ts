import { describe, expect, it } from "vitest";
import type { NatsSettings } from "@lag/bus";
import { CommonConfig, LogConfig, NatsConfig } from "@lag/config";

describe("NatsConfig", () => {
  it("defaults to the local server and parses to the bus's NatsSettings", () => {
    const parsed = NatsConfig.parse({});
    // A compile-time check as much as a runtime one: `pnpm run check` fails if the shapes drift apart.
    const settings: NatsSettings = parsed;
    expect(settings).toEqual({ servers: ["nats://127.0.0.1:4222"], pingInterval: 5_000, maxPingsOut: 2, connectTimeout: 5_000 });
  });

  it("turns one server or a comma-separated string into a list", () => {
    expect(NatsConfig.parse({ servers: "nats://a:4222" }).servers).toEqual(["nats://a:4222"]);
    expect(NatsConfig.parse({ servers: "nats://a:4222,nats://b:4222" }).servers).toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(NatsConfig.parse({ servers: ["tls://a:4222"] }).servers).toEqual(["tls://a:4222"]);
  });

  it("refuses an empty server list", () => {
    expect(NatsConfig.safeParse({ servers: [] }).error?.issues[0]?.message).toMatch(/list at least one server/);
  });

  it("keeps credentials and TLS files", () => {
    const n = NatsConfig.parse({ user: "u", password: "p", credsFile: "/c", tls: { caFile: "/ca", certFile: "/crt", keyFile: "/key" } });
    const settings: NatsSettings = n;
    expect(settings).toMatchObject({
      user: "u",
      password: "p",
      credsFile: "/c",
      tls: { caFile: "/ca", certFile: "/crt", keyFile: "/key" },
    });
  });

  it("refuses a password without a user, which the client would silently drop", () => {
    expect(NatsConfig.safeParse({ password: "p" }).error?.issues[0]).toMatchObject({
      path: ["user"],
      message: expect.stringMatching(/no user/),
    });
  });

  it("refuses a client certificate without its key", () => {
    expect(NatsConfig.safeParse({ tls: { certFile: "/crt" } }).error?.issues[0]?.message).toMatch(/certFile and keyFile go together/);
  });

  it("refuses unknown keys", () => {
    expect(NatsConfig.safeParse({ url: "nats://a" }).error?.issues[0]?.code).toBe("unrecognized_keys");
  });
});

describe("LogConfig and CommonConfig", () => {
  it("default to info, ./data and the local NATS server", () => {
    expect(CommonConfig.parse({})).toEqual({
      dataDir: "./data",
      log: { level: "info" },
      nats: { servers: ["nats://127.0.0.1:4222"], pingInterval: 5_000, maxPingsOut: 2, connectTimeout: 5_000 },
      jetstream: { replicas: 1 },
    });
  });

  it("accept exactly pino's levels", () => {
    for (const level of ["trace", "debug", "info", "warn", "error", "fatal", "silent"])
      expect(LogConfig.parse({ level }).level).toBe(level);
    expect(LogConfig.safeParse({ level: "verbose" }).success).toBe(false);
  });

  it("can be extended by a process schema, staying strict", () => {
    const Process = CommonConfig.extend({ extra: NatsConfig.shape.user });
    expect(Process.parse({ extra: "x" }).extra).toBe("x");
    expect(Process.safeParse({ other: 1 }).success).toBe(false);
  });
});
