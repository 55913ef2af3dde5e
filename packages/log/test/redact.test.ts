import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CENSOR, createLogger, isSecretKey, redact, redactString } from "@lag/log";
import { memoryLogger } from "@lag/testing";

function logged(write: (log: ReturnType<typeof memoryLogger>["logger"]) => void) {
  const m = memoryLogger("redact-test");
  write(m.logger);
  expect(m.lines).toHaveLength(1);
  return { line: m.lines[0]!, text: m.text() };
}

describe("secret keys", () => {
  it.each([
    "password",
    "dbPassword",
    "passwd",
    "pass",
    "token",
    "accessToken",
    "apiKey",
    "api_key",
    "x-api-key",
    "authorization",
    "Authorization",
    "auth",
    "cookie",
    "set-cookie",
    "secret",
    "clientSecret",
    "seed",
    "nkeySeed",
    "creds",
    "credentials",
    "privateKey",
    "private_key",
    "passphrase",
    "jwt",
    "apikey",
    "authtoken",
    "DB_PASSWORD",
    "sessionId",
  ])("%s is censored", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(["passive", "bypassCache", "compass", "user", "host", "author", "seeding", "mount", "usedBytes", "keys", "monkey"])(
    "%s is not",
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe("a log line", () => {
  it("censors secrets at any depth, in objects and lists", () => {
    const secrets = {
      password: "pw-1",
      token: "tok-1",
      apiKey: "key-1",
      authorization: "Bearer abc",
      seed: "SUAKEY",
      creds: "jwt-and-seed",
    };
    let deep: Record<string, unknown> = { ...secrets };
    for (let i = 0; i < 20; i++) deep = { level: i, child: deep };
    const { line, text } = logged((log) =>
      log.info({ nats: { servers: ["nats://a:4222"], ...secrets }, list: [{ user: "u", password: "pw-2" }], deep }, "connecting"),
    );
    for (const s of ["pw-1", "pw-2", "tok-1", "key-1", "Bearer abc", "SUAKEY", "jwt-and-seed"]) expect(text).not.toContain(s);
    expect(line.nats).toEqual({
      servers: ["nats://a:4222"],
      password: CENSOR,
      token: CENSOR,
      apiKey: CENSOR,
      authorization: CENSOR,
      seed: CENSOR,
      creds: CENSOR,
    });
    expect(line.list).toEqual([{ user: "u", password: CENSOR }]);
  });

  it("masks credentials in URLs inside values and inside the message", () => {
    const { line, text } = logged((log) =>
      log.warn(
        { url: "nats://it:hunter2@kronos:4222", note: "via https://bob:pa55@proxy.lan/x" },
        "lost nats://ceo:s3cret@10.0.0.2:4222, retrying",
      ),
    );
    for (const s of ["hunter2", "pa55", "s3cret"]) expect(text).not.toContain(s);
    expect(line.url).toBe(`nats://it:${CENSOR}@kronos:4222`);
    expect(line.note).toBe(`via https://bob:${CENSOR}@proxy.lan/x`);
    expect(line.msg).toBe(`lost nats://ceo:${CENSOR}@10.0.0.2:4222, retrying`);
  });

  it("masks a token given as a URL's user part (nats://TOKEN@host)", () => {
    expect(redactString("nats://s3cr3tT0ken@kronos:4222")).toBe(`nats://${CENSOR}@kronos:4222`);
  });

  it("masks credentials in printf-style arguments", () => {
    const { line } = logged((log) => log.info("connected to %s", "nats://it:hunter2@kronos:4222"));
    expect(line.msg).toBe(`connected to nats://it:${CENSOR}@kronos:4222`);
  });

  it("keeps an error's type, message and stack, censoring its secret properties and URL credentials", () => {
    const err = Object.assign(new Error("auth failed for nats://it:hunter2@kronos:4222"), {
      password: "pw-3",
      code: "AUTH",
      server: "kronos",
    });
    const { line, text } = logged((log) => log.error({ err }, "connect failed"));
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("pw-3");
    const e = line.err as Record<string, unknown>;
    expect(e.type).toBe("Error");
    expect(e.message).toBe(`auth failed for nats://it:${CENSOR}@kronos:4222`);
    expect(e.stack).toMatch(/^Error: auth failed for nats:\/\/it:\[redacted\]@kronos:4222\n\s+at /);
    expect(e).toMatchObject({ password: CENSOR, code: "AUTH", server: "kronos" });
  });

  it("censors secrets in an error's cause, which pino joins into the message and stack", () => {
    const err = new Error("outer", { cause: Object.assign(new Error("inner nats://a:b@h"), { token: "tok-9" }) });
    const { text, line } = logged((log) => log.error({ err }, "failed"));
    expect(text).not.toContain("tok-9");
    expect(text).not.toContain("a:b@");
    const e = line.err as { message: string; stack: string };
    expect(e.message).toBe(`outer: inner nats://a:${CENSOR}@h`);
    expect(e.stack).toContain(`caused by: Error: inner nats://a:${CENSOR}@h`);
  });

  it("names an error's own class and keeps errors logged under other keys readable", () => {
    class StoreError extends Error {
      readonly code = "LAG_STORE";
    }
    const { line } = logged((log) => log.error({ err: new StoreError("locked"), previous: new Error("busy") }, "x"));
    expect(line.err).toMatchObject({ type: "StoreError", message: "locked", code: "LAG_STORE" });
    expect(line.previous).toMatchObject({ type: "Error", message: "busy" });
  });

  it("masks URL credentials in the message of an error logged on its own", () => {
    const { line, text } = logged((log) => log.error(new Error("cannot reach nats://it:hunter2@kronos:4222")));
    expect(text).not.toContain("hunter2");
    expect(line.msg).toBe(`cannot reach nats://it:${CENSOR}@kronos:4222`);
    expect((line.err as { message: string }).message).toBe(`cannot reach nats://it:${CENSOR}@kronos:4222`);
  });

  it("leaves non-secret data exactly as it was", () => {
    const data = {
      host: "kronos",
      mounts: [{ mount: "/mnt/storage", usedBytes: 123_456_789, usedPct: 91.5, ok: false }],
      empty: null,
      url: "https://kronos.lan:8443/status?x=1",
      passive: true,
      author: "ops",
      nested: { a: { b: { c: [1, 2, 3] } } },
    };
    const { line } = logged((log) => log.info(data, "sample"));
    expect(line).toMatchObject({ ...data, msg: "sample" });
  });

  it("keeps an empty or absent secret visible as such, so a missing setting can be diagnosed", () => {
    const { line } = logged((log) => log.info({ password: "", token: null }, "no auth"));
    expect(line).toMatchObject({ password: "", token: null });
  });

  it("survives circular data", () => {
    const a: Record<string, unknown> = { name: "a", password: "pw-c" };
    a.self = a;
    const { line, text } = logged((log) => log.info({ a }, "cycle"));
    expect(text).not.toContain("pw-c");
    expect((line.a as Record<string, unknown>).name).toBe("a");
  });

  it("does not change the object the caller logged", () => {
    const settings = { user: "it", password: "pw-4" };
    logged((log) => log.info({ settings }, "x"));
    expect(settings.password).toBe("pw-4");
  });

  it("redacts with any destination, not only the test logger", () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ name: "dest", destination });
    log.info({ token: "tok-dest" }, "x");
    expect(chunks.join("")).not.toContain("tok-dest");
    expect(JSON.parse(chunks.join("")).token).toBe(CENSOR);
  });

  it("redact() returns copies and can be used on data bound for other sinks (mail, events)", () => {
    expect(redact({ nats: { password: "p", user: "u" } })).toEqual({ nats: { password: CENSOR, user: "u" } });
  });
});
