import { colourWanted, style, truncateVisible, type Style } from "./style.ts";

/**
 * Where a command writes. Data goes to stdout (and only data, so `--json` output can be piped);
 * progress and problems go to stderr. Colour and cutting lines to the terminal width happen only
 * on a terminal.
 */
export class Output {
  readonly style: Style;
  readonly errStyle: Style;

  constructor(
    private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout,
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.style = style(colourWanted(stdout, env));
    this.errStyle = style(colourWanted(stderr, env));
  }

  /** Terminal width, or undefined when stdout is not a terminal (nothing is cut then). */
  get width(): number | undefined {
    return this.stdout.isTTY ? (this.stdout.columns ?? 120) : undefined;
  }

  line(text = ""): void {
    this.stdout.write(`${text}\n`);
  }

  /** One line that is cut to the terminal width on a terminal, printed whole elsewhere. */
  fitted(text: string): void {
    const w = this.width;
    this.line(w ? truncateVisible(text, w) : text);
  }

  /** Text written as it is (a file's content: an iCalendar feed). */
  raw(text: string): void {
    this.stdout.write(text);
  }

  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  prettyJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A note for the person at the terminal (stderr, so it never mixes with data). */
  note(text: string): void {
    this.clearStatus();
    this.stderr.write(`${this.errStyle.dim(text)}\n`);
  }

  error(text: string): void {
    this.clearStatus();
    this.stderr.write(`${text}\n`);
  }

  private statusShown = false;

  /**
   * A live status line (a progress bar) on stderr, rewritten in place; only on a terminal, so logs
   * and pipes get the result lines and not hundreds of bars.
   */
  status(text: string): void {
    if (!this.stderr.isTTY) return;
    this.stderr.write(`\r\x1b[K${text}`);
    this.statusShown = true;
  }

  /** Takes the status line away (before a line of its own is written). */
  clearStatus(): void {
    if (!this.statusShown) return;
    this.stderr.write("\r\x1b[K");
    this.statusShown = false;
  }

  /** Resolves once everything written so far has been handed to the OS (before process.exit). */
  flush(): Promise<void> {
    return Promise.all([
      new Promise<void>((r) => this.stdout.write("", () => r())),
      new Promise<void>((r) => this.stderr.write("", () => r())),
    ]).then(() => undefined);
  }
}
