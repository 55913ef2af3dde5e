import type { Silence } from "@lag/contracts";
import { compileMatch, type LabelMatcher } from "../../label-match.ts";
import type { InhibitRule } from "./config.ts";

/** A silence is active in [startsAt, endsAt) unless it was expired by hand. */
export function silenceActive(s: Silence, now: number): boolean {
  return !s.expiredAt && Date.parse(s.startsAt) <= now && now < Date.parse(s.endsAt);
}

export function silenceMatcher(s: Silence): LabelMatcher {
  return compileMatch(s.matchers);
}

interface CompiledInhibit {
  source: LabelMatcher;
  target: LabelMatcher;
  equal: readonly string[];
  text: string;
}

/**
 * Inhibition as Alertmanager has it: a firing alert matching a rule's source suppresses the
 * notifications of alerts matching its target that share the `equal` labels. An alert never
 * inhibits itself. Pure.
 */
export class Inhibitor {
  private readonly rules: CompiledInhibit[];

  constructor(rules: readonly InhibitRule[]) {
    this.rules = rules.map((r) => ({
      source: compileMatch(r.source),
      target: compileMatch(r.target),
      equal: r.equal,
      text: `${JSON.stringify(r.source)} → ${JSON.stringify(r.target)}`,
    }));
  }

  /** The fingerprint of the firing alert that inhibits this one (its fingerprint and labels), if any. */
  inhibitorOf(
    fingerprint: string,
    target: Readonly<Record<string, string>>,
    firing: Iterable<{ fingerprint: string; labels: Readonly<Record<string, string>> }>,
  ): string | undefined {
    for (const r of this.rules) {
      if (!r.target(target)) continue;
      for (const s of firing) {
        if (s.fingerprint === fingerprint) continue;
        if (r.source(s.labels) && r.equal.every((l) => s.labels[l] === target[l])) return s.fingerprint;
      }
    }
    return undefined;
  }

  /** Whether an alert (its labels, as alertLabels gives them) could inhibit others, so a change of it may change theirs. */
  isSource(labels: Readonly<Record<string, string>>): boolean {
    return this.rules.some((r) => r.source(labels));
  }
}
