import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { checkPassword, DashboardConfig } from "@lag/dashboard";
import { cleanEnv, lag } from "./run-lag.fixture.ts";

describe("lag user add", () => {
  it("writes an argon2id hash of the password into dashboard.users, keeping the file's comments, and changes a user given again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lag-user-"));
    const file = join(dir, "lag.yaml");
    writeFileSync(file, "# Kronos\nit:\n  monitor: { host: kronos } # this host\n");
    const env = cleanEnv({ LAG_CONFIG: file });
    const first = await lag(["user", "add", "ana", "--role", "admin", "--password-stdin"], env, { input: "correct horse battery\n" });
    expect(first.code, first.stderr).toBe(0);
    const again = await lag(["user", "add", "ana", "--role", "approver", "--password-stdin"], env, { input: "a new long password\n" });
    expect(again.stdout).toContain("changed ana (approver)");
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# Kronos");
    expect(text).toContain("# this host");
    expect(text).not.toContain("a new long password");
    const users = DashboardConfig.parse(parse(text).dashboard).users;
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ name: "ana", role: "approver" });
    expect(users[0]!.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await checkPassword(users[0]!.password, "a new long password")).toBe(true);
    expect(await checkPassword(users[0]!.password, "correct horse battery")).toBe(false);
  });

  it("refuses a short password, a bad role, and asking without a terminal", async () => {
    const env = cleanEnv({ LAG_CONFIG: join(mkdtempSync(join(tmpdir(), "lag-user-")), "lag.yaml") });
    const short = await lag(["user", "add", "vic", "--role", "viewer", "--password-stdin"], env, { input: "short\n" });
    expect(short.code).toBe(64);
    expect(short.stderr).toContain("at least 10 characters");
    const role = await lag(["user", "add", "vic", "--role", "boss"], env);
    expect(role.stderr).toContain("--role must be one of viewer, approver, admin");
    const noTty = await lag(["user", "add", "vic", "--role", "viewer"], env, { input: "" });
    expect(noTty.stderr).toContain("--password-stdin");
  });
});
