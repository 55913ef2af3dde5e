import { z } from "zod";
import { duration } from "./duration.ts";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export const LogConfig = z.strictObject({
  level: z.enum(LOG_LEVELS).default("info"),
});
export type LogConfig = z.infer<typeof LogConfig>;

export const DEFAULT_NATS_SERVER = "nats://127.0.0.1:4222";

/** `nats://a:4222,nats://b:4222` (the NATS_URL convention) or a list; always a list once parsed. */
const Servers = z
  .union([z.string(), z.array(z.string())], { error: "expected a server URL (nats://host:4222) or a list of them" })
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0))
  .refine((list) => list.length > 0, "list at least one server, e.g. nats://127.0.0.1:4222");

const TlsConfig = z.strictObject({
  /** CA that signed the server's certificate (a private CA). */
  caFile: z.string().min(1).optional(),
  /** Client certificate and key, when the server verifies clients. */
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
});

/**
 * How a process reaches NATS; parses to `NatsSettings` of @lag/bus. Secrets are meant to come from
 * the environment or files (`LAG__NATS__PASSWORD_FILE`, `NATS_CREDS`), not from the YAML file.
 */
export const NatsConfig = z
  .strictObject({
    servers: Servers.default([DEFAULT_NATS_SERVER]),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    token: z.string().min(1).optional(),
    /** An nkey seed (SU…) itself; prefer nkeyFile. */
    nkeySeed: z.string().min(1).optional(),
    nkeyFile: z.string().min(1).optional(),
    /** A `.creds` file (JWT + seed) for decentralised auth. */
    credsFile: z.string().min(1).optional(),
    tls: TlsConfig.optional(),
    /**
     * How often the client pings the server, and how many pings may go unanswered before it takes
     * the server for dead and moves on: 5 s × (2 + 1) notices a frozen node within 15 s.
     */
    pingInterval: duration.default(5_000),
    maxPingsOut: z.number().int().min(1).max(10).default(2),
    /** How long one dial may take (a frozen node accepts TCP and then says nothing). */
    connectTimeout: duration.default(5_000),
  })
  .superRefine((n, ctx) => {
    // nats.js sends a password only together with a user: alone it would be dropped without a word.
    if (n.password !== undefined && n.user === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["user"],
        message: "a password is set but no user; set nats.user (or NATS_USER) too",
        input: n,
      });
    }
    if (n.tls && (n.tls.certFile === undefined) !== (n.tls.keyFile === undefined)) {
      ctx.addIssue({ code: "custom", path: ["tls"], message: "certFile and keyFile go together: set both or neither", input: n.tls });
    }
  });
export type NatsConfig = z.infer<typeof NatsConfig>;

/** How the streams a process creates are stored: 1 replica on one node, 3 on a NATS cluster. */
export const JetStreamConfig = z.strictObject({
  replicas: z.number().int().min(1).max(5).default(1),
});

/** What every LAG process reads; a process schema is `CommonConfig.extend({ … })`. */
export const CommonConfig = z.strictObject({
  /** SQLite files, logs and the embedded nats-server's JetStream store live here. */
  dataDir: z.string().min(1).default("./data"),
  log: LogConfig.prefault({}),
  nats: NatsConfig.prefault({}),
  jetstream: JetStreamConfig.prefault({}),
});
export type CommonConfig = z.infer<typeof CommonConfig>;
