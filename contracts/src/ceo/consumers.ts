import { defineConsumer } from "../descriptors.ts";
import { alertEvents } from "../it/alerts.ts";
import { statusReport } from "../it/status-report.ts";
import { itStream } from "../streams.ts";

/** CEO_LAG's durable inbox of IT alerts and reports: it gets what it missed while offline. */
export const ceoItInbox = defineConsumer({
  durable: "ceo-it-inbox",
  stream: itStream,
  principal: "ceo",
  events: [...alertEvents, statusReport],
  description: "IT alerts and status reports, archived in CEO_LAG's inbox",
  maxDeliver: 5,
  ackWait: 30_000,
});
