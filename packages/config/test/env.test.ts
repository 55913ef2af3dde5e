import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CommonConfig, ConfigError, duration, loadConfig } from "@lag/config";
import { tempDir } from "./temp-files.fixture.ts";

const Schema = CommonConfig.extend({
  it: z
    .strictObject({
      monitor: z
        .strictObject({
          interval: duration.default(10_000),
          enabled: z.boolean().default(true),
          targets: z.array(z.string()).default([]),
          rules: z.array(z.strictObject({ name: z.string(), for: duration.default(0) })).default([]),
          mounts: z.record(z.string(), z.string()).default({}),
        })
        .prefault({}),
    })
    .prefault({}),
});

function load(env: NodeJS.ProcessEnv, yaml?: string) {
  const t = tempDir();
  if (yaml !== undefined) t.write("lag.yaml", yaml);
  return loadConfig(Schema, { cwd: t.dir, env }).config;
}

function problems(env: NodeJS.ProcessEnv, yaml?: string): string[] {
  try {
    load(env, yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("loadConfig accepted a bad environment");
}

describe("environment overrides", () => {
  it("set nested keys with LAG__SECTION__KEY, snake case becoming camel case", () => {
    const c = load({ LAG__IT__MONITOR__INTERVAL: "5s", LAG__DATA_DIR: "/var/lib/lag", LAG__LOG__LEVEL: "debug" });
    expect(c.it.monitor.interval).toBe(5_000);
    expect(c.dataDir).toBe("/var/lib/lag");
    expect(c.log.level).toBe("debug");
  });

  it("win over the file, leaving the file's other keys alone", () => {
    const c = load({ LAG__IT__MONITOR__INTERVAL: "1m" }, "it:\n  monitor:\n    interval: 5m\n    targets: [a]\n");
    expect(c.it.monitor.interval).toBe(60_000);
    expect(c.it.monitor.targets).toEqual(["a"]);
  });

  it("read values as YAML scalars and flow lists, keeping durations as text", () => {
    const c = load({
      LAG__IT__MONITOR__ENABLED: "false",
      LAG__IT__MONITOR__TARGETS: "[1.1.1.1, router.lan]",
      LAG__IT__MONITOR__INTERVAL: "10s",
    });
    expect(c.it.monitor.enabled).toBe(false);
    expect(c.it.monitor.targets).toEqual(["1.1.1.1", "router.lan"]);
    expect(c.it.monitor.interval).toBe(10_000);
  });

  it("keep a password that looks like a number, a comment or a mapping exactly as written", () => {
    expect(load({ NATS_USER: "lag", LAG__NATS__PASSWORD: "12345" }).nats.password).toBe("12345");
    expect(load({ NATS_USER: "lag", LAG__NATS__PASSWORD: "#not-a-comment" }).nats.password).toBe("#not-a-comment");
    expect(load({ NATS_USER: "lag", LAG__NATS__PASSWORD: "a: b" }).nats.password).toBe("a: b");
  });

  it("index an existing list with a numeric segment", () => {
    const c = load({ LAG__IT__MONITOR__RULES__1__FOR: "2m" }, "it:\n  monitor:\n    rules:\n      - name: a\n      - name: b\n");
    expect(c.it.monitor.rules).toEqual([
      { name: "a", for: 0 },
      { name: "b", for: 120_000 },
    ]);
  });

  it("keep a lower-case segment as written, for record keys", () => {
    expect(load({ LAG__IT__MONITOR__MOUNTS__my_disk: "/mnt/disk" }).it.monitor.mounts).toEqual({ my_disk: "/mnt/disk" });
  });

  it("are named in problems, with the key they set", () => {
    expect(problems({ LAG__IT__MONITOR__INTERVAL: "soon" }, "it:\n  monitor:\n    interval: 5m\n")).toEqual([
      expect.stringMatching(/^env LAG__IT__MONITOR__INTERVAL it\.monitor\.interval: expected a duration like .*got "soon"$/),
    ]);
  });

  it("report a misspelt variable as an unknown key with a suggestion", () => {
    expect(problems({ LAG__IT__MONITOR__INTERVALL: "5s" })).toEqual([
      "env LAG__IT__MONITOR__INTERVALL it.monitor.intervall: unknown key; did you mean interval?",
    ]);
  });

  it("ignore empty variables, as compose passes unset ones", () => {
    expect(load({ LAG__DATA_DIR: "", NATS_URL: "" }, "dataDir: /from-file\n").dataDir).toBe("/from-file");
  });
});

describe("secrets from files", () => {
  it("read KEY_FILE into KEY, trimmed", () => {
    const t = tempDir();
    const secret = t.write("nats-password", "s3cr3t: with #odd chars\n");
    const c = load({ LAG__NATS__USER: "it-monitor", LAG__NATS__PASSWORD_FILE: secret });
    expect(c.nats.user).toBe("it-monitor");
    expect(c.nats.password).toBe("s3cr3t: with #odd chars");
  });

  it("set a key that itself ends in File as a path, without reading it", () => {
    const c = load({ LAG__NATS__CREDS_FILE: "/run/secrets/it.creds", LAG__NATS__TLS__CA_FILE: "/etc/lag/ca.pem" });
    expect(c.nats.credsFile).toBe("/run/secrets/it.creds");
    expect(c.nats.tls).toEqual({ caFile: "/etc/lag/ca.pem" });
  });

  it("are not read for another process's section, which this schema leaves unchecked", () => {
    const Other = CommonConfig.extend({ ceo: z.unknown().optional() });
    const t = tempDir();
    const { config } = loadConfig(Other, { cwd: t.dir, env: { LAG__CEO__SMTP__PASSWORD_FILE: `${t.dir}/absent` } });
    expect(config.ceo).toBeUndefined();
  });

  it("say which variable points at a file that cannot be read, and how to fix it", () => {
    const t = tempDir();
    expect(problems({ LAG__NATS__USER: "x", LAG__NATS__PASSWORD_FILE: `${t.dir}/absent` })).toEqual([
      `env LAG__NATS__PASSWORD_FILE: cannot read ${t.dir}/absent (ENOENT); create the file, make it readable, or unset LAG__NATS__PASSWORD_FILE`,
    ]);
  });
});

describe("well-known variables", () => {
  it("NATS_URL gives the server list, comma-separated", () => {
    expect(load({ NATS_URL: "nats://a:4222, nats://b:4222" }).nats.servers).toEqual(["nats://a:4222", "nats://b:4222"]);
  });

  it("NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_NKEY, LAG_DATA_DIR and LAG_LOG_LEVEL set their keys", () => {
    const c = load({
      NATS_USER: "ceo",
      NATS_PASSWORD: "0042",
      NATS_TOKEN: "tok",
      NATS_CREDS: "/c.creds",
      NATS_NKEY: "/n.nk",
      LAG_DATA_DIR: "/var/lib/lag",
      LAG_LOG_LEVEL: "warn",
    });
    expect(c.nats).toEqual({
      servers: ["nats://127.0.0.1:4222"],
      pingInterval: 5_000,
      maxPingsOut: 2,
      connectTimeout: 5_000,
      user: "ceo",
      password: "0042",
      token: "tok",
      credsFile: "/c.creds",
      nkeyFile: "/n.nk",
    });
    expect(c.dataDir).toBe("/var/lib/lag");
    expect(c.log.level).toBe("warn");
  });

  it("NATS_PASSWORD_FILE and NATS_TOKEN_FILE read secrets from files", () => {
    const t = tempDir();
    const c = load({ NATS_USER: "ceo", NATS_PASSWORD_FILE: t.write("p", "pw\n"), NATS_TOKEN_FILE: t.write("t", "tk\n") });
    expect(c.nats.password).toBe("pw");
    expect(c.nats.token).toBe("tk");
  });

  it("lose to the LAG__ variable for the same key, and win over the file", () => {
    expect(load({ NATS_URL: "nats://alias:1", LAG__NATS__SERVERS: "[nats://explicit:1]" }).nats.servers).toEqual(["nats://explicit:1"]);
    expect(load({ LAG_DATA_DIR: "/alias" }, "dataDir: /file\n").dataDir).toBe("/alias");
  });

  it("leave alone a schema without their key", () => {
    const Bare = z.strictObject({ name: z.string().default("x") });
    const t = tempDir();
    expect(loadConfig(Bare, { cwd: t.dir, env: { NATS_URL: "nats://a:1", LAG_DATA_DIR: "/d" } }).config).toEqual({ name: "x" });
  });
});
