import { runWorker } from "@lag/worker";
import { incidentsWorker } from "./worker.ts";

await runWorker(incidentsWorker);
