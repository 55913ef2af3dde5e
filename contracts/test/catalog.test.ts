import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent } from "@lag/bus";
import {
  alert,
  allEndpoints,
  catalog,
  ceoItInbox,
  defineConsumer,
  defineEvent,
  defineService,
  endpoint,
  filterSubject,
  filtersOverlap,
  hostMetrics,
  itStream,
  PRINCIPALS,
  principalNames,
  storageService,
  streamSubjects,
  templateTokens,
  type EventDescriptor,
  type Principal,
} from "@lag/contracts";
import { catalogProblems, type Catalog } from "@lag/contracts/generate";

const source = "/lag/test/catalog";

describe("every contract's example", () => {
  it.each(catalog.events.map((e) => [e.type, e] as const))("%s validates and round-trips through the bus codec", (_, e) => {
    expect(e.schema.safeParse(e.example).error).toBeUndefined();
    const encoded = encodeEvent(e, e.example, { source, id: "example-1", correlationid: "chain-1" });
    const decoded = decodeEvent(encoded.subject, encoded.payload);
    if (!decoded.ok) throw new Error(`${e.type}: ${decoded.code}: ${decoded.reason}`);
    expect(decoded.event.type).toBe(e.type);
    expect(decoded.envelope.data).toEqual(e.example);
    expect(decoded.envelope).toMatchObject({ id: "example-1", source, type: e.type, correlationid: "chain-1" });
  });

  it.each(allEndpoints().map((ep) => [ep.subject, ep] as const))("%s request and reply validate and survive JSON", (_, ep) => {
    for (const [schema, value] of [
      [ep.request, ep.example.request],
      [ep.reply, ep.example.reply],
    ] as const) {
      const parsed = schema.safeParse(JSON.parse(JSON.stringify(value)));
      expect(parsed.error).toBeUndefined();
      // Nothing of the example is lost (defaults may be added), and parsing again changes nothing.
      expect(parsed.data).toMatchObject(value as object);
      expect(schema.parse(parsed.data)).toEqual(parsed.data);
    }
  });
});

