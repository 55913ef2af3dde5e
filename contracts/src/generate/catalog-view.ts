import type { catalog } from "../catalog.ts";
import type { EndpointDescriptor, EventDescriptor, StreamDescriptor } from "../descriptors.ts";
import { deployedPrincipals, PRINCIPALS, principalNames, type Principal } from "../principals.ts";
import { filterSubject } from "../subject.ts";

/**
 * Read-only questions the generators ask of a catalog. Every generator is a pure function of a
 * catalog value (not of the module-level one), so a test can feed it any catalog.
 */
export type Catalog = typeof catalog;

export function endpointsOf(cat: Catalog): EndpointDescriptor[] {
  return cat.services.flatMap((s) => Object.values(s.endpoints));
}

/** Same rule as `streamSubjects` in catalog.ts, but over the given catalog. */
export function storedSubjects(cat: Catalog, stream: StreamDescriptor): string[] {
  if (stream.subjects) return [...stream.subjects];
  return cat.events.filter((e) => e.stream?.name === stream.name).map((e) => filterSubject(e.subject));
}

export function expand(who: "all" | readonly Principal[]): Principal[] {
  return who === "all" ? [...principalNames] : [...who];
}

export function agentOf(p: Principal): string {
  return PRINCIPALS[p].agent;
}

export function eventsReadBy(cat: Catalog, p: Principal): EventDescriptor[] {
  return cat.events.filter((e) => expand(e.audience).includes(p));
}

export function endpointsCallableBy(cat: Catalog, p: Principal): EndpointDescriptor[] {
  return endpointsOf(cat).filter((e) => expand(e.callers).includes(p));
}

/** The streams a principal writes to or reads from through its own durable consumers. */
export function streamsUsedBy(cat: Catalog, p: Principal): StreamDescriptor[] {
  const byName = new Map<string, StreamDescriptor>();
  for (const e of cat.events) if (e.stream && e.publisher === p) byName.set(e.stream.name, e.stream);
  for (const c of cat.consumers) if (c.principal === p) byName.set(c.stream.name, c.stream);
  return [...byName.values()];
}

/** "events/endpoints…" in a stable order: by subject template. */
export function bySubject<T extends { subject: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.subject.localeCompare(b.subject));
}

/**
 * A subject template as a name for files, `$id`s and AsyncAPI keys, which must be URI-safe:
 * `lag.it.monitor.status.{host}` → `lag.it.monitor.status._host_`.
 */
export function templateId(template: string): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, "_$1_");
}

/** The catalog without what only example principals publish, serve or consume: what a deployment grants. */
export function deployedOnly(cat: Catalog): Catalog {
  const deployed = (p: Principal) => deployedPrincipals.includes(p);
  return {
    streams: cat.streams.filter((s) => deployed(s.owner)),
    events: cat.events.filter((e) => deployed(e.publisher)),
    services: cat.services.filter((svc) => deployed(svc.server)),
    consumers: cat.consumers.filter((c) => deployed(c.principal)),
  };
}
