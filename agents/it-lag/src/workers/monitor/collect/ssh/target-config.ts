import { z } from "zod";
import { duration, SecretRef } from "@lag/config";
import { HostName, Slug } from "@lag/contracts";
import { duplicateNames } from "../../unique-names.ts";
import { pinnedFingerprint } from "./session.ts";

/**
 * Hosts without an agent on them (a NAS), read over SSH by this monitor, under `it.monitor.targets`:
 *
 *   - kind: ssh
 *     host: nas                     # its name on the bus, like a monitor's host
 *     address: 192.168.1.20
 *     user: lag                     # a read-only account
 *     keyFile: /etc/lag/secrets/nas_ed25519
 *     hostKey: "SHA256:…"           # pinned: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the NAS
 *     mounts: { storage: /volume1 }
 *     smart: { command: "sudo -n smartctl" }
 *     noip: { statusFile: /var/log/noip-duc.log }
 *     jobs: [{ name: nightly-rsync, file: /volume1/logs/rsync.log, maxAge: 26h }]
 *
 * No password: keys only, and the host key must be pinned.
 */
const Regex = z.string().refine(
  (v) => {
    try {
      new RegExp(v, "i");
      return true;
    } catch {
      return false;
    }
  },
  { error: (iss) => `${JSON.stringify(iss.input)} is not a regular expression` },
);

const PositiveDuration = duration.refine((ms) => ms > 0, "must be longer than 0");

export const JobConfig = z.strictObject({
  name: Slug,
  file: z.string().startsWith("/", "an absolute path on the host"),
  /** A line of the file's tail that says the run worked (case-insensitive). */
  success: Regex.default("\\b(success(ful(ly)?)?|succeeded|completed|finished|done|ok)\\b"),
  /** A line that says it failed; checked first, so "completed with errors" is a failure. */
  failure: Regex.default("\\b(errors?|failed|failure|fatal|aborted)\\b"),
  /** The file not written for longer than this: the job stopped running. */
  maxAge: PositiveDuration.default(26 * 3_600_000),
});

const HostKeyPin = z.string().refine(
  (v) => {
    try {
      pinnedFingerprint(v);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected a fingerprint ("SHA256:…", as ssh-keygen -lf prints it) or a public key line ("ssh-ed25519 AAAA…")' },
);

export const SshTargetConfig = z
  .strictObject(
    {
      kind: z.literal("ssh"),
      host: HostName,
      address: z.string().min(1),
      port: z.number().int().min(1).max(65_535).default(22),
      user: z.string().min(1),
      keyFile: z.string().startsWith("/", "an absolute path to the private key"),
      /** For an encrypted key. */
      passphrase: SecretRef.optional(),
      /** Pinned host key(s): `SHA256:…` fingerprints or public key lines. An unpinned host is refused. */
      hostKey: z.union([HostKeyPin, z.array(HostKeyPin).min(1)]).optional(),
      /** How often the host is read; a NAS is read less often than the monitor's own host. */
      interval: PositiveDuration.default(60_000),
      /** One round's reads must finish within this. */
      timeout: PositiveDuration.default(20_000),
      connectTimeout: PositiveDuration.default(10_000),
      reconnect: z.strictObject({ min: PositiveDuration.default(5_000), max: PositiveDuration.default(300_000) }).prefault({}),
      /** Where its /proc is. */
      proc: z.string().startsWith("/").default("/proc"),
      mounts: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "a role is a lower-case word"), z.string().startsWith("/")).default({}),
      /** Disk health; false where smartctl is not installed or not allowed. */
      smart: z
        .union([
          z.literal(false),
          z.strictObject({ command: z.string().min(1).default("smartctl"), devices: z.array(z.string().startsWith("/")).optional() }),
        ])
        .default({ command: "smartctl" }),
      raid: z.boolean().default(true),
      noip: z.strictObject({ statusFile: z.string().startsWith("/") }).optional(),
      jobs: z.array(JobConfig).default([]),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys" && iss.keys.some((k) => /pass(word)?$/i.test(k) && k !== "passphrase")
          ? "no passwords over SSH: log in with keyFile (a private key) and pin hostKey"
          : undefined,
    },
  )
  .superRefine((t, ctx) => {
    if (t.timeout >= t.interval) ctx.addIssue({ code: "custom", path: ["timeout"], message: "must be shorter than interval" });
    for (const d of duplicateNames(t.jobs)) ctx.addIssue({ code: "custom", path: ["jobs"], message: `job names must be unique: ${d}` });
  });
export type SshTargetConfig = z.infer<typeof SshTargetConfig>;

export const TargetsConfig = z.array(SshTargetConfig).superRefine((targets, ctx) => {
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.host)) ctx.addIssue({ code: "custom", path: [i, "host"], message: `${t.host} is already a target` });
    seen.add(t.host);
  });
});
