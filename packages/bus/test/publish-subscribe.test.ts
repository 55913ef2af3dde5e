import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { ContractError, type Delivery, type Bus } from "@lag/bus";
import { alert, dlqStreamOf, Headers, hostMetrics, type HostMetrics } from "@lag/contracts";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";

let nats: TestNats;
let pub: Bus;
let sub: Bus;

beforeAll(async () => {
  nats = await startTestNats();
  pub = await nats.bus("it-monitor");
  sub = await nats.bus("ceo");
  await nats.provisionStreams();
});
afterAll(async () => nats?.stop());

async function deadLetters(): Promise<{ subject: string; headers: Record<string, string>; body: string }[]> {
  const jsm = await pub.jsm();
  const info = await jsm.streams.info(dlqStreamOf("ceo").name);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(dlqStreamOf("ceo").name, { seq }).catch(() => null);
    if (!m) continue;
    const h: Record<string, string> = {};
    for (const [k, v] of m.header ?? []) h[k] = v.join(",");
    out.push({ subject: m.subject, headers: h, body: m.string() });
  }
  return out;
}

describe("publish", () => {
  it("refuses data that breaks the contract, naming the field", async () => {
    const bad = { ...hostMetrics.example, memory: { ...hostMetrics.example.memory, usedPct: "high" } };
    await expect(pub.publish(hostMetrics, bad as unknown as HostMetrics)).rejects.toThrow(ContractError);
    await expect(pub.publish(hostMetrics, bad as unknown as HostMetrics)).rejects.toThrow(/data\.memory\.usedPct/);
  });

  it("puts the event on the subject its data names, inside a CloudEvents envelope", async () => {
    const got: string[] = [];
    const s = pub.nc.subscribe("lag.it.host.metrics.>", { callback: (_e, m) => void got.push(`${m.subject} ${m.string()}`) });
    await pub.publish(hostMetrics, { ...hostMetrics.example, host: "nas" }, { correlationid: "c-1" });
    await eventually(() => got.length === 1);
    s.unsubscribe();
    const [subject, body] = got[0]!.split(" ", 2);
    expect(subject).toBe("lag.it.host.metrics.nas");
    const env = JSON.parse(got[0]!.slice(subject!.length + 1));
    expect(env).toMatchObject({ specversion: "1.0", type: hostMetrics.type, correlationid: "c-1", source: pub.source });
    expect(env.data.host).toBe("nas");
    expect(body).toBeDefined();
  });

  it("stores a durable event published twice with the same id once", async () => {
    const a = await pub.publish(alert, alert.example, { id: "same-id-1" });
    const b = await pub.publish(alert, alert.example, { id: "same-id-1" });
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    expect(b.sequence).toBe(a.sequence);
  });
});

describe("subscribe", () => {
  it("hands valid events to the handler, typed, and filters by token", async () => {
    const seen: Delivery<HostMetrics>[] = [];
    const s = sub.subscribe(hostMetrics, (d) => void seen.push(d), { tokens: { host: "kronos" } });
    await sub.nc.flush();
    await pub.publish(hostMetrics, { ...hostMetrics.example, host: "nas" });
    await pub.publish(hostMetrics, { ...hostMetrics.example, host: "kronos" });
    await eventually(() => seen.length === 1);
    expect(seen[0]!.data.host).toBe("kronos");
    expect(seen[0]!.tokens).toEqual({ host: "kronos" });
    s.unsubscribe();
  });

  it("never hands an invalid message to the handler and dead-letters it with the reason", async () => {
    const log = memoryLogger("ceo");
    const b = await nats.bus("ceo", { logger: log });
    const seen: unknown[] = [];
    b.subscribe(hostMetrics, (d) => void seen.push(d));
    await b.nc.flush();
    const h = natsHeaders();
    h.set("X-Trace", "t-1");
    pub.nc.publish("lag.it.host.metrics.kronos", "{not json", { headers: h });
    pub.nc.publish(
      "lag.it.host.metrics.kronos",
      JSON.stringify({
        specversion: "1.0",
        id: "x",
        source: "/t",
        type: hostMetrics.type,
        time: new Date().toISOString(),
        datacontenttype: "application/json",
        data: { ...hostMetrics.example, cpu: { usagePct: 250, cores: [] } },
      }),
    );
    pub.nc.publish(
      "lag.it.host.metrics.nas",
      JSON.stringify({
        specversion: "1.0",
        id: "y",
        source: "/t",
        type: hostMetrics.type,
        time: new Date().toISOString(),
        datacontenttype: "application/json",
        data: hostMetrics.example,
      }),
    );
    const dl = await eventually(async () => {
      const all = (await deadLetters()).filter((d) => d.subject.startsWith("lag.dlq.ceo.lag.it.host.metrics"));
      return all.length >= 3 ? all : undefined;
    });
    expect(seen).toHaveLength(0);
    const codes = dl.map((d) => d.headers[Headers.dlqCode]);
    expect(codes).toEqual(expect.arrayContaining(["invalid-json", "invalid-data"]));
    const range = dl.find((d) => d.headers[Headers.dlqReason]?.includes("data.cpu.usagePct"));
    expect(range).toBeDefined();
    const mismatch = dl.find((d) => d.headers[Headers.dlqReason]?.includes("lag.it.host.metrics.kronos, not on lag.it.host.metrics.nas"));
    expect(mismatch).toBeDefined();
    const first = dl.find((d) => d.headers[Headers.dlqCode] === "invalid-json")!;
    expect(first.body).toBe("{not json");
    expect(first.headers["X-Trace"]).toBe("t-1");
    expect(first.headers[Headers.dlqSubject]).toBe("lag.it.host.metrics.kronos");
    await log.waitFor((l) => l.msg === "invalid message dead-lettered");
    // still alive and still delivering
    await pub.publish(hostMetrics, hostMetrics.example);
    await eventually(() => seen.length === 1);
  });
});
