import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractError } from "@lag/bus";
import { itStream, statusReport, type StatusReport } from "@lag/contracts";
import { memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { Outbox, outboxFile } from "../src/index.ts";

let nats: TestNats;
let dir: string;
beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  dir = mkdtempSync(join(tmpdir(), "lag-outbox-"));
});
afterAll(async () => nats?.stop());

const report = (host: string): StatusReport => ({ ...statusReport.example, host });
const stored = async (host: string) => {
  const jsm = await (await nats.bus("cli")).jsm();
  const info = await jsm.streams.info(itStream.name, { subjects_filter: `lag.it.status.report.${host}` });
  return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
};

describe("the outbox", () => {
  it("keeps what could not be stored across a restart of its process, and sends it once, in order, when it can", async () => {
    const file = join(dir, "w.outbox.json");
    const log = memoryLogger("it-monitor");
    // A bus whose stream does not answer: its publishes give up at once, as after a long outage.
    const down = await nats.bus("it-monitor", { logger: log, publishRetryMs: 0 });
    await down.close();
    const first = new Outbox({ bus: down, log: log.logger, ...outboxFile(file, log.logger) });
    await first.publish(statusReport, report("ob-a"));
    await first.publish(statusReport, report("ob-b"));
    expect(first.pending).toBe(2);
    expect(log.lines.filter((l) => l.msg.startsWith("events cannot be published"))).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, "utf8"))).toHaveLength(2);

    // The next run of the process: restored from the file, sent, each stored once.
    const up = await nats.bus("it-monitor");
    const second = new Outbox({ bus: up, log: log.logger, ...outboxFile(file, log.logger) });
    expect(second.pending).toBe(2);
    expect(await second.flush()).toBe(2);
    expect(second.pending).toBe(0);
    expect(await stored("ob-a")).toBe(1);
    expect(await stored("ob-b")).toBe(1);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual([]);
  });

  it("refuses an event that breaks its contract at once, naming the field", async () => {
    const bus = await nats.bus("it-monitor");
    const o = new Outbox({ bus, log: memoryLogger("x").logger, persist: () => undefined });
    expect(() => o.add(statusReport, { ...report("ob-bad"), cpuPct: 300 })).toThrow(ContractError);
    expect(o.pending).toBe(0);
  });

  it("lives on in memory when it cannot be saved, says so once, and still sends", async () => {
    const bus = await nats.bus("it-monitor");
    const log = memoryLogger("x");
    const o = new Outbox({
      bus,
      log: log.logger,
      persist: () => {
        throw new Error("ENOSPC: no space left on device");
      },
    });
    await o.publish(statusReport, report("ob-mem-1"));
    await o.publish(statusReport, report("ob-mem-2"));
    expect(await stored("ob-mem-2")).toBe(1);
    expect(o.persisting).toBe(false);
    expect(log.lines.filter((l) => l.msg.startsWith("cannot save the outbox"))).toHaveLength(1);
  });
});
