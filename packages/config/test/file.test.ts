import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CommonConfig, ConfigError, duration, formatConfigError, loadConfig } from "@lag/config";
import { tempDir } from "./temp-files.fixture.ts";

/** What every parsed `nats` section holds besides what a test sets. */
const NATS_DEFAULTS = { pingInterval: 5_000, maxPingsOut: 2, connectTimeout: 5_000 };

const Rule = z.strictObject({ name: z.string(), metric: z.string(), for: duration.default(0) });
const Schema = CommonConfig.extend({
  it: z.strictObject({
    monitor: z.strictObject({
      interval: duration.default(10_000),
      rules: z.array(Rule).default([]),
    }),
  }),
});

function loadError(schema: z.ZodType, text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  const t = tempDir();
  t.write("lag.yaml", text);
  try {
    loadConfig(schema, { cwd: t.dir, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("loadConfig accepted a bad file");
}

describe("loadConfig with a YAML file", () => {
  it("reads ./lag.yaml from the working directory and applies the schema's defaults", () => {
    const t = tempDir();
    const file = t.write(
      "lag.yaml",
      "it:\n  monitor:\n    interval: 5m\n    rules:\n      - { name: disk, metric: fs.used_pct, for: 10m }\n",
    );
    const { config, file: used } = loadConfig(Schema, { cwd: t.dir, env: {} });
    expect(used).toBe(file);
    expect(config.it.monitor.interval).toBe(300_000);
    expect(config.it.monitor.rules).toEqual([{ name: "disk", metric: "fs.used_pct", for: 600_000 }]);
    expect(config.dataDir).toBe("./data");
    expect(config.log.level).toBe("info");
    expect(config.nats.servers).toEqual(["nats://127.0.0.1:4222"]);
  });

  it("lists every bad key with its path and file line, in file order", () => {
    const err = loadError(
      Schema,
      [
        "dataDir: ./data", //      1
        "log:", //                 2
        "  level: loud", //        3
        "nats:", //                4
        "  servers: 4222", //      5
        "it:", //                  6
        "  monitor:", //           7
        "    interval: often", //  8
        "    rules:", //           9
        "      - name: a", //      10
        "        metric: m", //    11
        "      - name: b", //      12
        "        metric: m", //    13
        "      - name: c", //      14
        "        metric: m", //    15
        "        for: soon", //    16
      ].join("\n"),
    );
    expect(err.code).toBe("LAG_CONFIG");
    expect(err.problems).toEqual([
      'lag.yaml:3 log.level: expected one of "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent", got "loud"',
      "lag.yaml:5 nats.servers: expected a server URL (nats://host:4222) or a list of them",
      expect.stringMatching(/^lag\.yaml:8 it\.monitor\.interval: expected a duration like 250ms, 10s, 5m, 48h.*got "often"$/),
      expect.stringMatching(/^lag\.yaml:16 it\.monitor\.rules\[2\]\.for: expected a duration like .*got "soon"$/),
    ]);
    for (const p of err.problems) expect(err.message).toContain(p);
  });

  it("reports a missing required key at the line of the item that lacks it", () => {
    const err = loadError(Schema, "it:\n  monitor:\n    rules:\n      - name: a\n      - metric: m\n");
    expect(err.problems).toEqual(["lag.yaml:4 it.monitor.rules[0].metric: required", "lag.yaml:5 it.monitor.rules[1].name: required"]);
  });

  it("reports each unknown key at its own line, suggesting the key that was meant", () => {
    const err = loadError(
      Schema,
      "log:\n  levle: debug\nnats:\n  server: [nats://a:4222]\n  colour: blue\ndata_dir: /x\nit: { monitor: {} }\n",
    );
    expect(err.problems).toEqual([
      "lag.yaml:2 log.levle: unknown key; did you mean level?",
      "lag.yaml:4 nats.server: unknown key; did you mean servers?",
      "lag.yaml:5 nats.colour: unknown key; expected one of servers, user, password, token, nkeySeed, nkeyFile, credsFile, tls, pingInterval, maxPingsOut, connectTimeout",
      "lag.yaml:6 data_dir: unknown key; did you mean dataDir?",
    ]);
  });

  it("reports YAML syntax errors with line and column, before any validation", () => {
    const err = loadError(Schema, "log:\n  level: info\nnats:\n  servers: [nats://a:4222\nit: {}\n");
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^lag\.yaml:5:1 YAML syntax error: /);
  });

  it("reports a key written twice", () => {
    const err = loadError(Schema, "log:\n  level: info\nlog:\n  level: debug\n");
    expect(err.problems[0]).toMatch(/^lag\.yaml:3:1 YAML syntax error: Map keys must be unique/);
  });

  it("refuses a file that is not a mapping", () => {
    const err = loadError(Schema, "- a\n- b\n");
    expect(err.problems).toEqual(["lag.yaml:1 (root): expected a mapping of keys (key: value), got a list"]);
  });

  it("says how to fix a configuration file that does not exist", () => {
    const t = tempDir();
    const run = () => loadConfig(Schema, { cwd: t.dir, env: { LAG_CONFIG: "missing.yaml" } });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/missing\.yaml: file not found; create it .* or point LAG_CONFIG at an existing file/);
  });

  it("prefers an explicit file over LAG_CONFIG, and LAG_CONFIG over ./lag.yaml", () => {
    const t = tempDir();
    t.write("lag.yaml", "dataDir: /from-cwd\n");
    const viaEnv = t.write("env.yaml", "dataDir: /from-env\n");
    const explicit = t.write("explicit.yaml", "dataDir: /explicit\n");
    expect(loadConfig(CommonConfig, { cwd: t.dir, env: {} }).config.dataDir).toBe("/from-cwd");
    expect(loadConfig(CommonConfig, { cwd: t.dir, env: { LAG_CONFIG: viaEnv } }).config.dataDir).toBe("/from-env");
    expect(loadConfig(CommonConfig, { cwd: t.dir, env: { LAG_CONFIG: viaEnv }, file: explicit }).config.dataDir).toBe("/explicit");
  });

  it("uses defaults and the schema's own defaults when there is no file", () => {
    const t = tempDir();
    const { config, file } = loadConfig(CommonConfig, { cwd: t.dir, env: {}, defaults: { log: { level: "warn" } } });
    expect(file).toBeUndefined();
    expect(config).toEqual({
      dataDir: "./data",
      log: { level: "warn" },
      nats: { ...NATS_DEFAULTS, servers: ["nats://127.0.0.1:4222"] },
      jetstream: { replicas: 1 },
    });
  });

  it("leaves the caller's defaults object unchanged when the environment overrides it", () => {
    const t = tempDir();
    const defaults = { nats: { servers: ["nats://d:1"] } };
    const { config } = loadConfig(CommonConfig, { cwd: t.dir, env: { NATS_USER: "it", NATS_URL: "nats://e:1" }, defaults });
    expect(config.nats).toEqual({ ...NATS_DEFAULTS, servers: ["nats://e:1"], user: "it" });
    expect(defaults).toEqual({ nats: { servers: ["nats://d:1"] } });
  });

  it("lets the file win over the defaults option, key by key", () => {
    const t = tempDir();
    t.write("lag.yaml", "nats:\n  user: lag\n");
    const { config } = loadConfig(CommonConfig, {
      cwd: t.dir,
      env: {},
      defaults: { dataDir: "/d", nats: { user: "x", servers: ["nats://d:1"] } },
    });
    expect(config.dataDir).toBe("/d");
    expect(config.nats).toEqual({ ...NATS_DEFAULTS, servers: ["nats://d:1"], user: "lag" });
  });

  it("formats the error for stderr with every problem and what to do", () => {
    const err = loadError(Schema, "log:\n  level: loud\nit:\n  monitor:\n    interval: often\n");
    const text = formatConfigError(err);
    expect(text.split("\n")[0]).toMatch(/^configuration file .*lag\.yaml has 2 problems:$/);
    expect(text).toContain("  - lag.yaml:2 log.level:");
    expect(text).toContain("  - lag.yaml:5 it.monitor.interval:");
    expect(text).toMatch(/Fix each line above/);
  });
});
