import { z } from "zod";

/**
 * The configuration file is one document for the whole system. Each process validates the common
 * part and its own section strictly; the other sections belong to other processes (the launcher
 * validates them all before it starts anything). A top-level key outside this list is a typo.
 */
export const TOP_LEVEL_SECTIONS = ["launcher", "it", "ceo", "media"] as const;
export type Section = (typeof TOP_LEVEL_SECTIONS)[number];

/**
 * The sections a process does not own, accepted as they are:
 * `CommonConfig.extend({ ...otherSections("ceo"), ceo: CeoConfig.default({}) })`.
 */
export function otherSections(own: Section): Record<string, z.ZodOptional<z.ZodUnknown>> {
  return Object.fromEntries(TOP_LEVEL_SECTIONS.filter((s) => s !== own).map((s) => [s, z.unknown().optional()]));
}
