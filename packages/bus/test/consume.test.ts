import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureConsumer, type Bus } from "@lag/bus";
import { alert, defineConsumer, dlqStreamOf, Headers, itStream, statusReport, type Alert } from "@lag/contracts";
import { eventually, startTestNats, type TestNats } from "@lag/testing";

let nats: TestNats;
let pub: Bus;

beforeAll(async () => {
  nats = await startTestNats();
  pub = await nats.bus("it-monitor");
  await nats.provisionStreams();
});
afterAll(async () => nats?.stop());

let n = 0;
function consumerFor(maxDeliver = 3) {
  n++;
  return defineConsumer({
    durable: `test-${n}`,
    stream: itStream,
    principal: "ceo",
    events: [alert, statusReport],
    description: "test",
    maxDeliver,
    ackWait: 2_000,
  });
}

const alertFor = (rule: string): Alert => ({ ...alert.example, rule, fingerprint: `fp-${rule}` });

async function dlqFor(subjectPart: string) {
  const jsm = await pub.jsm();
  const info = await jsm.streams.info(dlqStreamOf("ceo").name);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(dlqStreamOf("ceo").name, { seq }).catch(() => null);
    if (m?.subject.includes(subjectPart)) out.push(m);
  }
  return out;
}

describe("durable consumers", () => {
  it("deliver what was published while the consumer was offline, in order", async () => {
    const c = consumerFor();
    const ceo = await nats.bus("ceo");
    const first = await ceo.consume(c, () => undefined);
    await first.stop();
    await ceo.drain();
    for (const r of ["offline-a", "offline-b", "offline-c"]) await pub.publish(alert, alertFor(r));
    const again = await nats.bus("ceo");
    const got: string[] = [];
    await again.consume(c, (d) => {
      if (d.is(alert)) got.push(d.data.rule);
    });
    await eventually(() => got.length >= 3);
    expect(got.filter((r) => r.startsWith("offline-"))).toEqual(["offline-a", "offline-b", "offline-c"]);
  });

  it("retry a failing handler and dead-letter the message at the delivery limit", async () => {
    const c = consumerFor(3);
    const ceo = await nats.bus("ceo");
    const attempts: number[] = [];
    await ceo.consume(c, (d) => {
      if (d.is(alert) && d.data.rule === "always-fails") {
        attempts.push(d.deliveryCount);
        throw new Error("database is locked");
      }
    });
    await pub.publish(alert, alertFor("always-fails"));
    const parked = await eventually(async () => {
      const m = await dlqFor("always-fails");
      return m.length > 0 ? m : undefined;
    }, 20_000);
    expect(attempts).toEqual([1, 2, 3]);
    expect(parked).toHaveLength(1);
    const h = parked[0]!.header!;
    expect(h.get(Headers.dlqCode)).toBe("max-deliveries");
    expect(h.get(Headers.dlqReason)).toContain("database is locked");
    expect(h.get(Headers.dlqConsumer)).toBe(c.durable);
    expect(h.get(Headers.dlqStream)).toBe(itStream.name);
    expect(parked[0]!.subject).toBe("lag.dlq.ceo.lag.it.alert.firing.kronos.always-fails");
    // terminated: never delivered again
    await new Promise((r) => setTimeout(r, 2_500));
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("stop waiting for a handler that hangs past the ack wait: the next message goes on, the hung one is retried then dead-lettered", async () => {
    const c = consumerFor(2);
    const ceo = await nats.bus("ceo");
    const attempts: number[] = [];
    const got: string[] = [];
    await ceo.consume(c, (d) => {
      if (!d.is(alert)) return;
      if (d.data.rule === "hangs") {
        attempts.push(d.deliveryCount);
        return new Promise<void>(() => undefined); // never settles
      }
      got.push(d.data.rule);
    });
    await pub.publish(alert, alertFor("hangs"));
    await pub.publish(alert, alertFor("after-hang"));
    await eventually(() => got.includes("after-hang"), 10_000);
    const parked = await eventually(async () => {
      const m = (await dlqFor("hangs")).filter((x) => x.header?.get(Headers.dlqConsumer) === c.durable);
      return m.length > 0 ? m : undefined;
    }, 20_000);
    expect(attempts).toEqual([1, 2]);
    expect(parked[0]!.header!.get(Headers.dlqCode)).toBe("max-deliveries");
    expect(parked[0]!.header!.get(Headers.dlqReason)).toMatch(/did not finish within the consumer's ack wait \(2000 ms\)/);
  }, 40_000);

  it("dead-letter an invalid message at once and keep going", async () => {
    const c = consumerFor();
    const ceo = await nats.bus("ceo");
    const got: string[] = [];
    await ceo.consume(c, (d) => {
      if (d.is(alert)) got.push(d.data.rule);
    });
    await pub.js.publish("lag.it.alert.firing.kronos.broken", JSON.stringify({ specversion: "1.0" }));
    await pub.publish(alert, alertFor("after-broken"));
    await eventually(() => got.includes("after-broken"));
    expect(got).not.toContain("broken");
    const parked = await eventually(async () => {
      const m = (await dlqFor("broken")).filter((x) => x.header?.get(Headers.dlqConsumer) === c.durable);
      return m.length > 0 ? m : undefined;
    });
    expect(parked[0]!.header!.get(Headers.dlqCode)).toBe("invalid-envelope");
  });

  it("dead-letter a message whose last allowed attempt never finished (the process died)", async () => {
    const c = consumerFor(2);
    const ceo = await nats.bus("ceo");
    await ensureConsumer(await ceo.jsm(), c);
    await pub.publish(alert, alertFor("dies"));
    // Two processes take the message and die before acking: the server redelivers after ack_wait.
    const raw = await ceo.js.consumers.get(c.stream.name, c.durable);
    for (const expected of [1, 2]) {
      const m = await eventually(async () => {
        const x = await raw.next({ expires: 3_000 });
        if (x && !x.subject.endsWith(".dies")) x.ack(); // earlier tests' alerts
        return x?.subject.endsWith(".dies") ? x : undefined;
      }, 10_000);
      expect(m.info.deliveryCount).toBe(expected);
    }
    // The next process sees a third delivery past the limit of 2 and parks it without handling it.
    const handled: string[] = [];
    await ceo.consume(c, (d) => {
      if (d.is(alert)) handled.push(d.data.rule);
    });
    const parked = await eventually(async () => {
      const m = (await dlqFor("dies")).filter((x) => x.header?.get(Headers.dlqConsumer) === c.durable);
      return m.length > 0 ? m : undefined;
    }, 15_000);
    expect(parked[0]!.header!.get(Headers.dlqCode)).toBe("max-deliveries");
    expect(parked[0]!.header!.get(Headers.dlqDeliveries)).toBe("3");
    expect(handled).not.toContain("dies");
  });
});
