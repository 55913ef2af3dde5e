import { z } from "zod";
import { duration } from "@lag/config";
import { singleSection } from "@lag/worker";

export const Role = z.enum(["viewer", "approver", "admin"]);
export type Role = z.infer<typeof Role>;

const Bind = (port: number) =>
  z.strictObject({ host: z.string().min(1).default("127.0.0.1"), port: z.number().int().min(0).max(65535).default(port) }).prefault({});

export const DashboardUser = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, . _ and -"),
  role: Role,
  /** An argon2id hash (`lag user add NAME --role ROLE` writes one), never the password. */
  password: z.string().startsWith("$argon2id$", "an argon2id hash ($argon2id$…): `lag user add` makes one"),
});
export type DashboardUser = z.infer<typeof DashboardUser>;

/** The status page (`dashboard:`): where it listens, who may log in, sessions, login limits, the metrics endpoint. */
export const DashboardConfig = z
  .strictObject({
    listen: Bind(8080),
    /** The address people open (links in mails, the URL `npm start` prints); default from `listen`. */
    publicUrl: z.url().optional(),
    /** Behind a TLS-terminating proxy: trust its X-Forwarded-Proto / X-Forwarded-For. */
    trustProxy: z.boolean().default(false),
    /** Mark cookies Secure: `auto` when the request came over TLS (directly or, with trustProxy, through the proxy). */
    secureCookies: z.enum(["auto", "always", "never"]).default("auto"),
    users: z.array(DashboardUser).default([]),
    session: z.strictObject({ ttl: duration.default(12 * 3_600_000), idle: duration.default(2 * 3_600_000) }).prefault({}),
    /** Wrong passwords: at most `maxFailures` per user name and `maxFailuresPerAddress` per client address within `window`, then 429 until it passes. */
    login: z
      .strictObject({
        maxFailures: z.number().int().positive().default(5),
        maxFailuresPerAddress: z.number().int().positive().default(20),
        window: duration.default(15 * 60_000),
      })
      .prefault({}),
    /** Prometheus text format, without login, on its own address (keep it off the public one). */
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true),
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(9464),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.users.forEach((u, i) => {
      if (seen.has(u.name)) ctx.addIssue({ code: "custom", message: `the user ${u.name} is listed twice`, path: ["users", i, "name"] });
      seen.add(u.name);
    });
  });
export type DashboardConfig = z.infer<typeof DashboardConfig>;

export const dashboardConfig = singleSection("dashboard", DashboardConfig);
