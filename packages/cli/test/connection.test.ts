import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@lag/launcher";
import { startTestNats, type TestNats } from "@lag/testing";
import { cleanEnv, jsonOf, lag, LagProcess } from "./run-lag.fixture.ts";

/** A server that only lets user `cli` in: where the CLI connects is proven by whether it gets in. */
let nats: TestNats;
let dir: string;
let deadUrl: string;
const auth = { NATS_USER: "cli", NATS_PASSWORD: "s3cret" };

beforeAll(async () => {
  nats = await startTestNats({ extraConfig: 'authorization { user: cli, password: "s3cret" }' });
  dir = mkdtempSync(join(tmpdir(), "lag-cli-conn-"));
  deadUrl = `nats://127.0.0.1:${await freePort()}`;
});
afterAll(async () => nats?.stop());

describe("connecting", () => {
  it("exits 2 with a hint when no server answers", async () => {
    const r = await lag(["services"], cleanEnv({ NATS_URL: deadUrl }));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`cannot reach NATS at ${deadUrl} — is \`npm start\` running? set --server or NATS_URL`);
  });

  it("reads NATS_URL, NATS_USER and NATS_PASSWORD as the agents do", async () => {
    const r = await lag(["services", "--json", "--wait", "200ms"], cleanEnv({ NATS_URL: nats.url, ...auth }));
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOf(r)).toEqual([]);
  });

  it("lets --server, --user and --password override the environment", async () => {
    const env = cleanEnv({ NATS_URL: deadUrl, NATS_USER: "someone", NATS_PASSWORD: "wrong" });
    const r = await lag(["services", "--json", "--wait", "200ms", "-s", nats.url, "--user", "cli", "--password", "s3cret"], env);
    expect(r.code, r.stderr).toBe(0);
  });

  it("exits 2 naming the credentials when the server refuses them", async () => {
    const r = await lag(["services"], cleanEnv({ NATS_URL: nats.url, NATS_USER: "cli", NATS_PASSWORD: "nope" }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused the credentials .*check --user\/--password/);
  });

  it("reads the system's config file, ignoring the sections of the agents, relative to where `pnpm lag` was typed", async () => {
    writeFileSync(
      join(dir, "lag.yaml"),
      `nats:\n  servers: ${nats.url}\n  user: cli\nlauncher:\n  nats: { port: 4222 }\nit:\n  monitor: { host: kronos, interval: 10s }\n`,
    );
    // What pnpm sets when running the root `lag` script from another directory.
    const env = cleanEnv({ NATS_PASSWORD_FILE: secretFile(), npm_lifecycle_event: "lag", INIT_CWD: dir });
    const r = await lag(["services", "--json", "--wait", "200ms", "--config", "lag.yaml"], env);
    expect(r.code, r.stderr).toBe(0);
  });

  it("exits 78 listing every problem of an invalid config file", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "nats:\n  servers: []\n  pasword: x\n");
    const r = await lag(["services", "--config", bad], cleanEnv());
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("nats.servers");
    expect(r.stderr).toMatch(/nats\.pasword: unknown key; did you mean password\?/);
  });

  it("needs no server for help and command-line mistakes", async () => {
    const env = cleanEnv({ NATS_URL: deadUrl });
    const help = await lag(["dlq", "--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("lag dlq — list dead letters");
    expect(help.stdout).toContain("--server URL");
    const typo = await lag(["servces"], env);
    expect(typo.code).toBe(64);
    expect(typo.stderr).toContain('unknown command "servces" (did you mean services?)');
    const flag = await lag(["dlq", "--limt", "3"], env);
    expect(flag.code).toBe(64);
    expect(flag.stderr).toContain("Unknown option '--limt'");
  });

  it("runs through bin/lag.js, the launcher `npx lag` uses", async () => {
    const r = await new LagProcess(["--help"], cleanEnv(), { entry: ["packages/cli/bin/lag.js"] }).result();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lag — /);
    expect(r.stdout).toContain("dlq show");
  });
});

function secretFile(): string {
  const f = join(dir, "nats-password");
  writeFileSync(f, "s3cret\n");
  return f;
}
