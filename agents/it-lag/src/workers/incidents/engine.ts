import {
  compactTime,
  severityRank,
  type Actor,
  type Alert,
  type IncidentAlert,
  type IncidentState,
  type IncidentSummary,
  type Notification,
  type Severity,
  type Silence,
  type TimelineEntry,
  type TimelineKind,
} from "@lag/contracts";
import { compileMatch, type LabelMatcher } from "../../label-match.ts";
import type { EscalationRule, InhibitRule } from "./config.ts";
import { alertLabels, groupOf, objectOf, slugOf } from "./grouping.ts";
import { Inhibitor, silenceActive, silenceMatcher } from "./suppression.ts";

export interface EngineOptions {
  groupBy: readonly string[];
  groupWaitMs: number;
  resolveAfterMs: number;
  repeatIntervalMs: number;
  hostSilentAfterMs: number;
  silenceStaleAfterMs: number;
  inhibit: readonly InhibitRule[];
  escalate: readonly EscalationRule[];
  /** The worker's name, the actor of what it does by itself. */
  worker: string;
  /** A random suffix for ids (injected, so tests are repeatable). */
  random?: () => string;
}

/** What the shell does after an engine call: store and publish, notify, announce a silence, start the analysis. */
export type Effect =
  | { kind: "entry"; incident: IncidentSummary; alerts: IncidentAlert[]; entry: TimelineEntry; publish: boolean }
  | { kind: "notify"; notification: Omit<Notification, "id"> }
  | { kind: "silence"; change: "started" | "ended" | "stale"; silence: Silence }
  | { kind: "opened"; incident: IncidentSummary; alert: Alert };

/** Alert-level entries stay in the timeline; the alerts themselves are on the bus already. */
const LOCAL: ReadonlySet<TimelineKind> = new Set(["alert-firing", "alert-resolved", "inhibited", "silenced"]);

/** An alert as the engine keeps it: the contract's view, the alert itself, and its labels for matching (computed once). */
type Held = IncidentAlert & { raw: Alert; all: Record<string, string>; inhibits: boolean };

interface Open {
  summary: IncidentSummary;
  alerts: Map<string, Held>;
  groupKey: string;
  /** openedAt in ms, read once (the clock checks it every tick). */
  openedMs: number;
  /** When the last of its alerts resolved (while all are resolved). */
  quietSince?: number;
  lastNotifiedAt?: number;
}

const isoOf = (ms: number) => new Date(ms).toISOString();
const maxSeverity = (a: Severity, b: Severity): Severity => (severityRank[a] >= severityRank[b] ? a : b);

/**
 * The incident core: pure, a function of its state, the inputs and `now`. Alerts are grouped into
 * incidents (one open incident per group, a fingerprint never in two), flapping stays in one
 * incident that resolves only after `resolveAfter` of quiet, inhibited and silenced alerts are
 * recorded but notify no one, a spreading incident gets a higher severity, a silent host becomes
 * an alert of its own. Every call returns the effects for the shell to store, publish and act on.
 */
export class IncidentEngine {
  private readonly open = new Map<string, Open>();
  private readonly byGroup = new Map<string, string>();
  private readonly byFingerprint = new Map<string, string>();
  private readonly silences = new Map<string, Silence & { announced?: "started" | "ended" | "stale" }>();
  private readonly silenceMatchers = new Map<string, LabelMatcher>();
  private readonly hostsSeen = new Map<string, { last: number; silent: boolean }>();
  /** Open incidents per host (escalation looks at one host's). */
  private readonly byHost = new Map<string, Set<Open>>();
  /** Open incidents holding an alert that can inhibit others: the only candidates inhibition looks at. */
  private readonly withInhibitors = new Set<Open>();
  private readonly inhibitor: Inhibitor;
  private readonly escalations: { rule: EscalationRule; match: LabelMatcher }[];
  private readonly random: () => string;
  private readonly self: Actor;

  constructor(private readonly o: EngineOptions) {
    this.inhibitor = new Inhibitor(o.inhibit);
    this.escalations = o.escalate.map((rule) => ({ rule, match: compileMatch(rule.match) }));
    this.random = o.random ?? (() => Math.random().toString(36).slice(2, 6));
    this.self = { kind: "worker", name: o.worker };
  }

