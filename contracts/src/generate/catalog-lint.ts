import type { Principal } from "../principals.ts";
import { principalNames } from "../principals.ts";
import { filterSubject, filtersOverlap, renderSubject, templateTokens } from "../subject.ts";
import { agentOf, endpointsOf, expand, storedSubjects, type Catalog } from "./catalog-view.ts";

/** `es.lagrieta.<agent>.<domain>….v<major>` */
const EVENT_TYPE = /^es\.lagrieta\.[a-z0-9-]+(\.[a-z0-9-]+)+\.v[0-9]+$/;

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function principalProblems(cat: Catalog): string[] {
  const out: string[] = [];
  const known = (where: string, who: "all" | readonly string[]) => {
    for (const p of who === "all" ? [] : who) {
      if (!principalNames.includes(p as Principal))
        out.push(`${where} names unknown principal "${p}": add it to PRINCIPALS in contracts/src/principals.ts`);
    }
  };
  for (const e of cat.events) known(`event ${e.type}`, [e.publisher, ...(e.audience === "all" ? [] : e.audience)]);
  for (const s of cat.services) known(`service ${s.name}`, [s.server, ...(s.callers === "all" ? [] : s.callers)]);
  for (const c of cat.consumers) known(`consumer ${c.durable}`, [c.principal]);
  return out;
}

function eventProblems(cat: Catalog): string[] {
  const out: string[] = [];
  // One type on several subjects is fine when it is one schema (one event per requesting principal).
  for (const t of duplicates(cat.events.map((e) => e.type))) {
    const same = cat.events.filter((e) => e.type === t);
    if (same.some((e) => e.schema !== same[0]!.schema || (e.subject === same[0]!.subject && e !== same[0])))
      out.push(`event type ${t} is declared twice`);
  }
  for (const e of cat.events) {
    if (!EVENT_TYPE.test(e.type)) out.push(`event type ${e.type} is not es.lagrieta.<agent>.<…>.v<N>`);
    const prefix = `lag.${agentOf(e.publisher)}.`;
    if (!e.subject.startsWith(prefix))
      out.push(`event ${e.type}: subject ${e.subject} must start with ${prefix} (its publisher is ${e.publisher})`);
    const fromData = Object.keys(e.tokens(e.example)).sort();
    const inTemplate = templateTokens(e.subject).sort();
    if (JSON.stringify(fromData) !== JSON.stringify(inTemplate)) {
      out.push(`event ${e.type}: tokens() gives {${fromData.join(", ")}} but the subject has {${inTemplate.join(", ")}}`);
    } else {
      try {
        renderSubject(e.subject, e.tokens(e.example) as Record<string, string>);
      } catch (err) {
        out.push(`event ${e.type}: the example does not render a subject: ${(err as Error).message}`);
      }
    }
    if (e.stream && !cat.streams.some((s) => s.name === e.stream!.name))
      out.push(`event ${e.type}: stream ${e.stream.name} is not in catalog.streams`);
    if (e.audience !== "all" && e.audience.length === 0) {
      out.push(`event ${e.type}: nobody may read it (empty audience)`);
    }
  }
  return out;
}

function subjectProblems(cat: Catalog): string[] {
  const out: string[] = [];
  const endpoints = endpointsOf(cat);
  const templates = [...cat.events.map((e) => e.subject), ...endpoints.map((e) => e.subject)];
  for (const s of duplicates(templates)) out.push(`subject ${s} is declared twice`);
  const filters = templates.map((t) => filterSubject(t));
  for (let i = 0; i < filters.length; i++) {
    for (let j = i + 1; j < filters.length; j++) {
      if (templates[i] !== templates[j] && filtersOverlap(filters[i]!, filters[j]!)) {
        out.push(`subjects ${templates[i]} and ${templates[j]} can match the same concrete subject`);
      }
    }
  }
  for (const ep of endpoints) {
    const prefix = `lag.${agentOf(ep.server)}.`;
    if (!ep.subject.startsWith(prefix)) out.push(`endpoint ${ep.subject} must start with ${prefix} (served by ${ep.server})`);
    for (const st of cat.streams) {
      for (const captured of storedSubjects(cat, st)) {
        // A stream answers core requests on subjects it captures: the caller would get a PubAck.
        if (filtersOverlap(filterSubject(ep.subject), captured)) {
          out.push(`endpoint ${ep.subject} overlaps ${captured} of stream ${st.name}: move it out of the stream's subjects`);
        }
      }
    }
  }
  return out;
}

function streamAndConsumerProblems(cat: Catalog): string[] {
  const out: string[] = [];
  for (const n of duplicates(cat.streams.map((s) => s.name))) out.push(`stream ${n} is declared twice`);
  for (const d of duplicates(cat.consumers.map((c) => `${c.stream.name}/${c.durable}`))) out.push(`consumer ${d} is declared twice`);
  for (const s of cat.streams) if (storedSubjects(cat, s).length === 0) out.push(`stream ${s.name} captures no subject: no event names it`);
  for (const c of cat.consumers) {
    if (!cat.streams.some((s) => s.name === c.stream.name))
      out.push(`consumer ${c.durable}: stream ${c.stream.name} is not in catalog.streams`);
    if (c.events.length === 0) out.push(`consumer ${c.durable} reads no event`);
    for (const e of c.events) {
      if (e.stream?.name !== c.stream.name) {
        out.push(
          `consumer ${c.durable} reads ${e.type}, which is stored in ${e.stream?.name ?? "no stream (core NATS)"}, not in ${c.stream.name}`,
        );
      }
      if (!expand(e.audience).includes(c.principal)) out.push(`consumer ${c.durable}: ${c.principal} is not in the audience of ${e.type}`);
    }
    if (c.maxDeliver < 1) out.push(`consumer ${c.durable}: maxDeliver must be at least 1`);
  }
  return out;
}

/**
 * Everything that makes a catalog inconsistent, one line each naming the contract to fix. `pnpm gen`
 * refuses to generate from a catalog with problems, and a test keeps the real one at zero.
 */
export function catalogProblems(cat: Catalog): string[] {
  return [...principalProblems(cat), ...eventProblems(cat), ...subjectProblems(cat), ...streamAndConsumerProblems(cat)];
}
