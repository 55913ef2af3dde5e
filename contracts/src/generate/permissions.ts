import { deployedPrincipals, inboxPrefixOf, PRINCIPALS, type Principal } from "../principals.ts";
import { dlqSubject, isDlqStream } from "../streams.ts";
import { filterSubject } from "../subject.ts";
import { bySubject, deployedOnly, endpointsCallableBy, endpointsOf, eventsReadBy, streamsUsedBy, type Catalog } from "./catalog-view.ts";
import {
  accountInfo,
  deadLetterClearing,
  durableConsumer,
  othersDurable,
  streamInfo,
  streamListing,
  streamProvisioning,
  streamReading,
  wholeApi,
} from "./jetstream-api.ts";

/** A run of subjects with the reason they are allowed (written as a comment in the config). */
export interface SubjectGroup {
  why: string;
  subjects: string[];
}

export interface UserPermissions {
  user: string;
  description: string;
  /** The environment variable nats-server reads the password from. */
  passwordEnv: string;
  publish: SubjectGroup[];
  /** Subjects refused even where an allow matches (the operator may read streams, never drive another's consumer). */
  publishDeny: SubjectGroup[];
  subscribe: SubjectGroup[];
  /** May answer requests it received (services), on whatever inbox the caller named. */
  /**
   * Replies allowed per request received, 0 for none. A process serving N services answers a
   * `$SRV.INFO` discovery request N times on the same reply subject (one per service), so a plain
   * `allow_responses: true` (one reply) would hide all but one from `nats micro ls`.
   */
  allowResponses: number;
}

/**
 * The user for hand-made changes the agents never need: deleting or purging streams, deleting
 * consumers, raising replicas when moving to a cluster. Agents provision their own streams and
 * consumers with the precise grants below, so nothing runs as admin day to day.
 */
export const ADMIN_USER = "admin";

/** The CLI and the standard `nats` tool act as this principal. */
const OPERATOR: Principal = "cli";

/** The status page: it counts the running services and the streams' messages for its metrics, and changes nothing. */
const OBSERVER: Principal = "dashboard";

