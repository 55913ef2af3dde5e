import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckResult } from "@lag/contracts";
import { memoryLogger } from "@lag/testing";
import { HttpCheck, TcpCheck, type CheckConfig } from "./check-config.ts";
import { freePort } from "./dnsmasq.fixture.ts";
import { httpServer, tcpServer, type TestServer } from "./servers.fixture.ts";
import { CheckRunner, type CheckRunnerOptions } from "./runner.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SLOW_MS = 250;

interface Seen {
  result: CheckResult;
}

describe("CheckRunner", () => {
  let open: TestServer;
  let slow: TestServer;
  const quiet = memoryLogger("runner-test").logger;

  beforeAll(async () => {
    open = await tcpServer();
    // Answers every request after SLOW_MS: a check that takes a while, holding its connection.
    slow = await httpServer((_req, res) => void setTimeout(() => res.end("ok"), SLOW_MS));
  });
  afterAll(async () => {
    await open.close();
    await slow.close();
  });

  const tcp = (name: string, interval?: number) =>
    TcpCheck.parse({ name, kind: "tcp", host: "127.0.0.1", port: open.port, ...(interval ? { interval } : {}) });
  const slowHttp = (name: string, interval: number) =>
    // Parsed without the cross-field rules, so a check may be slower than its interval on purpose.
    HttpCheck.parse({ name, kind: "http", url: `http://127.0.0.1:${slow.port}/`, interval, timeout: 2000 });

  function runner(checks: CheckConfig[], opts: Partial<CheckRunnerOptions> = {}) {
    const seen: Seen[] = [];
    const r = new CheckRunner({
      host: "kronos",
      checks,
      defaultIntervalMs: 60_000,
      log: quiet,
      onResult: (result) => void seen.push({ result }),
      ...opts,
    });
    return { r, seen, of: (name: string) => seen.filter((s) => s.result.check === name) };
  }

  it("runs each check on its own interval, the monitor's interval for checks without one", async () => {
    const { r, seen, of } = runner([tcp("fast", 200), tcp("slow", 500), tcp("default")]);
    r.start();
    await sleep(1_100);
    await r.stop();
    // Due at 0, 200, …, 1000 and at 0, 500, 1000; timers may fire a few ms late.
    expect(of("fast").length).toBeGreaterThanOrEqual(5);
    expect(of("fast").length).toBeLessThanOrEqual(6);
    expect(of("slow").length).toBeGreaterThanOrEqual(2);
    expect(of("slow").length).toBeLessThanOrEqual(3);
    expect(of("default")).toHaveLength(1);
    // Start times (a result's time is when its run began), not completions, which vary with the run.
    const fast = of("fast").map((s) => Date.parse(s.result.time));
    for (let i = 1; i < fast.length; i++) expect(fast[i]! - fast[i - 1]!).toBeGreaterThanOrEqual(190);
    for (const s of seen) expect(CheckResult.parse(s.result)).toMatchObject({ host: "kronos", kind: "tcp", ok: true });
  });

  it("never overlaps a check with itself, skipping the slots a slow run missed", async () => {
    const before = slow.accepted;
    const { r, of } = runner([slowHttp("sluggish", 100)]);
    r.start();
    await sleep(1_000);
    await r.stop();
    // Runs start at 0, 300, 600, 900 (each takes 250 ms; the 100, 200, … slots in between are skipped).
    expect(slow.maxOpen).toBe(1);
    expect(slow.accepted - before).toBe(of("sluggish").length);
    expect(of("sluggish").length).toBeGreaterThanOrEqual(3);
    expect(of("sluggish").length).toBeLessThanOrEqual(4);
    expect(of("sluggish").every((s) => s.result.ok)).toBe(true);
  });

  it("runs no more checks at once than its concurrency", async () => {
    const fresh = await httpServer((_req, res) => void setTimeout(() => res.end("ok"), SLOW_MS));
    try {
      const checks = ["a", "b", "c", "d", "e"].map((n) =>
        HttpCheck.parse({ name: n, kind: "http", url: `http://127.0.0.1:${fresh.port}/` }),
      );
      const { r, seen } = runner(checks, { concurrency: 2 });
      r.start();
      await expect.poll(() => seen.length, { timeout: 3_000 }).toBe(5);
      await r.stop();
      expect(fresh.maxOpen).toBe(2);
    } finally {
      await fresh.close();
    }
  });

  it("stop() waits for the run in progress and its onResult, and starts nothing after", async () => {
    const { r, seen } = runner([slowHttp("inflight", 100), tcp("queued", 100)], { concurrency: 1 });
    r.start();
    await sleep(50);
    const stopping = performance.now();
    await r.stop();
    expect(performance.now() - stopping).toBeGreaterThan(SLOW_MS - 100);
    // The slow run finished and was handed over; the check queued behind it never started.
    expect(seen.map((s) => s.result.check)).toEqual(["inflight"]);
    await sleep(400);
    expect(seen).toHaveLength(1);
  });

  it("keeps the latest result per check, in config order, stamped with the host", async () => {
    const closed = await freePort();
    const down = TcpCheck.parse({ name: "down", kind: "tcp", host: "127.0.0.1", port: closed, interval: 100 });
    const { r, seen } = runner([tcp("up", 100), down]);
    expect(r.latest()).toEqual([]);
    r.start();
    await expect.poll(() => seen.length, { timeout: 2_000 }).toBeGreaterThanOrEqual(4);
    await r.stop();
    const latest = r.latest();
    expect(latest.map((l) => [l.host, l.check, l.ok])).toEqual([
      ["kronos", "up", true],
      ["kronos", "down", false],
    ]);
    expect(latest[1]!.detail).toBe("connection refused");
    const lastOfUp = seen.filter((s) => s.result.check === "up").at(-1)!.result;
    expect(latest[0]).toBe(lastOfUp);
    for (const l of latest) CheckResult.parse(l);
  });

  it("logs an onResult that fails and keeps checking", async () => {
    const mem = memoryLogger("runner-fail");
    let calls = 0;
    const r = new CheckRunner({
      host: "kronos",
      checks: [tcp("flaky", 100)],
      defaultIntervalMs: 60_000,
      log: mem.logger,
      onResult: async () => {
        calls++;
        if (calls === 1) throw new Error("bus is down");
      },
    });
    r.start();
    await expect.poll(() => calls, { timeout: 2_000 }).toBeGreaterThanOrEqual(3);
    await r.stop();
    const line = await mem.waitFor((l) => l.level === "error");
    expect(line).toMatchObject({ check: "flaky" });
    expect(line.msg).toContain("check flaky");
    expect(mem.lines.filter((l) => l.level === "error")).toHaveLength(1);
  });
});
