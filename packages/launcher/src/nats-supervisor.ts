import { Backoff } from "@lag/async";
import { startNatsServer, type NatsServerOptions, type NatsServerProcess } from "./nats-server.ts";
import { writePid } from "./pidfile.ts";

export interface NatsSupervisorOptions {
  server: NatsServerOptions;
  pidFile: string;
  restart: { initialDelayMs: number; maxDelayMs: number; stableAfterMs: number };
  onEvent: (event: string) => void;
}

/**
 * The embedded nats-server, kept running: when it dies it is started again on the same port and
 * JetStream store, with back-off, and the agents — which reconnect forever — carry on. Only a
 * server that cannot even start the first time stops the launcher.
 */
export class SupervisedNats {
  private current!: NatsServerProcess;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private readonly backoff: Backoff;
  restarts = 0;

  private constructor(private readonly opts: NatsSupervisorOptions) {
    this.backoff = new Backoff({ initialMs: opts.restart.initialDelayMs, maxMs: opts.restart.maxDelayMs, jitter: 0 });
  }

  /** Starts the server; rejects when the first start fails (a port in use, a bad binary). */
  static async start(opts: NatsSupervisorOptions): Promise<SupervisedNats> {
    const s = new SupervisedNats(opts);
    await s.launch();
    return s;
  }

  get url(): string {
    return this.current.url;
  }

  get pid(): number | undefined {
    return this.current.child.pid;
  }

  private async launch(): Promise<void> {
    const started = Date.now();
    this.current = await startNatsServer(this.opts.server);
    writePid(this.opts.pidFile, this.current.child.pid!);
    void this.current.exited.then((code) => {
      if (this.stopping) return;
      if (Date.now() - started > this.opts.restart.stableAfterMs) this.backoff.succeeded();
      this.scheduleRestart(`exited unexpectedly (code ${code})`);
    });
  }

  private scheduleRestart(why: string): void {
    const delay = this.backoff.failed();
    this.opts.onEvent(`nats-server ${why}; restarting in ${delay} ms (the agents reconnect by themselves)`);
    this.timer = setTimeout(() => {
      if (this.stopping) return;
      this.launch().then(
        () => {
          this.restarts++;
          this.opts.onEvent(`nats-server restarted (pid ${this.current.child.pid}) on ${this.current.url}`);
        },
        (err: Error) => this.scheduleRestart(`could not start again: ${err.message.split("\n")[0]}`),
      );
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current.stop();
  }

  kill(): void {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.current.child.kill("SIGKILL");
  }
}
