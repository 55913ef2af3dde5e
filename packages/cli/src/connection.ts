import { Bus, UnsupportedServerError, type NatsSettings } from "@lag/bus";
import { AuthorizationError, UserAuthenticationExpiredError } from "@nats-io/nats-core";
import { CliError, EXIT } from "./errors.ts";
import { cliLogger } from "./log-sink.ts";

const HOW_TO_REACH = "is `npm start` running? set --server or NATS_URL";
const HOW_TO_AUTH =
  "check --user/--password, --creds or --nkey (or NATS_USER/NATS_PASSWORD, NATS_CREDS, NATS_NKEY); in production the CLI connects as user `cli`";

/**
 * Connects as principal `cli`, once: a CLI should say at once that NATS is not there rather than
 * wait for it the way an agent does. Every way of failing becomes one sentence with exit code 2.
 */
export async function connectCli(nats: NatsSettings, command: string, log: (line: string) => void): Promise<Bus> {
  const where = nats.servers.join(", ");
  try {
    return await Bus.connect({ principal: "cli", name: `lag ${command}`, nats, failFast: true, logger: cliLogger(log) });
  } catch (err) {
    throw connectError(err, where);
  }
}

function connectError(err: unknown, where: string): CliError {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof UnsupportedServerError) return new CliError(err.message, EXIT.unreachable);
  if (err instanceof AuthorizationError || err instanceof UserAuthenticationExpiredError) {
    return new CliError(`NATS at ${where} refused the credentials (${e.message}): ${HOW_TO_AUTH}`, EXIT.unreachable);
  }
  if (e.code === "ENOENT" || e.code === "EACCES") {
    // @lag/bus reads creds and nkey files as it connects.
    return new CliError(
      `cannot read ${e.path ?? "a credentials file"} (${e.code}): check --creds/--nkey or NATS_CREDS/NATS_NKEY`,
      EXIT.unreachable,
    );
  }
  if (e.code === "ERR_INVALID_URL") {
    return new CliError(`invalid NATS server URL in ${where}: write it as nats://host:4222 (or tls://…)`, EXIT.unreachable);
  }
  const cause = (e.cause as Error | undefined)?.message ?? e.message;
  return new CliError(`cannot reach NATS at ${where} — ${HOW_TO_REACH}\n  (${cause})`, EXIT.unreachable);
}