  // ——— state in and out ———

  /** Puts back what was open before a restart (from the store). */
  restore(
    incidents: readonly { summary: IncidentSummary; alerts: readonly (IncidentAlert & { raw: Alert })[]; quietSince?: number }[],
    silences: readonly Silence[],
  ): void {
    for (const i of incidents) {
      const alerts = new Map<string, Held>(i.alerts.map((a) => [a.fingerprint, this.held(a, a.raw)]));
      const open: Open = {
        summary: i.summary,
        alerts,
        groupKey: groupOf(i.alerts[0]!.raw, this.o.groupBy).key,
        openedMs: Date.parse(i.summary.openedAt),
      };
      if (i.quietSince !== undefined) open.quietSince = i.quietSince;
      if (i.summary.notifiedAt) open.lastNotifiedAt = Date.parse(i.summary.notifiedAt);
      this.track(open);
      for (const fp of alerts.keys()) this.byFingerprint.set(fp, i.summary.id);
      if ([...alerts.values()].some((a) => a.inhibits)) this.withInhibitors.add(open);
    }
    for (const s of silences) this.addSilenceQuietly(s);
  }

  openIncidents(): IncidentSummary[] {
    return [...this.open.values()].map((o) => o.summary);
  }

  get(id: string): { summary: IncidentSummary; alerts: IncidentAlert[]; quietSince?: number } | undefined {
    const o = this.open.get(id);
    return o
      ? { summary: o.summary, alerts: this.alertsOf(o), ...(o.quietSince !== undefined ? { quietSince: o.quietSince } : {}) }
      : undefined;
  }

  rawAlertsOf(id: string): (IncidentAlert & { raw: Alert })[] {
    return [...(this.open.get(id)?.alerts.values() ?? [])].map(({ all: _, inhibits: _i, ...a }) => a);
  }

  // ——— alerts ———

  alert(a: Alert, now: number): Effect[] {
    const out: Effect[] = [];
    const { key, labels } = groupOf(a, this.o.groupBy);
    let id = this.byFingerprint.get(a.fingerprint) ?? this.byGroup.get(key);
    let inc = id ? this.open.get(id) : undefined;
    if (!inc) {
      // A resolved alert with no open incident: its incident was resolved already (by a person, or after the quiet).
      if (a.status !== "firing") return out;
      inc = this.create(a, key, labels, now);
      id = inc.summary.id;
      out.push(this.entry(inc, now, "opened", this.self, a.summary, { fingerprint: a.fingerprint, rule: a.rule }));
      out.push({ kind: "opened", incident: inc.summary, alert: a });
    }
    const prev = inc.alerts.get(a.fingerprint);
    const firingNow = a.status === "firing";
    // Most alerts are reminders of one already firing: only its last-seen time changes.
    if (prev && prev.status === a.status && prev.severity === a.severity) {
      inc.alerts.set(a.fingerprint, { ...prev, lastSeen: isoOf(now), raw: a });
      return out;
    }
    const entry: Held = {
      fingerprint: a.fingerprint,
      rule: a.rule,
      severity: a.severity,
      status: a.status,
      summary: a.summary,
      labels: a.labels,
      since: prev && prev.status === a.status ? prev.since : isoOf(now),
      lastSeen: isoOf(now),
      fired: (prev?.fired ?? 0) + (firingNow && prev?.status !== "firing" ? 1 : 0) || 1,
      raw: a,
      all: alertLabels(a),
      inhibits: prev?.inhibits ?? this.inhibitor.isSource(alertLabels(a)),
    };
    if (prev?.inhibitedBy && firingNow) entry.inhibitedBy = prev.inhibitedBy;
    if (prev?.silencedBy && firingNow) entry.silencedBy = prev.silencedBy;
    inc.alerts.set(a.fingerprint, entry);
    if (entry.inhibits) this.withInhibitors.add(inc);
    this.byFingerprint.set(a.fingerprint, inc.summary.id);
    if (firingNow) {
      inc.quietSince = undefined;
      if (prev && prev.status !== "firing")
        out.push(
          this.entry(inc, now, "alert-firing", this.self, `${a.summary} (fired again: ${entry.fired} times)`, {
            fingerprint: a.fingerprint,
          }),
        );
      else if (prev === undefined && inc.alerts.size > 1)
        out.push(this.entry(inc, now, "alert-firing", this.self, a.summary, { fingerprint: a.fingerprint }));
    } else if (prev?.status === "firing") {
      out.push(this.entry(inc, now, "alert-resolved", this.self, a.summary, { fingerprint: a.fingerprint }));
      if ([...inc.alerts.values()].every((x) => x.status === "resolved")) inc.quietSince = now;
    }
    this.updateSeverity(inc, now, out);
    // An alert that can inhibit others changes theirs too; any other only its own.
    out.push(...(entry.inhibits ? this.suppressions(now) : this.suppressions(now, inc, a.fingerprint)));
    this.refreshCounts(inc);
    // Critical incidents reach people at once; others after the group wait (tick).
    if (firingNow && inc.summary.severity === "critical" && !inc.summary.notifiedAt) out.push(...this.notifyOpened(inc, now));
    out.push(...this.escalate(inc.summary.host, now));
    return out;
  }

