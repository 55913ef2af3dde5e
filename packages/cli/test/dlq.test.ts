import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headers as natsHeaders } from "@nats-io/nats-core";
import type { Bus } from "@lag/bus";
import { dlqStreamOf, hostMetrics } from "@lag/contracts";
import { eventually, startTestNats, type TestNats } from "@lag/testing";
import type { DeadLetterEntry } from "@lag/bus";
import { cleanEnv, jsonOf, lag } from "./run-lag.fixture.ts";

let nats: TestNats;
let env: NodeJS.ProcessEnv;
let ceo: Bus;

beforeAll(async () => {
  nats = await startTestNats();
  env = cleanEnv({ NATS_URL: nats.url });
});
afterAll(async () => nats?.stop());

describe("lag dlq", () => {
  it("says there are none while no agent has created a dead-letter stream", async () => {
    const r = await lag(["dlq"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("no dead-letter stream exists yet");
    expect(jsonOf(await lag(["dlq", "--json"], env))).toEqual([]);
  });

  it("lists a message a subscription dead-lettered, with its code and reason (--json)", async () => {
    // A real subscriber: CEO_LAG listening to host metrics parks what breaks the contract.
    ceo = await nats.bus("ceo");
    await nats.provisionStreams();
    ceo.subscribe(hostMetrics, () => undefined);
    await ceo.nc.flush();
    const h = natsHeaders();
    h.set("X-Trace", "t-42");
    ceo.nc.publish("lag.it.host.metrics.kronos", "{not json", { headers: h });
    await eventually(async () => (await (await ceo.jsm()).streams.info(dlqStreamOf("ceo").name)).state.messages === 1);

    const r = await lag(["dlq", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const [entry, ...rest] = jsonOf<DeadLetterEntry[]>(r);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      id: "ceo/1",
      dlqStream: "LAG_DLQ_CEO",
      seq: 1,
      principal: "ceo",
      subject: "lag.it.host.metrics.kronos",
      code: "invalid-json",
      dlqSubject: "lag.dlq.ceo.lag.it.host.metrics.kronos",
      size: 9,
    });
    expect(entry!.reason).toMatch(/^body is not JSON/);
    expect(entry!.problems).toBeUndefined();
  });

  it("prints a table, and filters by original subject and limit", async () => {
    ceo.nc.publish("lag.it.host.metrics.nas", JSON.stringify({ specversion: "1.0" }));
    await eventually(async () => (await (await ceo.jsm()).streams.info(dlqStreamOf("ceo").name)).state.messages === 2);

    const table = await lag(["dlq"], env);
    expect(table.code, table.stderr).toBe(0);
    const [header, first, second] = table.stdout.split("\n");
    expect(header).toMatch(/^ID\s+TIME\s+SUBJECT\s+CODE\s+DELIVERIES\s+REASON$/);
    expect(first).toMatch(
      /^ceo\/1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+lag\.it\.host\.metrics\.kronos\s+invalid-json\s+-\s+body is not JSON/,
    );
    expect(second).toMatch(/^ceo\/2\s+.*lag\.it\.host\.metrics\.nas\s+invalid-envelope\s+-\s+\S+/);
    expect(table.stderr).toContain("2 dead letters · `lag dlq show <id>`");

    const nas = jsonOf<DeadLetterEntry[]>(await lag(["dlq", "--json", "--subject", "lag.it.host.metrics.nas"], env));
    expect(nas.map((e) => e.id)).toEqual(["ceo/2"]);
    const onlyMedia = jsonOf<DeadLetterEntry[]>(await lag(["dlq", "--json", "--subject", "lag.dlq.media.>"], env));
    expect(onlyMedia).toEqual([]);
    const none = jsonOf<DeadLetterEntry[]>(await lag(["dlq", "--json", "--subject", "lag.ceo.>"], env));
    expect(none).toEqual([]);
    const newest = await lag(["dlq", "--limit", "1"], env);
    expect(newest.stdout.split("\n").filter(Boolean)).toHaveLength(2);
    expect(newest.stderr).toContain("the newest 1 of 2 dead letters");
  });

  it("shows one dead letter with its payload and every header", async () => {
    const r = await lag(["dlq", "show", "ceo/1", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const shown = jsonOf<DeadLetterEntry & { payload: string; headers: Record<string, string[]> }>(r);
    expect(shown.payload).toBe("{not json");
    expect(shown.headers["X-Trace"]).toEqual(["t-42"]);
    expect(shown.headers["Lag-Dlq-Code"]).toEqual(["invalid-json"]);
    expect(shown.code).toBe("invalid-json");

    const text = await lag(["dlq", "show", "ceo/1"], env);
    expect(text.stdout).toMatch(/^dead letter ceo\/1 · LAG_DLQ_CEO/);
    expect(text.stdout).toMatch(/^code\s+invalid-json$/m);
    expect(text.stdout).toContain("  X-Trace: t-42");
    expect(text.stdout).toMatch(/payload \(9 bytes\)\n\{not json\n$/);
  });

  it("says so when asked for one that is not there, and what an id looks like when given something else", async () => {
    const r = await lag(["dlq", "show", "ceo/99"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no dead letter ceo/99; `lag dlq` lists them");
    const bad = await lag(["dlq", "show", "99"], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("give one dead letter's id, as `lag dlq` lists them: lag dlq show ceo/42");
  });
});

describe("clearing dead letters", () => {
  const seqs = async () => jsonOf<DeadLetterEntry[]>(await lag(["dlq", "--json"], env)).map((e) => e.seq);
  const media = async () => nats.bus("media");

  it("lag dlq rm removes the given ones and says which were not there (exit 1)", async () => {
    for (const host of ["a", "b", "c"]) ceo.nc.publish(`lag.it.host.metrics.${host}`, "{}");
    await eventually(async () => (await seqs()).length === 5);
    const r = await lag(["dlq", "rm", "ceo/3", "ceo/99"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("removed dead letter ceo/3\nno dead letter ceo/99\n");
    expect(await seqs()).toEqual([1, 2, 4, 5]);
    const again = await lag(["dlq", "rm", "ceo/3"], env);
    expect(again.code).toBe(1);
    expect(again.stdout, again.stderr).toBe("no dead letter ceo/3\n");
    const bad = await lag(["dlq", "rm", "x"], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('"x" is not a dead letter\'s id');
    void media;
  });

  it("lag dlq purge says how many without --yes, removes only the matching subject's with it", async () => {
    const dry = await lag(["dlq", "purge", "--subject", "lag.it.host.metrics.nas"], env);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe("would remove 1 dead letter from subjects matching lag.it.host.metrics.nas; add --yes to remove them\n");
    expect(await seqs()).toEqual([1, 2, 4, 5]);

    const one = await lag(["dlq", "purge", "--subject", "lag.it.host.metrics.nas", "--yes"], env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe("removed 1 dead letter from subjects matching lag.it.host.metrics.nas\n");
    expect(await seqs()).toEqual([1, 4, 5]);

    const all = await lag(["dlq", "purge", "--yes"], env);
    expect(all.stdout).toBe("removed 3 dead letters\n");
    expect(await seqs()).toEqual([]);
    const nothing = await lag(["dlq", "purge"], env);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toBe("would remove 0 dead letters; add --yes to remove them\n");
  });
});
