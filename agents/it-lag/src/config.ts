import { agentConfig } from "@lag/worker";
import { IncidentsConfig } from "./workers/incidents/config.ts";
import { MonitorConfig } from "./workers/monitor/config.ts";

/**
 * IT_LAG's section of the configuration file: one sub-section per worker, each schema in its
 * worker's folder. Every IT process validates all of it, so a typo anywhere under `it:` is reported.
 */
export const itConfig = agentConfig(
  "it",
  { monitor: MonitorConfig, incidents: IncidentsConfig },
  // The incident worker acts on the host this machine's monitor watches, unless told otherwise.
  (it) => ({ ...it, incidents: { ...it.incidents, host: it.incidents.host ?? it.monitor.host } }),
);
