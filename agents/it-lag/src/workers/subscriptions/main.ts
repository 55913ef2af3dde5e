import { runWorker } from "@lag/worker";
import { subscriptionsWorker } from "./worker.ts";

await runWorker(subscriptionsWorker);
