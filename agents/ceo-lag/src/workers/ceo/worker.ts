import { fileURLToPath } from "node:url";
import { alert, ceoItInbox } from "@lag/contracts";
import { consume, defineWorker } from "@lag/worker";
import { ceoConfig } from "./config.ts";
import { Inbox } from "./inbox/inbox.ts";
import * as schema from "./inbox/schema.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** CEO_LAG: keeps an auditable inbox of every IT alert and report. */
export const ceoWorker = defineWorker({
  name: "ceo",
  principal: "ceo",
  config: ceoConfig,
  store: { schema, migrationsFolder },
  setup: ({ store }) => ({ inbox: new Inbox(store.db) }),
  bindings: ({ inbox }, { log }) => [
    consume(ceoItInbox, (d) => {
      const fresh = inbox.record(d);
      if (!fresh) return;
      if (d.is(alert) && d.data.status === "firing" && d.data.severity === "critical") {
        log.warn({ host: d.data.host, rule: d.data.rule, summary: d.data.summary }, "critical IT alert received");
      } else {
        log.info({ type: d.envelope.type, subject: d.subject }, "IT event archived");
      }
    }),
  ],
});
