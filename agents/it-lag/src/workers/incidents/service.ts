import { randomUUID } from "node:crypto";
import type { Clock } from "@lag/async";
import { ServiceError, type ServiceHandlers } from "@lag/bus";
import { severityRank, type incidentsService, type Silence } from "@lag/contracts";
import type { IncidentBook } from "./book.ts";
import type { IncidentEngine } from "./engine.ts";
import { slugOf } from "./grouping.ts";
import { measure } from "./measures.ts";
import { silenceActive } from "./suppression.ts";
import type { IncidentStore } from "./store/incident-store.ts";

const DAY = 86_400_000;

export interface ServiceParts {
  engine: IncidentEngine;
  store: IncidentStore;
  book: IncidentBook;
  clock: Clock;
  patternAtLeast: number;
}

const unknown = (id: string) => new ServiceError(404, `no incident ${id}`);
const closed = (id: string) => new ServiceError(409, `incident ${id} is resolved already`);

/** The it-incidents endpoints: what people (the CLI, the page) do with incidents and silences. */
export function incidentHandlers({ engine, store, book, clock, patternAtLeast }: ServiceParts): ServiceHandlers<typeof incidentsService> {
  const now = () => clock.now().getTime();
  /** The incident open in the engine, 409 when it is resolved, 404 when there is none. */
  const openOne = (id: string) => {
    if (engine.get(id)) return;
    throw store.show(id) ? closed(id) : unknown(id);
  };
  return {
    list: ({ all, limit }) => ({
      incidents: all
        ? store.list(true, limit)
        : engine
            .openIncidents()
            .sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || b.openedAt.localeCompare(a.openedAt))
            .slice(0, limit),
    }),
    show: ({ id }) => {
      const i = store.show(id);
      if (!i) throw unknown(id);
      return i;
    },
    ack: ({ id, by, note }) => {
      openOne(id);
      book.apply(engine.acknowledge(id, by, note, now()));
      return engine.get(id)!.summary;
    },
    note: ({ id, by, note, prevention }) => {
      const actor = { kind: "person" as const, name: by };
      if (engine.get(id)) {
        book.apply(engine.note(id, actor, note, prevention, now()));
        return engine.get(id)!.summary;
      }
      // After the fact is when prevention is usually written.
      const s = book.noteClosed(id, actor, note, prevention);
      if (!s) throw unknown(id);
      return s;
    },
    resolve: ({ id, by, note }) => {
      openOne(id);
      book.transition(id, "resolved", { kind: "person", name: by }, note ?? `resolved by ${by}`);
      return store.show(id)!;
    },
    silence: ({ matchers, forMs, startsAt, by, note }) => {
      const t = now();
      const start = startsAt ? Date.parse(startsAt) : t;
      const d = new Date(start).toISOString();
      const stamp = `${d.slice(0, 10).replace(/-/g, "")}-${d.slice(11, 16).replace(/:/g, "")}`;
      const first = Object.values(matchers)[0]!;
      const s: Silence = {
        id: `sil-${stamp}-${slugOf(first)}-${randomUUID().slice(0, 4)}`,
        matchers,
        startsAt: d,
        endsAt: new Date(start + forMs).toISOString(),
        createdBy: by,
        note,
        createdAt: new Date(t).toISOString(),
        matched: 0,
      };
      return book.silence(s);
    },
    silences: ({ all }) => {
      const t = now();
      const list = engine
        .silencesList()
        .filter((s) => all || (!s.expiredAt && Date.parse(s.endsAt) > t))
        .sort((a, b) => b.startsAt.localeCompare(a.startsAt));
      return { silences: list.map((s) => ({ ...s, active: silenceActive(s, t), stale: engine.isStale(s, t) })) };
    },
    expireSilence: ({ id, by }) => {
      const s = book.expireSilence(id, by);
      if (!s) throw new ServiceError(404, `no silence ${id}`);
      return s;
    },
    measures: ({ days }) => {
      const since = now() - days * DAY;
      return measure(store.openedSince(since), store.firingsSince(now() - 7 * DAY), since, patternAtLeast);
    },
  };
}
