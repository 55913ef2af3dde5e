import { z } from "zod";
import { singleSection } from "@lag/worker";

/** CEO_LAG's section (`ceo:`); approvals and reports add their settings here. */
export const CeoConfig = z.strictObject({});

export const ceoConfig = singleSection("ceo", CeoConfig);