  /** Host metrics seen from a host: a silent host that speaks again resolves its host-silent alert. */
  hostSeen(host: string, now: number): Effect[] {
    const h = this.hostsSeen.get(host);
    this.hostsSeen.set(host, { last: now, silent: false });
    return h?.silent ? this.alert(this.hostSilentAlert(host, "resolved", h.last, now), now) : [];
  }

  // ——— the clock ———

  tick(now: number): Effect[] {
    const out: Effect[] = [];
    for (const [host, h] of this.hostsSeen) {
      if (!h.silent && now - h.last >= this.o.hostSilentAfterMs) {
        h.silent = true;
        out.push(...this.alert(this.hostSilentAlert(host, "firing", h.last, now), now));
      }
    }
    const silenceChanges: Effect[] = [];
    for (const s of this.silences.values()) silenceChanges.push(...this.silenceTransitions(s, now));
    out.push(...silenceChanges);
    // Only a silence that started or ended changes what is silenced (alerts recompute their own as they arrive).
    if (silenceChanges.length > 0) out.push(...this.suppressions(now));
    for (const inc of [...this.open.values()]) {
      // Critical ones do not wait for their group: one that was silenced or inhibited notifies once that ends.
      const waited = inc.summary.severity === "critical" || now - inc.openedMs >= this.o.groupWaitMs;
      if (!inc.summary.notifiedAt && waited && this.notifiable(inc)) {
        out.push(...this.notifyOpened(inc, now));
      } else if (
        inc.summary.notifiedAt &&
        !inc.summary.acknowledged &&
        now - (inc.lastNotifiedAt ?? 0) >= this.o.repeatIntervalMs &&
        this.notifiable(inc)
      ) {
        inc.lastNotifiedAt = now;
        out.push(this.notify(inc, now, "repeat", `still open since ${inc.summary.openedAt}, not acknowledged`, false));
      }
      if (inc.quietSince !== undefined && now - inc.quietSince >= this.o.resolveAfterMs) {
        out.push(...this.close(inc, now, this.self, `every alert resolved for ${Math.round(this.o.resolveAfterMs / 1000)} s`));
      }
    }
    return out;
  }

  // ——— people and the worker ———

  acknowledge(id: string, by: string, note: string | undefined, now: number): Effect[] {
    const inc = this.require(id);
    if (inc.summary.acknowledged) return [];
    inc.summary = { ...inc.summary, acknowledged: { at: isoOf(now), by, ...(note ? { note } : {}) } };
    return [this.entry(inc, now, "acknowledged", { kind: "person", name: by }, note ?? "acknowledged")];
  }

  note(id: string, by: Actor, note: string, prevention: boolean, now: number): Effect[] {
    const inc = this.require(id);
    if (prevention) inc.summary = { ...inc.summary, prevention: note };
    return [this.entry(inc, now, prevention ? "prevention" : "note", by, note)];
  }

