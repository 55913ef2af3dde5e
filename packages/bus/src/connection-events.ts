import type { NatsConnection } from "@nats-io/nats-core";
import { PermissionViolationError } from "@nats-io/nats-core";
import type { Logger } from "@lag/log";

/**
 * Connection events reach the log, once each. A publish the server refuses does not throw in
 * nats.js: the refusal arrives here, and this is where it becomes visible.
 */
export function watchConnection(nc: NatsConnection, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case "disconnect":
          log.warn({ server: s.server }, "disconnected from NATS; reconnecting");
          break;
        case "reconnect":
          log.info({ server: s.server }, "reconnected to NATS");
          break;
        case "ldm":
          log.warn({ server: s.server }, "NATS server entering lame duck mode");
          break;
        case "error":
          if (s.error instanceof PermissionViolationError) {
            log.error(
              { operation: s.error.operation, subject: s.error.subject, code: "LAG_PERMISSION" },
              `permission denied: ${s.error.operation} on ${s.error.subject}`,
            );
          } else {
            // A protocol error (a refused login, a stale connection) is the server's sentence, not our
            // bug: its message and name, no stack trace inside the JSON line.
            log.error({ error: s.error.name, code: (s.error as { code?: string }).code }, `NATS error: ${s.error.message}`);
          }
          break;
        case "slowConsumer":
          log.warn({ subject: s.sub.getSubject(), pending: s.pending }, "slow consumer: messages are piling up");
          break;
        default:
          break;
      }
    }
  })();
}
