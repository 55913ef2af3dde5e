import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
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

const journal = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the outbox", () => {
  it("keeps what could not be stored across a restart of its process, and sends it once, in order, when it can", async () => {
    const file = join(dir, "w.outbox.jsonl");
    const log = memoryLogger("it-monitor");
    // A bus whose stream does not answer: its publishes give up at once, as after a long outage.
    const down = await nats.bus("it-monitor", { logger: log, publishRetryMs: 0 });
    await down.close();
    const first = new Outbox({ bus: down, log: log.logger, ...outboxFile(file, log.logger) });
    await first.publish(statusReport, report("ob-a"));
    await first.publish(statusReport, report("ob-b"));
    expect(first.pending).toBe(2);
    expect(log.lines.filter((l) => l.msg.startsWith("events cannot be published"))).toHaveLength(1);
    expect(journal(file).filter((l) => "added" in l)).toHaveLength(2);

    // The next run of the process: restored from the file, sent, each stored once.
    const up = await nats.bus("it-monitor");
    const second = new Outbox({ bus: up, log: log.logger, ...outboxFile(file, log.logger) });
    expect(second.pending).toBe(2);
    expect(await second.flush()).toBe(2);
    expect(second.pending).toBe(0);
    expect(await stored("ob-a")).toBe(1);
    expect(await stored("ob-b")).toBe(1);
    expect(readFileSync(file, "utf8")).toBe("");
  });

  it("sends an event queued while an empty flush is finishing (no lost wake-up)", async () => {
    const bus = await nats.bus("it-monitor");
    const o = new Outbox({ bus, log: memoryLogger("x").logger, persist: () => undefined });
    // A flush with nothing to send, then, before it settles, an event and its flush.
    const first = o.flush();
    o.add(statusReport, report("ob-late"));
    const second = o.flush();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    expect(o.pending).toBe(0);
    expect(await stored("ob-late")).toBe(1);
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

  it("journals each change in one short line, replays it after a crash (a torn last line skipped), compacts it", () => {
    const file = join(dir, "j.outbox.jsonl");
    const log = memoryLogger("x");
    const a = outboxFile(file, log.logger);
    const item = (id: string) => ({ type: statusReport.type, id, data: report(id) });
    const queue = [item("1"), item("2"), item("3")];
    a.persist([{ added: queue[0]! }, { added: queue[1]! }, { added: queue[2]! }], queue);
    a.persist([{ removed: 1 }], queue.slice(1));
    expect(journal(file)).toHaveLength(4);
    appendFileSync(file, '{"added": {"type":');
    const b = outboxFile(file, log.logger);
    expect(b.items.map((i) => i.id)).toEqual(["2", "3"]);
    expect(log.lines.some((l) => l.msg.includes("unreadable"))).toBe(true);
    // A long-lived backlog is rewritten as the queue once the journal outgrows it.
    const many = Array.from({ length: 1_200 }, (_, i) => item(`m${i}`));
    let q = [...b.items];
    for (const m of many) {
      q = [...q, m];
      b.persist([{ added: m }], q);
    }
    q = q.slice(1_000);
    b.persist([{ removed: 1_000 }], q);
    expect(outboxFile(file, log.logger).items.map((i) => i.id)).toEqual(q.map((i) => i.id));
    expect(journal(file).length).toBeLessThan(q.length + 1_100);
    b.persist([{ removed: q.length }], []);
    expect(readFileSync(file, "utf8")).toBe("");
  });
});
