/**
 * LAG on the generated three-node cluster configs (sync_interval: always, R3 streams), faulted while
 * events flow: the stream leader killed, two of three nodes down, the consumer's leader moved, the
 * client's node frozen. Figures are printed, never asserted; what is asserted is that nothing
 * acknowledged is lost or stored twice and that everything resumes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamInfo } from "@nats-io/jetstream";
import { PublishUnavailableError, type Bus } from "@lag/bus";
import { alert, ceoItInbox, itStream, type Alert } from "@lag/contracts";
import { eventually, memoryLogger, startTestCluster, type MemoryLogger, type TestCluster } from "@lag/testing";

let cluster: TestCluster;
let pub: Bus;
let pubLog: MemoryLogger;
let ceo: Bus;
const received = new Map<number, number>();
const receivedAt = new Map<number, number>();

beforeAll(async () => {
  cluster = await startTestCluster();
  pubLog = memoryLogger("it-monitor");
  await cluster.provisionStreams();
  pub = await cluster.bus("it-monitor", { logger: pubLog });
  expect((await (await pub.jsm()).streams.info(itStream.name)).config.num_replicas).toBe(3);
  ceo = await cluster.bus("ceo");
  await ceo.ensureStreams();
  await ceo.consume(ceoItInbox, (d) => {
    if (!d.is(alert) || d.data.rule !== "cluster") return;
    const n = d.data.value!;
    received.set(n, (received.get(n) ?? 0) + 1);
    if (!receivedAt.has(n)) receivedAt.set(n, performance.now());
  });
}, 120_000);
afterAll(async () => cluster?.stop());

const event = (n: number): Alert => ({ ...alert.example, rule: "cluster", fingerprint: `cluster-${n}`, summary: `event ${n}`, value: n });

/** Publishes events one after another, each with its own id, retried with that id until stored. */
function producer(bus: Bus, from: number, pauseMs = 5) {
  const acked = new Set<number>();
  const refusals: string[] = [];
  let stop = false;
  let next = from;
  const done = (async () => {
    while (!stop) {
      const n = next++;
      const id = `cluster-event-${n}`;
      for (;;) {
        try {
          await bus.publish(alert, event(n), { id });
          acked.add(n);
          break;
        } catch (err) {
          if (err instanceof PublishUnavailableError) refusals.push(err.message);
          else throw err;
          if (stop) return;
        }
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    acked,
    refusals,
    async stop() {
      stop = true;
      await done;
    },
  };
}

async function storedOnce(acked: Set<number>): Promise<void> {
  await eventually(() => [...acked].every((n) => received.has(n)), 60_000, "every acknowledged event consumed");
  const admin = await cluster.admin();
  // Right after nodes come back the meta layer may still be electing ("JetStream system temporarily
  // unavailable" for an account-info request): ask again until it answers.
  let info: StreamInfo | undefined;
  await eventually(
    async () => {
      info = await (await admin.jsm()).streams
        .info(itStream.name, { subjects_filter: "lag.it.alert.firing.kronos.cluster" })
        .catch(() => undefined);
      return info !== undefined;
    },
    30_000,
    "the stream's info",
  );
  // One stored message per event: the retries with the same id were recognised as duplicates.
  expect(info!.state.messages).toBe(Math.max(...acked) + 1);
  await admin.close();
}

describe("the three-node cluster under faults", () => {
  it("loses nothing acknowledged when the leader of LAG_IT is killed mid-flow; the publisher's retries succeed", async () => {
    const p = producer(pub, 0);
    await eventually(() => p.acked.size >= 200, 30_000, "events flowing");
    const retried = () => pubLog.lines.filter((l) => /stored it after \d+ retries/.test(l.msg));
    // The leader is asked, then killed: on a busy machine leadership can move in between, and a kill
    // of a follower disturbs no publish. Then the one that leads now is killed (at most three times).
    let leader = -1;
    let resumedMs = 0;
    for (let round = 0; round < 3 && retried().length === 0; round++) {
      if (leader >= 0) {
        await cluster.nodes[leader]!.start();
        await new Promise((r) => setTimeout(r, 2_000));
      }
      leader = await cluster.leaderOf(itStream.name);
      const killedAt = performance.now();
      await cluster.nodes[leader]!.kill();
      const before = p.acked.size;
      await eventually(() => p.acked.size >= before + 200, 60_000, "events flowing after the election");
      resumedMs = Math.round(performance.now() - killedAt);
    }
    await p.stop();
    await cluster.nodes[leader]!.start();
    await storedOnce(p.acked);
    expect(retried().length).toBeGreaterThan(0);
    expect(pubLog.lines.some((l) => /jetstream is not enabled/i.test(l.msg))).toBe(false);
    console.log(
      `leader killed: ${p.acked.size} events acknowledged, all consumed once stored; 200 more stored ${resumedMs} ms after the kill; ${retried().length} publishes stored after retries`,
    );
  }, 180_000);

  it("with two of three nodes down refuses publishes with a clear error, loses nothing acknowledged, and resumes", async () => {
    const impatient = await cluster.bus("it-monitor", { publishRetryMs: 3_000 });
    const start = Math.max(...received.keys()) + 1;
    const p = producer(impatient, start, 20);
    await eventually(() => p.acked.size >= 50, 30_000, "events flowing");
    await Promise.all([cluster.nodes[1]!.kill(), cluster.nodes[2]!.kill()]);
    await eventually(() => p.refusals.length > 0, 60_000, "a publish refused");
    expect(p.refusals[0]).toMatch(
      /not stored after \d+ attempts in \d+ s: (no server answers for stream LAG_IT|stream LAG_IT did not acknowledge in time)/,
    );
    await new Promise((r) => setTimeout(r, 5_000));
    await Promise.all([cluster.nodes[1]!.start(), cluster.nodes[2]!.start()]);
    const before = p.acked.size;
    await eventually(() => p.acked.size >= before + 50, 90_000, "events flowing once the nodes are back");
    await p.stop();
    await storedOnce(new Set([...received.keys(), ...p.acked]));
    console.log(`two nodes down: ${p.refusals.length} publishes refused while they were (first: ${p.refusals[0]}), then resumed`);
  }, 240_000);

  it("resumes consuming within seconds when the consumer's leader moves", async () => {
    const start = Math.max(...received.keys()) + 1;
    const p = producer(pub, start, 50);
    await eventually(() => p.acked.size >= 40, 30_000, "events flowing");
    const admin = await cluster.admin();
    const movedAt = performance.now();
    await admin.nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.${itStream.name}.${ceoItInbox.durable}`, "", { timeout: 10_000 });
    const after = p.acked.size + start;
    await eventually(() => [...receivedAt.keys()].some((n) => n >= after && receivedAt.get(n)! > movedAt), 60_000, "consuming again");
    const resumedMs = Math.round(
      Math.min(...[...receivedAt.entries()].filter(([n, t]) => n >= after && t > movedAt).map(([, t]) => t)) - movedAt,
    );
    await p.stop();
    await storedOnce(new Set([...received.keys(), ...p.acked]));
    await admin.close();
    console.log(`consumer leader moved: CEO_LAG received the next new event ${resumedMs} ms later`);
  }, 120_000);

  it("leaves a frozen node (SIGSTOP) within about 15 s and goes on with the others", async () => {
    const log = memoryLogger("ceo");
    const client = await cluster.bus("ceo", { logger: log });
    const on = cluster.urls.findIndex((u) => u.endsWith(`:${client.nc.getServer().split(":").at(-1)}`));
    expect(on).toBeGreaterThanOrEqual(0);
    const frozenAt = performance.now();
    cluster.freeze(on);
    try {
      await log.waitFor((l) => l.msg === "reconnected to NATS", 60_000);
      const leftMs = Math.round(performance.now() - frozenAt);
      const now = client.nc.getServer();
      expect(cluster.urls[on]!.endsWith(`:${now.split(":").at(-1)}`)).toBe(false);
      console.log(
        `frozen node: the client was connected elsewhere ${leftMs} ms after the freeze (ping 1 s × 2 unanswered in this test; 5 s × 2 by default)`,
      );
    } finally {
      cluster.thaw(on);
    }
  }, 120_000);
});
