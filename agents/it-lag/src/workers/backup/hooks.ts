import type { Logger } from "@lag/log";
import type { DockerEngine } from "../../docker/engine.ts";
import type { PlanConfig } from "./config.ts";
import type { Catalogue } from "./store/catalogue.ts";

/**
 * Containers stopped around a backup (a consistent copy of files a running service would be
 * writing). Each one is written to the catalogue before it is stopped and removed once it runs
 * again, so a crash between the two leaves a record that the next start acts on.
 */
export class ContainerHooks {
  constructor(private readonly o: { docker: DockerEngine; catalogue: Catalogue; log: Logger }) {}

  /** Stops the plan's containers in order; throws at the first that will not stop (those stopped so far stay recorded, for `startAll`). */
  async stopAll(p: PlanConfig, runId: string, now: () => number): Promise<void> {
    const plan = p.name;
    const graceS = p.hooks.stopGrace === undefined ? undefined : Math.ceil(p.hooks.stopGrace / 1000);
    for (const c of p.hooks.stop) {
      this.o.catalogue.containerStopped(c, plan, runId, now());
      try {
        await this.o.docker.stopContainer(c, graceS, p.hooks.timeout);
      } catch (err) {
        throw new Error(`could not stop container ${c}: ${(err as Error).message}`);
      }
      this.o.log.info({ plan, runId, container: c }, `container ${c} stopped for the backup`);
    }
  }

  /** Starts every container recorded as stopped by `runId` (or by anyone: a crash's leftovers); returns those that would not start. */
  async startAll(runId?: string): Promise<{ container: string; error: string }[]> {
    const failed: { container: string; error: string }[] = [];
    // In reverse order of stopping: what depends on another starts after it.
    const rows = this.o.catalogue
      .stoppedContainers()
      .filter((r) => runId === undefined || r.runId === runId)
      .reverse();
    for (const r of rows) {
      try {
        await this.o.docker.startContainer(r.container);
        this.o.catalogue.containerStarted(r.container);
        this.o.log.info({ plan: r.plan, runId: r.runId, container: r.container }, `container ${r.container} started again`);
      } catch (err) {
        failed.push({ container: r.container, error: (err as Error).message });
        this.o.log.error(
          { plan: r.plan, container: r.container, err: (err as Error).message },
          `container ${r.container} did not start again`,
        );
      }
    }
    return failed;
  }
}
