import { allEndpoints, endpointForSubject, parseSubject, type EndpointDescriptor } from "@lag/contracts";
import { UsageError } from "./errors.ts";

export interface Target {
  endpoint: EndpointDescriptor;
  /** Values of the endpoint subject's `{tokens}`, read from the subject typed. */
  tokens: Record<string, string>;
}

/** The contract of the endpoint at this subject; an unknown subject lists the ones that exist. */
export function endpointTarget(subject: string): Target {
  const endpoint = endpointForSubject(subject);
  if (!endpoint) {
    const known = allEndpoints();
    const w = Math.max(...known.map((e) => e.subject.length));
    throw new UsageError(
      [
        `req: no service endpoint has subject ${subject}. The contracts know these (a {token} is a value you fill in):`,
        ...known.map((e) => `  ${e.subject.padEnd(w)}  ${e.service}: ${firstSentence(e.description)}`),
      ].join("\n"),
    );
  }
  return { endpoint, tokens: parseSubject(endpoint.subject, subject) ?? {} };
}

function firstSentence(s: string): string {
  const i = s.search(/[.;](\s|$)/);
  return i > 0 ? s.slice(0, i) : s;
}
