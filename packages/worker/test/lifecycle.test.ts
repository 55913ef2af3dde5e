import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, duration } from "@lag/config";
import { alert, defineConsumer, itStream } from "@lag/contracts";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { consume, defineWorker, schedule, singleSection, startWorker } from "../src/index.ts";

let nats: TestNats;
let dataDir: string;
beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  dataDir = mkdtempSync(join(tmpdir(), "lag-worker-"));
});
afterAll(async () => nats?.stop());

const Config = singleSection("ceo", z.strictObject({ pause: duration.default(600) }));
const consumer = defineConsumer({
  durable: "lifecycle-test",
  stream: itStream,
  principal: "ceo",
  events: [alert],
  description: "test",
  maxDeliver: 3,
  ackWait: 30_000,
});

describe("a worker's life", () => {
  it("on shutdown finishes the message in hand, acks it, drains and closes", async () => {
    const env = { NATS_URL: nats.url, LAG_DATA_DIR: dataDir };
    const log = memoryLogger("ceo");
    const events: string[] = [];
    const w = await startWorker(
      defineWorker({
        name: "ceo",
        principal: "ceo",
        config: Config,
        setup: () => ({}),
        bindings: (_s, { config }) => [
          consume(consumer, async () => {
            events.push("handling");
            await new Promise((r) => setTimeout(r, config.pause));
            events.push("handled");
          }),
        ],
        stopping: () => void events.push("worker stop hook"),
      }),
      { env, logger: log.logger },
    );
    const pub = await nats.bus("it-monitor");
    await pub.publish(alert, alert.example);
    await eventually(() => events.includes("handling"));
    await w.shutdown("test");
    expect(events).toEqual(["handling", "handled", "worker stop hook"]);
    expect(w.ctx.bus.nc.isClosed()).toBe(true);
    const info = await (await pub.jsm()).consumers.info(itStream.name, consumer.durable);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.stream_seq).toBe(info.ack_floor.stream_seq);
    await log.waitFor((l) => l.msg === "ceo stopped");
  });

  it("shuts down and closes even when NATS has gone away (the drain gives up, nothing hangs)", async () => {
    const own = await startTestNats();
    await own.provisionStreams();
    const log = memoryLogger("ceo");
    const w = await startWorker(defineWorker({ name: "ceo", principal: "ceo", config: Config, setup: () => undefined }), {
      env: { NATS_URL: own.url, LAG_DATA_DIR: dataDir },
      logger: log.logger,
    });
    await own.server.stop();
    await log.waitFor((l) => l.msg.startsWith("disconnected from NATS"));
    await w.shutdown("test");
    expect(w.ctx.bus.nc.isClosed()).toBe(true);
    expect(log.lines.map((l) => l.msg)).toContainEqual(expect.stringContaining("closing the connection"));
    await own.stop();
  }, 40_000);

  it("abandons a scheduled task that hangs at shutdown after its grace period, and says so", async () => {
    const log = memoryLogger("ceo");
    const w = await startWorker(
      defineWorker({
        name: "ceo",
        principal: "ceo",
        config: Config,
        setup: () => undefined,
        bindings: () => [schedule("stuck", { every: 60_000, runAtStart: true }, () => new Promise<void>(() => undefined))],
      }),
      { env: { NATS_URL: nats.url, LAG_DATA_DIR: dataDir }, logger: log.logger },
    );
    await w.shutdown("test");
    expect(log.lines.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^stuck still running 3000 ms after the stop; abandoned/));
    expect(w.ctx.bus.nc.isClosed()).toBe(true);
  });

  it("refuses to start on a bad configuration, naming every bad key", async () => {
    const err = await startWorker(defineWorker({ name: "ceo", principal: "ceo", config: Config, setup: () => undefined }), {
      env: { NATS_URL: nats.url, LAG_DATA_DIR: dataDir, LAG__CEO__PAUSE: "soon", LAG__CEO__COLOUR: "red" },
      logger: memoryLogger("ceo").logger,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join("\n");
    expect(text).toContain("ceo.pause");
    expect(text).toContain("colour");
  });
});