  transition(id: string, state: IncidentState, by: Actor, note: string, now: number): Effect[] {
    const inc = this.open.get(id);
    if (!inc || inc.summary.state === state) return [];
    if (state === "resolved") return this.close(inc, now, by, note);
    inc.summary = { ...inc.summary, state };
    return [this.entry(inc, now, "state", by, note, { state })];
  }

  /** Any other timeline entry the shell records: a likely cause, a runbook step, an approval, an escalation. */
  record(
    id: string,
    kind: TimelineKind,
    by: Actor,
    note: string,
    now: number,
    data?: Record<string, unknown>,
    patch?: Partial<IncidentSummary>,
  ): Effect[] {
    const inc = this.open.get(id);
    if (!inc) return [];
    if (patch) inc.summary = { ...inc.summary, ...patch };
    const out = [this.entry(inc, now, kind, by, note, data)];
    if (kind === "escalated") out.push(this.notify(inc, now, "escalated", note, true));
    return out;
  }

  // ——— silences ———

  addSilence(s: Silence, now: number): Effect[] {
    this.addSilenceQuietly(s);
    return [...this.silenceTransitions(this.silences.get(s.id)!, now), ...this.suppressions(now)];
  }

  /** Ends a silence now; the effects are what it no longer silences (their notifications on the next tick). */
  expireSilence(id: string, now: number): { silence: Silence; effects: Effect[] } | undefined {
    const s = this.silences.get(id);
    if (!s) return undefined;
    const expired = { ...s, expiredAt: isoOf(now) };
    this.silences.set(id, { ...expired, announced: "ended" });
    return { silence: expired, effects: this.suppressions(now) };
  }

  silencesList(): Silence[] {
    return [...this.silences.values()].map(({ announced: _, ...s }) => s);
  }

  isStale(s: Silence, now: number): boolean {
    return silenceActive(s, now) && now - Date.parse(s.lastMatchedAt ?? s.startsAt) >= this.o.silenceStaleAfterMs;
  }

  // ——— inside ———

  private held(a: IncidentAlert, raw: Alert): Held {
    const all = alertLabels(raw);
    return { ...a, raw, all, inhibits: this.inhibitor.isSource(all) };
  }

  private create(a: Alert, groupKey: string, group: Record<string, string>, now: number): Open {
    const id = `inc-${compactTime(new Date(now))}-${slugOf(objectOf(a).value)}-${this.random()}`;
    const summary: IncidentSummary = {
      id,
      title: a.summary,
      host: a.host,
      group,
      severity: a.severity,
      state: "detected",
      openedAt: isoOf(now),
      firing: 1,
      alertCount: 1,
      rules: [a.rule],
    };
    const inc: Open = { summary, alerts: new Map(), groupKey, openedMs: now };
    this.track(inc);
    return inc;
  }

  private track(inc: Open): void {
    this.open.set(inc.summary.id, inc);
    this.byGroup.set(inc.groupKey, inc.summary.id);
    let set = this.byHost.get(inc.summary.host);
    if (!set) this.byHost.set(inc.summary.host, (set = new Set()));
    set.add(inc);
  }

  private untrack(inc: Open): void {
    this.open.delete(inc.summary.id);
    this.byGroup.delete(inc.groupKey);
    this.withInhibitors.delete(inc);
    const set = this.byHost.get(inc.summary.host);
    set?.delete(inc);
    if (set?.size === 0) this.byHost.delete(inc.summary.host);
  }

  private alertsOf(inc: Open): IncidentAlert[] {
    return [...inc.alerts.values()].map(({ raw: _, all: _a, inhibits: _i, ...a }) => a);
  }

  private refreshCounts(inc: Open): void {
    const all = [...inc.alerts.values()];
    inc.summary = {
      ...inc.summary,
      firing: all.filter((a) => a.status === "firing").length,
      alertCount: all.length,
      rules: [...new Set(all.map((a) => a.rule))].sort(),
    };
  }

  private entry(inc: Open, now: number, kind: TimelineKind, actor: Actor, note: string, data?: Record<string, unknown>): Effect {
    this.refreshCounts(inc);
    const entry: TimelineEntry = { at: isoOf(now), kind, actor, note, ...(data ? { data } : {}) };
    return { kind: "entry", incident: inc.summary, alerts: this.alertsOf(inc), entry, publish: !LOCAL.has(kind) };
  }

