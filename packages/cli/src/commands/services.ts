import { booleanOption, durationOption } from "../args.ts";
import type { Command } from "../command.ts";
import { discoverServices, type RunningService } from "@lag/bus";
import type { Style } from "../style.ts";
import { table } from "../table.ts";

const DEFAULT_WAIT_MS = 2_000;

export const services: Command = {
  name: "services",
  summary: "list every running service and its endpoints (NATS micro $SRV protocol)",
  usage: "[name]",
  details: [
    "Asks every service on the bus for its info and stats, as `nats micro ls` does: one row per endpoint of",
    "each running instance, with its subject, queue group, requests, errors and average processing time.",
    "A service the contracts do not declare, or at another version, is marked.",
  ],
  options: {
    json: {
      type: "boolean",
      description:
        "a JSON array of services: {name, version, id, contract, endpoints: [{name, subject, queueGroup, requests, errors, averageMs}]}",
    },
    wait: { type: "string", value: "DURATION", description: `how long to gather answers at most (default ${DEFAULT_WAIT_MS / 1000}s)` },
  },
  connects: true,
  examples: ["lag services", "lag services it-storage", "lag services --json | jq '.[].endpoints[].subject'"],
  async run({ args, out, bus: connect }) {
    const name = args.positionals[0];
    const waitMs = durationOption("services", args, "wait") ?? DEFAULT_WAIT_MS;
    const bus = await connect();
    const found = await discoverServices(bus.nc, { ...(name ? { name } : {}), waitMs });
    if (booleanOption(args, "json")) {
      out.prettyJson(found);
      return 0;
    }
    if (found.length === 0) {
      out.note(`no service${name ? ` named ${name}` : ""} answered on $SRV within ${waitMs} ms — are the agents running (npm start)?`);
      return 0;
    }
    for (const l of render(found, out.style)) out.fitted(l);
    const names = new Set(found.map((s) => s.name));
    out.note(`${names.size} service${names.size === 1 ? "" : "s"}, ${found.length} instance${found.length === 1 ? "" : "s"}`);
    return 0;
  },
};

function render(found: readonly RunningService[], s: Style): string[] {
  const rows = found.flatMap((svc) => {
    const mark = !svc.contract.known
      ? s.yellow(" (not in contracts)")
      : svc.contract.version !== svc.version
        ? s.yellow(` (contracts: ${svc.contract.version})`)
        : "";
    return svc.endpoints.map((e) => [
      svc.name,
      `${svc.version}${mark}`,
      svc.id,
      e.name,
      s.cyan(e.subject),
      e.queueGroup ?? "-",
      e.requests !== undefined ? String(e.requests) : "?",
      e.errors !== undefined ? (e.errors > 0 ? s.red(String(e.errors)) : "0") : "?",
      e.averageMs !== undefined ? `${e.averageMs} ms` : "?",
    ]);
  });
  return table(["SERVICE", "VERSION", "ID", "ENDPOINT", "SUBJECT", "QUEUE", "REQUESTS", "ERRORS", "AVG"], rows, s.bold);
}
