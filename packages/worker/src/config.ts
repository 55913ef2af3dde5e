import { z } from "zod";
import { CommonConfig } from "@lag/config";
import { PRINCIPALS } from "@lag/contracts";

type Common = z.infer<typeof CommonConfig>;

/**
 * The top-level sections of the configuration file: the launcher's, and one per agent that the
 * contracts name (`it`, `ceo`, `media`, `ops`). A top-level key outside these is a typo, reported
 * with a did-you-mean by every process.
 */
export const TOP_LEVEL_SECTIONS: readonly string[] = ["launcher", ...new Set(Object.values(PRINCIPALS).map((p) => p.agent))];

/** Where a worker's settings live in the file, and the schema its whole process validates. */
export interface ConfigSection<T> {
  /** `["it", "monitor"]`, or `["ceo"]` for an agent that is one process. */
  readonly path: readonly string[];
  /** Common settings, this agent's whole section (strictly), the other sections accepted as they are. */
  readonly processSchema: z.ZodType<Common>;
  /** This worker's part of a parsed configuration. */
  pick(config: Common): T;
}

/** The other top-level sections, accepted as they are: each belongs to another process. */
function othersThan(agent: string): Record<string, z.ZodOptional<z.ZodUnknown>> {
  return Object.fromEntries(TOP_LEVEL_SECTIONS.filter((s) => s !== agent).map((s) => [s, z.unknown().optional()]));
}

function processSchema(agent: string, section: z.ZodType): z.ZodType<Common> {
  if (!TOP_LEVEL_SECTIONS.includes(agent))
    throw new Error(`config section ${agent} is not an agent of the contracts (${TOP_LEVEL_SECTIONS.join(", ")})`);
  return CommonConfig.extend({ ...othersThan(agent), [agent]: section }) as unknown as z.ZodType<Common>;
}

/**
 * An agent whose processes each own a sub-section (`it.monitor`, `it.backup` …). Every process of
 * the agent validates the whole agent section, so a typo in any sub-section (`it.monitr`) is
 * reported with its line and a did-you-mean, whichever process reads it. Every sub-section is
 * optional: a missing one is its defaults (`.prefault({})`, the one defaults idiom).
 */
export function agentConfig<const W extends Record<string, z.ZodType>>(
  agent: string,
  workers: W,
  /**
   * Settings one worker takes from another's when not given (the incident worker acts on the host the
   * monitor watches): applied after validation.
   */
  derive?: (section: { [K in keyof W]: z.output<W[K]> }) => { [K in keyof W]: z.output<W[K]> },
) {
  const shape = Object.fromEntries(Object.entries(workers).map(([k, s]) => [k, s.prefault({} as never)])) as unknown as W;
  const strict = z.strictObject(shape).prefault({} as never);
  const schema = derive ? strict.transform((s) => derive(s as never)) : strict;
  const whole = processSchema(agent, schema);
  return {
    agent,
    schema,
    section<K extends keyof W & string>(key: K): ConfigSection<z.output<W[K]>> {
      return {
        path: [agent, key],
        processSchema: whole,
        pick: (c) => (c as unknown as Record<string, Record<string, z.output<W[K]>>>)[agent]![key]!,
      };
    },
  };
}

/** An agent that is one process: its section is the worker's (`ceo:`, `media:`). */
export function singleSection<S extends z.ZodType>(agent: string, schema: S): ConfigSection<z.output<S>> {
  return {
    path: [agent],
    processSchema: processSchema(agent, schema.prefault({} as never)),
    pick: (c) => (c as unknown as Record<string, z.output<S>>)[agent]!,
  };
}
