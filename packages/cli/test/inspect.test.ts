import { describe, expect, it } from "vitest";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { encodeEvent } from "@lag/bus";
import { alert, Headers, storageService } from "@lag/contracts";
import { Inspector } from "../src/inspect.ts";
import { summarize } from "../src/summary.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("Inspector", () => {
  it("decodes a contract event with its envelope attributes", () => {
    const e = encodeEvent(alert, alert.example, { source: "/test", correlationid: "c-1" });
    const r = new Inspector().inspect({ subject: e.subject, data: bytes(e.payload) }, new Date(0));
    expect(r).toMatchObject({
      time: "1970-01-01T00:00:00.000Z",
      kind: "event",
      valid: true,
      type: alert.type,
      correlationid: "c-1",
      source: "/test",
    });
    expect(r.data).toEqual(alert.example);
  });

  it("pairs a reply with the request it answers, and reads a service error from the headers", () => {
    const ins = new Inspector();
    const req = ins.inspect({ subject: "lag.it.storage.query", reply: "_INBOX_media.a.1", data: new Uint8Array() });
    expect(req).toMatchObject({ kind: "request", valid: true, data: {} });
    const h = natsHeaders();
    h.set(Headers.serviceErrorCode, "404");
    h.set(Headers.serviceError, "no volume holds /x");
    const rep = ins.inspect({ subject: "_INBOX_media.a.1", headers: h, data: new Uint8Array() });
    expect(rep).toMatchObject({
      kind: "reply",
      valid: true,
      type: "it-storage.query",
      serviceError: { code: 404, description: "no volume holds /x" },
    });
    // Answered once: a second message on that inbox is no longer taken for its reply.
    expect(ins.inspect({ subject: "_INBOX_media.a.1", data: bytes("{}") }).kind).toBe("other");
  });

  it("flags a reply that breaks the endpoint's contract, naming the field", () => {
    const ins = new Inspector();
    ins.inspect({ subject: "lag.it.storage.query", reply: "_INBOX_x.1", data: bytes("{}") });
    const r = ins.inspect({
      subject: "_INBOX_x.1",
      data: bytes(JSON.stringify({ ...storageService.endpoints.query.example.reply, time: "now" })),
    });
    expect(r).toMatchObject({ kind: "reply", valid: false, code: "invalid-data" });
    expect(r.reason).toContain("reply.time");
  });

  it("reads a dead letter's headers, falling back to its subject for where it came from", () => {
    const h = natsHeaders();
    h.set(Headers.dlqCode, "max-deliveries");
    h.set(Headers.dlqReason, "handler failed 5 times");
    h.set(Headers.dlqTime, "2026-01-01T00:00:00.000Z");
    h.set(Headers.dlqDeliveries, "5");
    const r = new Inspector().inspect({ subject: "lag.dlq.ceo.lag.it.alert.firing.kronos.disk", headers: h, data: bytes('{"a":1}') });
    expect(r).toMatchObject({
      kind: "dead-letter",
      valid: true,
      data: { a: 1 },
      deadLetter: { code: "max-deliveries", principal: "ceo", subject: "lag.it.alert.firing.kronos.disk", deliveries: 5 },
    });
    const bare = new Inspector().inspect({ subject: "lag.dlq.ceo.lag.x", data: bytes("zz") });
    expect(bare).toMatchObject({ kind: "dead-letter", valid: false, body: "zz" });
    expect(bare.reason).toContain("dead-letter headers.code");
  });
});

describe("summarize", () => {
  it("writes scalars as key=value with dotted paths, short lists inline, long ones as their size", () => {
    expect(summarize({ host: "kronos", cpu: { usagePct: 12.3456, cores: [1, 2] }, filesystems: [{}, {}, {}] })).toBe(
      "host=kronos cpu.usagePct=12.346 cpu.cores=[1,2] filesystems=[3]",
    );
    expect(summarize({ summary: "disk is full", deep: { a: { b: 1 } } })).toBe('summary="disk is full" deep.a={1}');
    expect(summarize("x".repeat(300), 20)).toHaveLength(20);
    expect(summarize({})).toBe("{}");
  });
});
