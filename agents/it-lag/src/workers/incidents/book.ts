import { randomUUID } from "node:crypto";
import type { Clock } from "@lag/async";
import {
  incidentChanged,
  notification,
  silenceChanged,
  type Actor,
  type Alert,
  type IncidentState,
  type IncidentSummary,
  type Silence,
  type TimelineEntry,
  type TimelineKind,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { IncidentWriter } from "./actions.ts";
import type { Effect, IncidentEngine } from "./engine.ts";
import type { IncidentStore, StoredIncident } from "./store/incident-store.ts";

export interface BookOptions {
  engine: IncidentEngine;
  store: IncidentStore;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  worker: string;
  /** A new incident: find its likely cause, propose its runbook. */
  onOpened(incident: IncidentSummary, alert: Alert): void;
  /** An incident resolved: withdraw what still waits for it. */
  onResolved(incident: IncidentSummary): void;
}

/**
 * The engine's effects made real: every change of an incident is written to the store (the
 * incident as it is now and its new timeline entries, in one transaction), then its events go
 * into the outbox — incident changes, notifications, silences — so none is lost while NATS is
 * away. Everything that changes an incident goes through here.
 */
export class IncidentBook implements IncidentWriter {
  /** The event being handled (an alert, a decision): the cause of the incident events it produces. */
  private cause: string | undefined;

  constructor(private readonly o: BookOptions) {}

  /** Runs `fn` with `eventId` as the cause of the events it produces (each carries the incident's id as its chain). */
  causedBy<T>(eventId: string, fn: () => T): T {
    const before = this.cause;
    this.cause = eventId;
    try {
      return fn();
    } finally {
      this.cause = before;
    }
  }

  /** The chain an incident's events belong to: its id, and what caused them when known. */
  private chain(incidentId: string): { correlationid: string; causationid?: string } {
    return { correlationid: incidentId, ...(this.cause ? { causationid: this.cause } : {}) };
  }

  private get now(): number {
    return this.o.clock.now().getTime();
  }

  /** Applies one call's effects; `firings` are alerts that fired (not reminders), kept for repeating patterns. */
  apply(effects: readonly Effect[], firings: readonly Alert[] = []): void {
    if (effects.length === 0 && firings.length === 0) return;
    const { engine, store, outbox } = this.o;
    const incidents = new Map<string, StoredIncident>();
    const entries: { incidentId: string; entry: TimelineEntry }[] = [];
    const events: (() => void)[] = [];
    const opened: (Effect & { kind: "opened" })[] = [];
    const resolved: IncidentSummary[] = [];
    let silencesChanged = false;
    for (const e of effects) {
      if (e.kind === "entry") {
        const id = e.incident.id;
        const open = engine.get(id);
        incidents.set(
          id,
          open
            ? {
                summary: open.summary,
                alerts: engine.rawAlertsOf(id),
                ...(open.quietSince !== undefined ? { quietSince: open.quietSince } : {}),
              }
            : // Resolved: it left the engine; its last picture is what the effect carries.
              { summary: e.incident, alerts: e.alerts as StoredIncident["alerts"] },
        );
        entries.push({ incidentId: id, entry: e.entry });
        if (e.entry.kind === "silenced") silencesChanged = true;
        if (e.entry.kind === "resolved") resolved.push(e.incident);
        if (e.publish) {
          const meta = this.chain(id);
          events.push(() => outbox.add(incidentChanged, { incident: e.incident, entry: e.entry }, meta));
        }
      } else if (e.kind === "notify") {
        const meta = this.chain(e.notification.incident.id);
        events.push(() => outbox.add(notification, { id: `ntf-${randomUUID()}`, ...e.notification }, meta));
      } else if (e.kind === "silence") {
        silencesChanged = true;
        events.push(() => outbox.add(silenceChanged, { change: e.change, silence: e.silence, by: this.o.worker }));
      } else opened.push(e);
    }
    store.write([...incidents.values()], entries, firings);
    if (silencesChanged) for (const s of engine.silencesList()) store.saveSilence(s);
    if (events.length > 0) {
      outbox.addTogether(() => {
        for (const publish of events) publish();
      });
      void outbox.flush();
    }
    for (const o of opened) this.o.onOpened(o.incident, o.alert);
    for (const r of resolved) this.o.onResolved(r);
  }

  /** Everything `fn` changes, stored in one transaction and queued with one outbox save (an alert and what it set off). */
  together(fn: () => void): void {
    this.o.store.together(() => this.o.outbox.addTogether(fn));
  }

  record(id: string, kind: TimelineKind, by: Actor, note: string, data?: Record<string, unknown>, patch?: Partial<IncidentSummary>): void {
    this.apply(this.o.engine.record(id, kind, by, note, this.now, data, patch));
  }

  transition(id: string, state: IncidentState, by: Actor, note: string): void {
    this.apply(this.o.engine.transition(id, state, by, note, this.now));
  }

  isOpen(id: string): boolean {
    return this.o.engine.get(id) !== undefined;
  }

  /**
   * A note on an incident already resolved (what will prevent it, written afterwards): straight
   * into the store and onto the bus, since the engine keeps only open incidents.
   */
  noteClosed(id: string, by: Actor, note: string, prevention: boolean): IncidentSummary | undefined {
    const stored = this.o.store.show(id);
    if (!stored) return undefined;
    const { alerts: _a, timeline: _t, ...summary } = stored;
    const next: IncidentSummary = prevention ? { ...summary, prevention: note } : summary;
    const entry = { at: new Date(this.now).toISOString(), kind: prevention ? ("prevention" as const) : ("note" as const), actor: by, note };
    const row = this.o.store.raw(id)!;
    this.o.store.write([{ ...row, summary: next }], [{ incidentId: id, entry }]);
    this.o.outbox.add(incidentChanged, { incident: next, entry }, this.chain(id));
    void this.o.outbox.flush();
    return next;
  }

  /** Creates a silence: stored, announced, and applied to what fires now. */
  silence(s: Silence): Silence {
    this.o.store.saveSilence(s);
    this.o.outbox.add(silenceChanged, { change: "created", silence: s, by: s.createdBy });
    this.apply(this.o.engine.addSilence(s, this.now));
    return this.o.engine.silencesList().find((x) => x.id === s.id) ?? s;
  }

  expireSilence(id: string, by: string): Silence | undefined {
    const r = this.o.engine.expireSilence(id, this.now);
    if (!r) return undefined;
    this.o.store.saveSilence(r.silence);
    this.o.outbox.add(silenceChanged, { change: "expired", silence: r.silence, by });
    this.apply([...r.effects, ...this.o.engine.tick(this.now)]);
    return r.silence;
  }
}