export function passwordEnvOf(user: string): string {
  return `LAG_NATS_PASSWORD_${user.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

const group = (why: string, subjects: string[]): SubjectGroup[] => (subjects.length > 0 ? [{ why, subjects: [...new Set(subjects)] }] : []);

function publishOf(cat: Catalog, p: Principal): SubjectGroup[] {
  const operator = p === OPERATOR;
  const events = bySubject(cat.events.filter((e) => e.publisher === p));
  const calls = operator ? bySubject(endpointsOf(cat)) : bySubject(endpointsCallableBy(cat, p));
  const owned = cat.streams.filter((s) => s.owner === p);
  const used = streamsUsedBy(cat, p).filter((s) => s.owner !== p);
  const durables = cat.consumers.filter((c) => c.principal === p);
  const callable = operator ? [] : [...new Set(endpointsCallableBy(cat, p).map((e) => e.service))].sort();
  return [
    ...group(
      "events it publishes",
      events.map((e) => filterSubject(e.subject)),
    ),
    ...group(
      "services it may call",
      calls.map((e) => filterSubject(e.subject)),
    ),
    ...group("its own dead letters", [dlqSubject(p, ">")]),
    ...group("service discovery: `nats micro ls`, `lag services`", operator ? ["$SRV.>"] : []),
    ...group(
      "service discovery and every stream's figures, read only, for the status page's metrics",
      p === OBSERVER ? ["$SRV.>", ...streamListing, ...cat.streams.map(streamInfo)] : [],
    ),
    ...group(
      "JetStream, read only: the durable streams, for an incident's whole chain on the page (as `lag trace`)",
      p === OBSERVER ? cat.streams.filter((s) => !isDlqStream(s.name)).flatMap(streamReading) : [],
    ),
    ...group(
      "waiting at start for the services it calls ($SRV.PING)",
      callable.map((name) => `$SRV.PING.${name}`),
    ),
    ...group("JetStream: account info, then the streams it owns (its dead letters included), created or put back to the contract", [
      accountInfo,
      ...owned.flatMap(streamProvisioning),
    ]),
    ...group("JetStream: the streams it writes or reads but others own, looked up only (never changed)", used.map(streamInfo)),
    ...durables.flatMap((c) => group(`JetStream: its durable consumer ${c.durable} on ${c.stream.name}`, durableConsumer(c))),
    ...group(
      "JetStream, read only: stream info and messages, ephemeral and ordered consumers (`lag dlq`, `nats stream view`)",
      operator ? [...streamListing, ...cat.streams.flatMap(streamReading)] : [],
    ),
    ...group(
      "JetStream: clearing dead letters once dealt with (`lag dlq rm`, `lag dlq purge`)",
      operator ? cat.streams.filter((s) => isDlqStream(s.name)).flatMap(deadLetterClearing) : [],
    ),
  ];
}

/** The operator reads streams through ephemeral consumers; it may not redefine or pull from anyone's durable one. */
function publishDenyOf(cat: Catalog, p: Principal): SubjectGroup[] {
  if (p !== OPERATOR) return [];
  return group(
    "JetStream: every principal's durable consumers, which only their owner may create, change or pull from",
    cat.consumers.filter((c) => c.principal !== p).flatMap(othersDurable),
  );
}

function subscribeOf(cat: Catalog, p: Principal): SubjectGroup[] {
  const inbox = group("its own reply inbox (JetStream and service replies, consumer deliveries)", [`${inboxPrefixOf(p)}.>`]);
  if (p === OPERATOR) return [...group("the operator reads everything: `nats sub '>'`, `lag tail`", [">"]), ...inbox];
  const served = bySubject(endpointsOf(cat).filter((e) => e.server === p));
  return [
    ...group(
      "events addressed to it",
      bySubject(eventsReadBy(cat, p)).map((e) => filterSubject(e.subject)),
    ),
    ...group(
      "services it serves",
      served.map((e) => filterSubject(e.subject)),
    ),
    ...group("service discovery requests ($SRV.PING/INFO/STATS) for its services", served.length > 0 ? ["$SRV.>"] : []),
    ...inbox,
  ];
}

/** Drops a subject already allowed by an earlier group, and groups left empty. */
function once(groups: SubjectGroup[]): SubjectGroup[] {
  const seen = new Set<string>();
  return groups
    .map((g) => ({
      why: g.why,
      subjects: g.subjects.filter((s) => {
        if (seen.has(s)) return false;
        seen.add(s);
        return true;
      }),
    }))
    .filter((g) => g.subjects.length > 0);
}

function servesAny(cat: Catalog, p: string): boolean {
  return cat.services.some((svc) => svc.server === p);
}

/** One user per deployed principal, in the order of PRINCIPALS, then the admin user. */
export function derivePermissions(all: Catalog): UserPermissions[] {
  const cat = deployedOnly(all);
  const users: UserPermissions[] = deployedPrincipals.map((p) => ({
    user: p,
    description: PRINCIPALS[p].description,
    passwordEnv: passwordEnvOf(p),
    publish: once(publishOf(cat, p)),
    publishDeny: publishDenyOf(cat, p),
    subscribe: once(subscribeOf(cat, p)),
    // One more than the services served: measured on nats-server 2.10 with two services on one
    // connection, max 2 let only one discovery reply through and max 3 let both.
    allowResponses: servesAny(cat, p) ? cat.services.filter((svc) => svc.server === p).length + 1 : 0,
  }));
  users.push({
    user: ADMIN_USER,
    description: "maintenance by hand (`nats stream rm/purge/edit`, replicas); used by no agent",
    passwordEnv: passwordEnvOf(ADMIN_USER),
    publish: group("the whole JetStream API and service discovery; still no event subject", [...wholeApi, "$SRV.>"]),
    publishDeny: [],
    subscribe: group("everything, and the `_INBOX.` of the standard nats CLI", [">"]),
    allowResponses: 0,
  });
  return users;
}
