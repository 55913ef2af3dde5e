import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { hostMetrics, storageService } from "@lag/contracts";
import { startTestNats, type TestNats } from "@lag/testing";
import type { MessageRecord } from "../src/inspect.ts";
import { cleanEnv, LagProcess } from "./run-lag.fixture.ts";

let nats: TestNats;
let monitor: Bus;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  nats = await startTestNats();
  env = cleanEnv({ NATS_URL: nats.url });
  monitor = await nats.bus("it-monitor");
});
afterAll(async () => nats?.stop());

const lines = (out: string) => out.split("\n").filter(Boolean);

describe("lag tail", () => {
  it("prints a valid event and flags an invalid message with its reason (--json, --count)", async () => {
    const tail = new LagProcess(["tail", "--count", "2", "--json"], env);
    await tail.waitForStderr("listening on lag.>");
    await monitor.publish(hostMetrics, { ...hostMetrics.example, host: "kronos" }, { correlationid: "corr-7" });
    monitor.nc.publish("lag.it.host.metrics.x", "definitely not json");
    const r = await tail.result();
    expect(r.code, r.stderr).toBe(0);
    const [valid, invalid] = lines(r.stdout).map((l) => JSON.parse(l) as MessageRecord);
    expect(valid).toMatchObject({
      subject: "lag.it.host.metrics.kronos",
      kind: "event",
      valid: true,
      type: hostMetrics.type,
      correlationid: "corr-7",
      data: { host: "kronos" },
    });
    expect(invalid).toMatchObject({
      subject: "lag.it.host.metrics.x",
      kind: "event",
      valid: false,
      code: "invalid-json",
      body: "definitely not json",
    });
    expect(invalid!.reason).toMatch(/^body is not JSON/);
  });

  it("prints one line per message, with a summary and the reason of an invalid one, and no colour off a terminal", async () => {
    const tail = new LagProcess(["tail", "lag.it.host.metrics.*", "--count", "2"], env);
    await tail.waitForStderr("listening on lag.it.host.metrics.*");
    await monitor.publish(hostMetrics, { ...hostMetrics.example, host: "nas" }, { correlationid: "c-9" });
    // Valid JSON and envelope, but a CPU figure the contract forbids: the reason names the field.
    monitor.nc.publish(
      "lag.it.host.metrics.kronos",
      JSON.stringify({
        specversion: "1.0",
        id: "bad-1",
        source: "/test",
        type: hostMetrics.type,
        time: new Date().toISOString(),
        datacontenttype: "application/json",
        data: { ...hostMetrics.example, cpu: { usagePct: 250, cores: [] } },
      }),
    );
    const r = await tail.result();
    expect(r.code, r.stderr).toBe(0);
    const [ok, bad] = lines(r.stdout);
    expect(ok).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} lag\.it\.host\.metrics\.nas es\.lagrieta\.it\.host\.metrics\.v1 host=nas .*cpu\.usagePct=12\.5.* corr=c-9$/,
    );
    expect(bad).toMatch(
      /lag\.it\.host\.metrics\.kronos ✗ INVALID es\.lagrieta\.it\.host\.metrics\.v1 \(invalid-data\): data\.cpu\.usagePct/,
    );
    expect(r.stdout).not.toContain("\x1b[");
  });

  it("shows a service request and, when its inbox is tailed, the reply, both checked against the endpoint", async () => {
    await monitor.serve(storageService, {
      query: () => ({ time: new Date().toISOString(), volumes: storageService.endpoints.query.example.reply.volumes }),
    });
    const media = await nats.bus("media");
    const tail = new LagProcess(["tail", "lag.it.storage.>", "_INBOX_media.>", "--count", "2", "--json"], env);
    await tail.waitForStderr("listening on");
    await media.request(storageService.endpoints.query, { path: "/mnt/storage" }, { correlationid: "ask-1" });
    const r = await tail.result();
    expect(r.code, r.stderr).toBe(0);
    const [request, reply] = lines(r.stdout).map((l) => JSON.parse(l) as MessageRecord);
    expect(request).toMatchObject({
      kind: "request",
      valid: true,
      type: "it-storage.query",
      data: { path: "/mnt/storage" },
      correlationid: "ask-1",
    });
    expect(request!.source).toBe(media.source);
    expect(reply).toMatchObject({ kind: "reply", valid: true, type: "it-storage.query", data: { volumes: [{ mount: "/mnt/storage" }] } });
  });

  it("flags a message on a lag subject no contract describes", async () => {
    const tail = new LagProcess(["tail", "--count", "1", "--json"], env);
    await tail.waitForStderr("listening on lag.>");
    monitor.nc.publish("lag.it.nothing.here", "{}");
    const r = await tail.result();
    const rec = JSON.parse(r.stdout) as MessageRecord;
    expect(rec).toMatchObject({
      subject: "lag.it.nothing.here",
      valid: false,
      code: "unknown-subject",
      reason: "no contract describes subject lag.it.nothing.here",
    });
  });

  it("paints an invalid message red when colour is wanted, and --full prints the whole JSON", async () => {
    const tail = new LagProcess(["tail", "--count", "2", "--full"], { ...env, FORCE_COLOR: "1" });
    await tail.waitForStderr("listening on lag.>");
    monitor.nc.publish("lag.it.host.metrics.x", "[]");
    await monitor.publish(hostMetrics, { ...hostMetrics.example, host: "full" });
    const r = await tail.result();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("\x1b[31m✗ INVALID");
    expect(r.stdout).toContain('      "data": {\n        "host": "full",');
  });

  it("refuses a pattern that is not a subject", async () => {
    const r = await new LagProcess(["tail", "lag..x"], env).result();
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('"lag..x" is not a subject pattern');
  });
});
