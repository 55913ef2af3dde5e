import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import { incidentChanged, type Incident } from "@lag/contracts";
import { monitorWorker } from "@lag/it-lag";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  memoryLogger,
  removeContainers,
  runHealthCheckedContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag, root } from "../packages/cli/test/run-lag.fixture.ts";
import { incidentsYaml, startedAt } from "./incidents.fixture.ts";

/**
 * kill -9 of the incident worker while a runbook runs: started again, it never runs that action a
 * second time (it cannot know whether it happened), says so in the incident, and asks a person.
 */
const prefix = testContainerPrefix("crash");
const name = `${prefix}slow`;
let nats: TestNats;
let watcher: Bus;
let config: string;
const workers: RunningWorker[] = [];
const started: string[] = [];
/** CloudEvents ids of the runbook-started events seen: an event the outbox sends again after the crash keeps its id. */
const startedIds = new Set<string>();
let child: ChildProcess | undefined;
let childOut = "";

function incidentsProcess(): ChildProcess {
  const p = spawn(process.execPath, ["--import", "tsx", "agents/it-lag/src/workers/incidents/main.ts"], {
    cwd: root,
    env: { ...cleanEnv(), LAG_CONFIG: config, NATS_URL: nats.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  p.stdout!.on("data", (b: Buffer) => (childOut += b.toString()));
  p.stderr!.on("data", (b: Buffer) => (childOut += b.toString()));
  return p;
}

beforeAll(async () => {
  const image = await ensureBusyboxImage();
  nats = await startTestNats();
  await nats.provisionStreams();
  // PID 1 is `sleep`, which ignores SIGTERM: a restart waits its full 10 s stop timeout, a window to crash in.
  await runHealthCheckedContainer(name, image);
  await eventually(async () => (await dockerCli(["inspect", "-f", "{{.State.Health.Status}}", name])).stdout.trim() === "healthy", 20_000);
  const dir = mkdtempSync(join(tmpdir(), "lag-crash-"));
  config = join(dir, "lag.yaml");
  writeFileSync(config, incidentsYaml(dir, "crashtest", prefix, "  {}"));
  const env = { LAG_CONFIG: config, NATS_URL: nats.url };
  watcher = await nats.bus("cli");
  watcher.subscribe(incidentChanged, (d) => {
    started.push(d.data.entry.kind === "runbook-started" ? d.data.incident.id : "");
    if (d.data.entry.kind === "runbook-started") startedIds.add(d.envelope.id);
  });
  await watcher.nc.flush();
  workers.push(await startWorker(monitorWorker, { env, logger: memoryLogger("it-monitor").logger }));
  workers.push(await startWorker(ceoWorker, { env, logger: memoryLogger("ceo").logger }));
  child = incidentsProcess();
}, 120_000);
afterAll(async () => {
  child?.kill("SIGKILL");
  for (const w of workers) await w.shutdown("test");
  await removeContainers(prefix);
  await nats?.stop();
});

describe("kill -9 of the incident worker in the middle of a runbook", () => {
  it("runs the action at most once, and the incident says it was interrupted", async () => {
    const before = await startedAt(name);
    await dockerCli(["exec", name, "rm", "-f", "/tmp/ok"]);
    await eventually(() => started.some((id) => id !== ""), 60_000, `the runbook started; worker said:\n${childOut.slice(-3000)}`);
    const id = started.find((x) => x !== "")!;
    child!.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    child = incidentsProcess();
    const env = cleanEnv({ NATS_URL: nats.url });
    let shown: Incident | undefined;
    await eventually(
      async () => {
        const r = await lag(["incident", "show", id, "--json"], env);
        if (r.code !== 0) return false;
        shown = jsonOf<Incident>(r);
        return shown.runbook?.status === "interrupted";
      },
      60_000,
      `the incident marked interrupted; worker said:\n${childOut.slice(-3000)}`,
    );
    const t = shown!.timeline;
    expect(t.filter((e) => e.kind === "runbook-started")).toHaveLength(1);
    expect(t.find((e) => e.kind === "runbook-finished")!.note).toContain("interrupted");
    expect(t.some((e) => e.kind === "escalated" && e.note.includes("a person must check"))).toBe(true);
    // The action had its approval before it started, and nothing started it again.
    expect(t.findIndex((e) => e.kind === "approval")).toBeLessThan(t.findIndex((e) => e.kind === "runbook-started"));
    const seen = new Set([before]);
    for (let i = 0; i < 24; i++) {
      seen.add(await startedAt(name));
      await new Promise((r) => setTimeout(r, 500));
    }
    // the original start, and at most the one restart Docker finished on its own
    expect(seen.size).toBeLessThanOrEqual(2);
    // One start event: a resend of it after the crash (a core subscriber sees it; the stream stores it once) has the same id.
    expect(startedIds.size).toBe(1);
  }, 150_000);
});
