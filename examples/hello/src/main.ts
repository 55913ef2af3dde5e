import { runWorker } from "@lag/worker";
import { helloWorker } from "./worker.ts";

await runWorker(helloWorker);