  private updateSeverity(inc: Open, now: number, out: Effect[]): void {
    let sev = inc.summary.severity;
    for (const a of inc.alerts.values()) sev = maxSeverity(sev, a.severity);
    if (sev !== inc.summary.severity) {
      inc.summary = { ...inc.summary, severity: sev };
      out.push(this.entry(inc, now, "severity", this.self, `severity ${sev}: an alert of that severity joined`, { severity: sev }));
    }
  }

  /** Raises the severity of a host's incidents when the rule's label takes enough distinct values among its firing alerts. */
  private escalate(host: string, now: number): Effect[] {
    const out: Effect[] = [];
    for (const { rule, match } of this.escalations) {
      const incidents = this.byHost.get(host) ?? [];
      const values = new Set<string>();
      const involved: Open[] = [];
      for (const inc of incidents) {
        let hit = false;
        for (const a of inc.alerts.values()) {
          if (a.status === "firing" && match(a.all) && a.all[rule.distinct] !== undefined) {
            values.add(a.all[rule.distinct]!);
            hit = true;
          }
        }
        if (hit) involved.push(inc);
      }
      if (values.size < rule.atLeast) continue;
      for (const inc of involved) {
        if (severityRank[inc.summary.severity] >= severityRank[rule.to]) continue;
        inc.summary = { ...inc.summary, severity: rule.to };
        const why = `severity ${rule.to} by rule ${rule.name}: ${values.size} ${rule.distinct}s of ${host} are failing (${[...values].sort().join(", ")})`;
        out.push(this.entry(inc, now, "severity", { kind: "policy", name: rule.name }, why, { severity: rule.to, rule: rule.name }));
        if (inc.summary.notifiedAt) out.push(this.notify(inc, now, "escalated", why, false));
        else if (rule.to === "critical" && this.notifiable(inc)) out.push(...this.notifyOpened(inc, now));
      }
    }
    return out;
  }

  /**
   * Recomputes which alerts are inhibited or silenced — all of them, or one — and records each
   * change once.
   */
  private suppressions(now: number, only?: Open, fingerprint?: string): Effect[] {
    const out: Effect[] = [];
    const firing: { fingerprint: string; labels: Record<string, string> }[] = [];
    // Only alerts that can inhibit are candidates: thousands of open incidents cost nothing here.
    for (const inc of this.withInhibitors)
      for (const a of inc.alerts.values())
        if (a.status === "firing" && a.inhibits) firing.push({ fingerprint: a.fingerprint, labels: a.all });
    for (const inc of only ? [only] : this.open.values()) {
      for (const [fp, a] of inc.alerts) {
        if (a.status !== "firing" || (fingerprint !== undefined && fp !== fingerprint)) continue;
        const inhibitedBy = this.inhibitor.inhibitorOf(fp, a.all, firing);
        const silencedBy = this.silenceOf(a.all, now);
        if (inhibitedBy !== a.inhibitedBy) {
          if (inhibitedBy)
            out.push(
              this.entry(inc, now, "inhibited", this.self, `${a.summary}: inhibited by ${inhibitedBy}`, {
                fingerprint: fp,
                by: inhibitedBy,
              }),
            );
          const next = { ...a };
          if (inhibitedBy) next.inhibitedBy = inhibitedBy;
          else delete next.inhibitedBy;
          inc.alerts.set(fp, next);
        }
        const cur = inc.alerts.get(fp)!;
        if (silencedBy !== cur.silencedBy) {
          if (silencedBy) {
            out.push(
              this.entry(inc, now, "silenced", this.self, `${a.summary}: silenced by ${silencedBy}`, { fingerprint: fp, by: silencedBy }),
            );
            const s = this.silences.get(silencedBy)!;
            this.silences.set(silencedBy, { ...s, matched: s.matched + 1, lastMatchedAt: isoOf(now) });
          }
          const next = { ...cur };
          if (silencedBy) next.silencedBy = silencedBy;
          else delete next.silencedBy;
          inc.alerts.set(fp, next);
        }
      }
    }
    return out;
  }

