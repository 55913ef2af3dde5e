import { Alert } from "@lag/contracts";
import type { Sample } from "../samples.ts";
import { compileRule, type CompiledRule } from "./compile.ts";
import { evaluate } from "./engine.ts";
import { RuleConfig, type RuleInput } from "./rule-config.ts";
import { emptyState, type RuleState } from "./state.ts";

/**
 * What the rule tests share: a clock they move by hand and a monitor loop around the pure engine
 * that checks every alert it emits against the contract. Imported by tests only.
 */
export const T0 = Date.parse("2026-11-23T06:00:00.000Z");
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export function rule(input: RuleInput): CompiledRule {
  return compileRule(RuleConfig.parse(input));
}

export const sample = (metric: string, value: number, labels: Record<string, string> = {}): Sample => ({ metric, labels, value });
export const disk = (pct: number, mount = "/mnt/storage", role?: string): Sample =>
  sample("fs.used_pct", pct, role ? { mount, role } : { mount });

export class Monitor {
  state: RuleState = emptyState();
  now = T0;
  /** Every alert emitted so far, in order. */
  readonly log: Alert[] = [];

  constructor(
    public rules: CompiledRule[],
    readonly host = "kronos",
  ) {}

  /** Evaluates at the current time, then moves the clock on by `advance`; returns what was emitted. */
  tick(samples: readonly Sample[], advance = 10 * SECOND): Alert[] {
    const out = evaluate(this.state, this.rules, samples, new Date(this.now), this.host);
    for (const a of out.alerts) Alert.parse(a);
    this.state = out.state;
    this.log.push(...out.alerts);
    this.now += advance;
    return out.alerts;
  }

  /** Runs `samples(i)` every `every` ms for `duration` ms; returns what was emitted. */
  run(duration: number, samples: (i: number) => readonly Sample[], every = 10 * SECOND): Alert[] {
    const emitted: Alert[] = [];
    const end = this.now + duration;
    for (let i = 0; this.now < end; i++) emitted.push(...this.tick(samples(i), every));
    return emitted;
  }

  /** As after a restart: the state goes through JSON, as it does through the store. */
  roundTrip(): void {
    this.state = JSON.parse(JSON.stringify(this.state)) as RuleState;
  }
}

export const iso = (t: number) => new Date(t).toISOString();
