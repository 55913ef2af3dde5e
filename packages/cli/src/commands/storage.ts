import { resolve } from "node:path";
import { BYTE_SIZE_FORMS, parseByteSize } from "@lag/config";
import { formatBytes, reservationsService, storageService, type Reservation, type Volume } from "@lag/contracts";
import { booleanOption, durationOption, onePositional, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { ago, until } from "../times.ts";

const JSON_OPTION = { json: { type: "boolean", description: "the reply as JSON" } } as const;

function used(s: Style, v: Volume): string {
  const text = `${v.usedPct.toFixed(1)} %`;
  return v.usedPct >= 95 ? s.red(text) : v.usedPct >= 90 ? s.yellow(text) : text;
}

function reservationRows(rs: readonly Reservation[]): string[][] {
  return rs.map((r) => [
    r.id,
    `${r.host}:${r.mount}`,
    formatBytes(r.bytes),
    r.state === "open" ? `open, ${until(r.expiresAt)} left` : `${r.state} ${r.closedAt ? `${ago(r.closedAt)} ago` : ""}`,
    r.requester,
    `${r.purpose} (${r.path})`,
  ]);
}

export const storage: Command = {
  name: "storage",
  summary: "free and used space per volume of every host, per library folder, and the space reserved for imports",
  usage: "[PATH]",
  details: [
    "Asks it-storage. FREE is what a new import can count on: the space measured free less what open",
    "reservations hold. Library folders are measured by a walk in the background (it.storage.libraries).",
    "With a PATH, only the volume holding it.",
  ],
  options: {
    host: { type: "string", value: "HOST", description: "only this host's volumes" },
    ...JSON_OPTION,
  },
  connects: true,
  examples: ["lag storage", "lag storage /mnt/storage/media", "lag storage --host nas --json"],
  async run({ args, out, bus: connect }) {
    const path = args.positionals[0];
    const host = stringOption(args, "host");
    const bus = await connect();
    const [r, res] = await Promise.all([
      bus.request(storageService.endpoints.query, { ...(host ? { host } : {}), ...(path ? { path: resolve(path) } : {}) }),
      bus.request(reservationsService.endpoints.reservations, host ? { host } : {}),
    ]);
    if (booleanOption(args, "json")) {
      out.prettyJson({ ...r, reservations: res.reservations });
      return 0;
    }
    const s = out.style;
    const rows = r.volumes.map((v) => [
      v.host,
      v.mount,
      v.role ?? "",
      formatBytes(v.sizeBytes),
      used(s, v),
      formatBytes(v.freeBytes),
      v.reservedBytes > 0 ? formatBytes(v.reservedBytes) : "-",
    ]);
    if (rows.length === 0) out.note("no volume measured yet: is it-monitor running?");
    else for (const l of table(["HOST", "MOUNT", "ROLE", "SIZE", "USED", "FREE", "RESERVED"], rows, s.bold)) out.fitted(l);
    const libs = r.volumes.flatMap((v) => (v.libraries ?? []).map((l) => ({ v, l })));
    if (libs.length > 0) {
      out.line();
      const lrows = libs.map(({ v, l }) => [
        l.name,
        l.path,
        `${v.host}:${v.mount}`,
        l.bytes === undefined ? "-" : formatBytes(l.bytes),
        l.files === undefined ? "-" : String(l.files),
        l.state === "measured"
          ? `${ago(l.measuredAt!)} ago${l.unreadable ? s.yellow(`, ${l.unreadable} unreadable`) : ""}`
          : l.state === "failed"
            ? s.red(`failed: ${l.error ?? ""}`)
            : s.dim(l.state),
      ]);
      for (const l of table(["LIBRARY", "PATH", "VOLUME", "SIZE", "FILES", "MEASURED"], lrows, s.bold)) out.fitted(l);
    }
    if (res.reservations.length > 0) {
      out.line();
      for (const l of table(["RESERVATION", "VOLUME", "HELD", "STATE", "BY", "FOR"], reservationRows(res.reservations), s.bold))
        out.fitted(l);
    }
    return 0;
  },
};

export const storageReservations: Command = {
  name: "storage reservations",
  summary: "the space reservations: open ones, or with --all the closed ones of the last 30 days too",
  usage: "",
  options: {
    all: { type: "boolean", description: "also released and expired ones" },
    host: { type: "string", value: "HOST", description: "only this host's" },
    ...JSON_OPTION,
  },
  connects: true,
  examples: ["lag storage reservations", "lag storage reservations --all --json"],
  async run({ args, out, bus: connect }) {
    const host = stringOption(args, "host");
    const r = await (await connect()).request(reservationsService.endpoints.reservations, {
      ...(booleanOption(args, "all") ? { all: true } : {}),
      ...(host ? { host } : {}),
    });
    if (booleanOption(args, "json")) out.prettyJson(r.reservations);
    else if (r.reservations.length === 0) out.note("no reservation");
    else
      for (const l of table(["RESERVATION", "VOLUME", "HELD", "STATE", "BY", "FOR"], reservationRows(r.reservations), out.style.bold))
        out.fitted(l);
    return 0;
  },
};

export const storageReserve: Command = {
  name: "storage reserve",
  summary: "hold space on the volume of PATH (subtracted from what every later query reports free) until released or expired",
  usage: "PATH SIZE",
  details: [`SIZE: ${BYTE_SIZE_FORMS}. Exit 1 when refused: the reply says why and where it would fit.`],
  options: {
    purpose: { type: "string", value: "TEXT", description: "what it is for (default: reserved by hand)" },
    host: { type: "string", value: "HOST", description: "the host PATH is on (default: it-storage's own)" },
    ttl: { type: "string", value: "DURATION", description: "hold it this long unless released (default it.storage.reservationTtl)" },
    ...JSON_OPTION,
  },
  connects: true,
  examples: [
    "lag storage reserve /mnt/storage/media/Movies 300GB --purpose 'import: Kurosawa'",
    "lag storage reserve /srv 20GiB --ttl 2h --json",
  ],
  async run({ args, out, bus: connect }) {
    const [path, size] = args.positionals;
    if (!path || !size || args.positionals.length > 2)
      throw new UsageError("storage reserve: give PATH and SIZE, e.g. lag storage reserve /mnt/storage 300GB");
    const bytes = parseByteSize(size);
    if (bytes === undefined || bytes <= 0)
      throw new UsageError(`storage reserve: SIZE must be ${BYTE_SIZE_FORMS}, got ${JSON.stringify(size)}`);
    const host = stringOption(args, "host");
    const ttlMs = durationOption("storage reserve", args, "ttl");
    const r = await (await connect()).request(reservationsService.endpoints.reserve, {
      path: resolve(path),
      bytes,
      purpose: stringOption(args, "purpose") ?? "reserved by hand",
      ...(host ? { host } : {}),
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else if (r.granted) {
      const x = r.reservation;
      out.line(
        `${out.style.green("reserved")} ${formatBytes(x.bytes)} on ${x.host}:${x.mount} as ${x.id}, until ${x.expiresAt} (lag storage release ${x.id})`,
      );
    } else {
      out.line(`${out.style.red("refused")}: ${r.reason}`);
      if (r.alternatives.length > 0)
        out.line(`it fits on ${r.alternatives.map((a) => `${a.host}:${a.mount} (${formatBytes(a.freeBytes)} free)`).join(", ")}`);
      else out.line("it fits on no volume");
    }
    return r.granted ? 0 : 1;
  },
};

export const storageRelease: Command = {
  name: "storage release",
  summary: "give a reservation's space back (or, with --to SIZE, shrink it to what is still to be written)",
  usage: "ID",
  options: {
    written: { type: "string", value: "SIZE", description: "what was written (recorded with the release)" },
    to: { type: "string", value: "SIZE", description: "shrink to SIZE instead of releasing" },
    ...JSON_OPTION,
  },
  connects: true,
  examples: ["lag storage release res-20261123-061500-a1b2", "lag storage release res-20261123-061500-a1b2 --to 120GB"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("storage release", args, "a reservation id");
    const size = (name: string) => {
      const v = stringOption(args, name);
      if (v === undefined) return undefined;
      const b = parseByteSize(v);
      if (b === undefined) throw new UsageError(`storage release: --${name} must be ${BYTE_SIZE_FORMS}, got ${JSON.stringify(v)}`);
      return b;
    };
    const to = size("to");
    const written = size("written");
    const bus = await connect();
    const r =
      to !== undefined
        ? await bus.request(reservationsService.endpoints.shrink, { id, bytes: to })
        : await bus.request(reservationsService.endpoints.release, { id, ...(written !== undefined ? { writtenBytes: written } : {}) });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else
      out.line(
        to !== undefined
          ? `${r.id} now holds ${formatBytes(r.bytes)} on ${r.host}:${r.mount}`
          : `${r.id} ${r.state}: ${formatBytes(r.bytes)} on ${r.host}:${r.mount} given back`,
      );
    return 0;
  },
};