  private silenceOf(labels: Record<string, string>, now: number): string | undefined {
    for (const s of this.silences.values()) if (silenceActive(s, now) && this.silenceMatchers.get(s.id)!(labels)) return s.id;
    return undefined;
  }

  private addSilenceQuietly(s: Silence): void {
    this.silences.set(s.id, { ...s });
    this.silenceMatchers.set(s.id, silenceMatcher(s));
  }

  private silenceTransitions(s: Silence & { announced?: "started" | "ended" | "stale" }, now: number): Effect[] {
    const out: Effect[] = [];
    const { announced: _, ...plain } = s;
    if (!s.announced && silenceActive(s, now)) {
      this.silences.set(s.id, { ...s, announced: "started" });
      out.push({ kind: "silence", change: "started", silence: plain });
    } else if (s.announced !== "ended" && !s.expiredAt && now >= Date.parse(s.endsAt)) {
      this.silences.set(s.id, { ...s, announced: "ended" });
      out.push({ kind: "silence", change: "ended", silence: plain });
    } else if (s.announced === "started" && this.isStale(s, now)) {
      this.silences.set(s.id, { ...s, announced: "stale" });
      out.push({ kind: "silence", change: "stale", silence: plain });
    }
    return out;
  }

  /** Something in it should reach a person: a firing alert neither inhibited nor silenced. */
  private notifiable(inc: Open): boolean {
    for (const a of inc.alerts.values()) if (a.status === "firing" && !a.inhibitedBy && !a.silencedBy) return true;
    return false;
  }

  private notifyOpened(inc: Open, now: number): Effect[] {
    if (!this.notifiable(inc)) return [];
    inc.summary = { ...inc.summary, notifiedAt: isoOf(now) };
    inc.lastNotifiedAt = now;
    const firing = [...inc.alerts.values()].filter((a) => a.status === "firing" && !a.inhibitedBy && !a.silencedBy);
    const text = firing.map((a) => a.summary).join("; ");
    return [this.notify(inc, now, "opened", text, false), this.entry(inc, now, "notified", this.self, `notified: ${text}`)];
  }

  private notify(inc: Open, now: number, kind: Notification["kind"], text: string, needsPerson: boolean): Effect {
    const s = inc.summary;
    return {
      kind: "notify",
      notification: { kind, incident: s, title: `[${s.severity}] ${s.host}: ${s.title}`, text, needsPerson, at: isoOf(now) },
    };
  }

  private close(inc: Open, now: number, by: Actor, note: string): Effect[] {
    inc.summary = { ...inc.summary, state: "resolved", resolvedAt: isoOf(now), resolution: note };
    const out: Effect[] = [this.entry(inc, now, "resolved", by, note)];
    if (inc.summary.notifiedAt) out.push(this.notify(inc, now, "resolved", note, false));
    this.untrack(inc);
    for (const fp of inc.alerts.keys()) if (this.byFingerprint.get(fp) === inc.summary.id) this.byFingerprint.delete(fp);
    return out;
  }

  private require(id: string): Open {
    const inc = this.open.get(id);
    if (!inc) throw new IncidentNotOpenError(id);
    return inc;
  }

  private hostSilentAlert(host: string, status: "firing" | "resolved", lastSeen: number, now: number): Alert {
    const quiet = Math.round((now - lastSeen) / 1000);
    return {
      fingerprint: `host-silent/${host}`,
      rule: "host-silent",
      host,
      status,
      severity: "critical",
      summary:
        status === "firing" ? `no host metrics from ${host} for ${quiet} s: its monitor is silent` : `host metrics from ${host} again`,
      source: "host.metrics",
      value: null,
      threshold: null,
      labels: {},
      startsAt: isoOf(lastSeen),
      ...(status === "resolved" ? { endsAt: isoOf(now) } : {}),
      repeat: 0,
    };
  }
}

export class IncidentNotOpenError extends Error {
  override readonly name = "IncidentNotOpenError";
  constructor(readonly id: string) {
    super(`incident ${id} is not open`);
  }
}