describe("the catalog", () => {
  const endpoints = allEndpoints();
  const agentOf = (p: Principal) => PRINCIPALS[p].agent;

  it("has no consistency problem (the lint `pnpm gen` runs first)", () => {
    expect(catalogProblems(catalog)).toEqual([]);
  });

  it("declares each subject once, and each event type once per publisher (one contract may travel on several publishers' subjects)", () => {
    const types = catalog.events.map((e) => `${e.type} ${e.publisher}`);
    const subjects = [...catalog.events.map((e) => e.subject), ...endpoints.map((e) => e.subject)];
    expect(new Set(types).size).toBe(types.length);
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it("puts every event under lag.<agent of its publisher>. and every endpoint under its server's", () => {
    for (const e of catalog.events) expect(e.subject.startsWith(`lag.${agentOf(e.publisher)}.`), e.subject).toBe(true);
    for (const ep of endpoints) expect(ep.subject.startsWith(`lag.${agentOf(ep.server)}.`), ep.subject).toBe(true);
  });

  it("fills exactly the template's tokens from each example", () => {
    for (const e of catalog.events) {
      expect(Object.keys(e.tokens(e.example)).sort(), e.type).toEqual(templateTokens(e.subject).sort());
    }
  });

  it("keeps every endpoint subject out of every stream's subjects", () => {
    for (const ep of endpoints) {
      for (const s of catalog.streams) {
        for (const captured of streamSubjects(s)) {
          expect(filtersOverlap(filterSubject(ep.subject), captured), `${ep.subject} vs ${captured}`).toBe(false);
        }
      }
    }
  });

  it("lets consumers read only events stored in their stream and addressed to them", () => {
    for (const c of catalog.consumers) {
      for (const e of c.events) {
        expect(e.stream?.name, `${c.durable} reads ${e.type}`).toBe(c.stream.name);
        expect(e.audience === "all" || e.audience.includes(c.principal), `${c.principal} may read ${e.type}`).toBe(true);
      }
    }
  });

  it("names only declared principals", () => {
    const named = [
      ...catalog.events.flatMap((e) => [e.publisher, ...(e.audience === "all" ? [] : e.audience)]),
      ...endpoints.flatMap((ep) => [ep.server, ...(ep.callers === "all" ? [] : ep.callers)]),
      ...catalog.consumers.map((c) => c.principal),
    ];
    for (const p of named) expect(principalNames).toContain(p);
  });
});

/** A copy of the real catalog with one thing changed: each must be caught, naming what to fix. */
function broken(change: Partial<Catalog>): Catalog {
  return { ...catalog, ...change };
}

const renamed = (e: EventDescriptor, d: Partial<EventDescriptor>): EventDescriptor => ({ ...e, ...d }) as EventDescriptor;

describe("the catalog lint finds", () => {
  it("a duplicate event type and subject", () => {
    const p = catalogProblems(broken({ events: [...catalog.events, renamed(alert, {})] }));
    expect(p).toContain(`event type ${alert.type} is declared twice`);
    expect(p).toContain(`subject ${alert.subject} is declared twice`);
  });

  it("an event outside its publisher's agent prefix", () => {
    const p = catalogProblems(broken({ events: [renamed(hostMetrics, { subject: "lag.ceo.host.metrics.{host}" })] }));
    expect(p.join("\n")).toMatch(/must start with lag\.it\./);
  });

  it("a template token the data does not fill, and a filled token the template lacks", () => {
    const missing = renamed(hostMetrics, { subject: "lag.it.host.metrics.{host}.{zone}" });
    expect(catalogProblems(broken({ events: [missing] })).join("\n")).toMatch(
      /tokens\(\) gives \{host\} but the subject has \{host, zone\}/,
    );
    const extra = renamed(hostMetrics, { subject: "lag.it.host.metrics" });
    expect(catalogProblems(broken({ events: [extra] })).join("\n")).toMatch(/tokens\(\) gives \{host\} but the subject has \{\}/);
  });

  it("two templates that can match one concrete subject", () => {
    const shadow = defineEvent({
      ...hostMetrics,
      type: "es.lagrieta.it.host.shadow.v1",
      subject: "lag.it.host.{what}.{host}",
      tokens: (d) => ({ what: "x", host: d.host }),
    });
    expect(catalogProblems(broken({ events: [...catalog.events, shadow] })).join("\n")).toMatch(/can match the same concrete subject/);
  });

  it("an endpoint inside a stream's subjects", () => {
    const svc = defineService({
      name: "it-bad",
      version: "0.0.1",
      description: "x",
      server: "it-monitor",
      callers: "all",
      endpoints: { q: endpoint({ ...storageService.endpoints.query, subject: "lag.it.status.report.now" }) },
    });
    expect(catalogProblems(broken({ services: [svc] })).join("\n")).toMatch(/overlaps lag\.it\.status\.report\.\* of stream LAG_IT/);
  });

  it("a consumer of an event its stream does not store, or that is not addressed to it", () => {
    const c = defineConsumer({ ...ceoItInbox, durable: "bad", events: [hostMetrics] });
    expect(catalogProblems(broken({ consumers: [c] })).join("\n")).toMatch(
      /reads es\.lagrieta\.it\.host\.metrics\.v1, which is stored in no stream/,
    );
    const private_ = renamed(alert, { audience: ["media"] });
    const c2 = defineConsumer({ ...ceoItInbox, events: [private_] });
    expect(catalogProblems(broken({ events: [private_], consumers: [c2] })).join("\n")).toMatch(/ceo is not in the audience/);
  });

  it("a principal nobody declared", () => {
    const ghost = renamed(alert, { audience: ["ghost" as never] });
    expect(catalogProblems(broken({ events: [ghost] })).join("\n")).toMatch(/unknown principal "ghost"/);
  });

  it("a stream no event fills", () => {
    const empty = { ...itStream, name: "LAG_EMPTY" };
    expect(catalogProblems(broken({ streams: [...catalog.streams, empty] }))).toContain(
      "stream LAG_EMPTY captures no subject: no event names it",
    );
  });
});
