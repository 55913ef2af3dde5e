import type { Logger } from "@lag/log";

/**
 * Remembers whether Docker answered last time, so an outage is logged once when it starts and once
 * when it ends — not every interval. The snapshot carries the state each time; the log carries
 * the transitions.
 */
export class DockerAvailability {
  private state: "unknown" | "up" | "down" = "unknown";
  private since?: Date;
  private reason?: string;

  constructor(
    private readonly endpoint: string,
    private readonly log?: Logger,
  ) {}

  get isUp(): boolean {
    return this.state === "up";
  }

  up(version: string | undefined, now: Date): void {
    if (this.state === "down") {
      const downSec = this.since ? Math.round((now.getTime() - this.since.getTime()) / 1000) : undefined;
      this.log?.info(
        { endpoint: this.endpoint, version, downSec },
        `Docker reachable again at ${this.endpoint}${downSec !== undefined ? ` after ${downSec} s` : ""}`,
      );
    } else if (this.state === "unknown") {
      this.log?.info({ endpoint: this.endpoint, version }, `watching Docker ${version ?? "(version unknown)"} at ${this.endpoint}`);
    }
    if (this.state !== "up") this.since = now;
    this.state = "up";
    this.reason = undefined;
  }

  down(reason: string, now: Date): void {
    if (this.state !== "down") {
      this.log?.warn(
        { endpoint: this.endpoint, reason },
        `Docker unavailable: ${reason} (reported as docker.available=false until it answers again)`,
      );
      this.since = now;
    } else if (reason !== this.reason) {
      // Still down, for another reason (dockerd starting: ENOENT → ECONNREFUSED): not worth a warning.
      this.log?.debug({ endpoint: this.endpoint, reason }, "Docker still unavailable");
    }
    this.state = "down";
    this.reason = reason;
  }
}

/**
 * Per-container problems (an inspect or stats call that failed while the engine itself answers),
 * logged once per container, call and message, and forgotten when the call succeeds again.
 */
export class ContainerProblems {
  /** `${containerId} ${call}` → the message last logged. */
  private readonly open = new Map<string, string>();

  constructor(private readonly log?: Logger) {}

  report(id: string, name: string, call: string, message: string): void {
    const key = `${id} ${call}`;
    if (this.open.get(key) === message) return;
    this.open.set(key, message);
    this.log?.warn({ container: name, call }, message);
  }

  clear(id: string, name: string, call: string): void {
    if (this.open.delete(`${id} ${call}`)) this.log?.info({ container: name, call }, `Docker answers ${call} for container ${name} again`);
  }

  /** Forgets containers that no longer exist. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const k of this.open.keys()) if (!ids.has(k.split(" ")[0]!)) this.open.delete(k);
  }
}
