import { runWorker } from "@lag/worker";
import { maintenanceWorker } from "./worker.ts";

await runWorker(maintenanceWorker);
