import { readFileSync } from "node:fs";
import { z } from "zod";
import { ContractError, ServiceError } from "@lag/bus";
import { describeIssues } from "@lag/contracts";
import { booleanOption, durationOption } from "../args.ts";
import type { Command } from "../command.ts";
import { endpointTarget } from "../endpoints.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";

const DEFAULT_TIMEOUT_MS = 5_000;

export const req: Command = {
  name: "req",
  summary: "call a service endpoint and print its reply",
  usage: "<subject> ['<json>' | -]",
  details: [
    "Finds the endpoint's contract by its subject, checks the request against it before sending (naming",
    "each bad field), and prints the reply as JSON. A service error prints `<code> <description>` on stderr",
    "and exits 1. The request defaults to {}; `-` reads it from stdin.",
  ],
  options: {
    timeout: { type: "string", value: "DURATION", description: `how long to wait for the reply (default ${DEFAULT_TIMEOUT_MS / 1000}s)` },
    unchecked: {
      type: "boolean",
      description: "send the request as given, without checking it first (to see how the service answers bad input)",
    },
  },
  connects: true,
  examples: [
    "lag req lag.it.storage.query '{}'",
    `lag req lag.it.storage.query '{"minFreeBytes": 300000000000}'`,
    `lag req lag.it.monitor.status.kronos`,
    `echo '{"path":"/mnt/storage"}' | lag req lag.it.storage.query -`,
  ],
  async run({ args, out, bus: connect }) {
    const [subject, text, extra] = args.positionals;
    if (!subject) throw new UsageError("req: which endpoint? write `lag req <subject> '<json>'`, e.g. lag req lag.it.storage.query '{}'");
    if (extra !== undefined)
      throw new UsageError(
        `req: unexpected argument ${JSON.stringify(extra)}; quote the JSON in single quotes: lag req ${subject} '{"key": "value"}'`,
      );
    const timeout = durationOption("req", args, "timeout") ?? DEFAULT_TIMEOUT_MS;
    const { endpoint, tokens } = endpointTarget(subject);
    const body = parseBody(subject, text === "-" ? readFileSync(0, "utf8") : (text ?? "{}"));
    const unchecked = booleanOption(args, "unchecked");
    if (!unchecked) {
      // Checked here, before connecting, so a mistake is reported even with no server running.
      const r = endpoint.request.safeParse(body);
      if (!r.success) {
        throw new CliError(
          `req: the request does not match the contract of ${endpoint.service}.${endpoint.name}, nothing was sent:\n` +
            describeIssues(r.error, "request")
              .map((l) => `  ${l}`)
              .join("\n"),
        );
      }
    }
    const bus = await connect();
    // The endpoint descriptor is data: with --unchecked, the same call with a request contract that accepts anything.
    const target = unchecked ? { ...endpoint, request: z.unknown() } : endpoint;
    try {
      const reply = await bus.request(target, body as never, { timeout, tokens });
      out.prettyJson(reply);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof ServiceError) {
        out.error(`${err.status} ${err.description}`);
        return EXIT.failed;
      }
      if (err instanceof ContractError) {
        throw new CliError(
          `req: the reply of ${endpoint.service}.${endpoint.name} breaks its contract:\n${err.issues.map((l) => `  ${l}`).join("\n")}`,
        );
      }
      throw err;
    }
  },
};

function parseBody(subject: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `req: the request is not JSON (${(err as Error).message}); quote it in single quotes: lag req ${subject} '{"key": "value"}'`,
    );
  }
}
