/**
 * Counts deliveries and lets a publisher wait for a count. Waiting fails when deliveries stop
 * arriving for `stallMs`: a subscriber the server cut off as a slow consumer never catches up,
 * and a benchmark must say so rather than hang.
 */
export class Counter {
  count = 0;
  private waiter: { target: number; resolve: () => void } | undefined;

  hit(): void {
    this.count++;
    if (this.waiter && this.count >= this.waiter.target) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve();
    }
  }

  async reached(target: number, stallMs = 10_000): Promise<void> {
    while (this.count < target) {
      const before = this.count;
      const arrived = new Promise<boolean>((resolve) => {
        this.waiter = { target, resolve: () => resolve(true) };
      });
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), stallMs);
      });
      const ok = await Promise.race([arrived, stalled]);
      clearTimeout(timer);
      if (!ok && this.count === before) {
        this.waiter = undefined;
        throw new Error(
          `received ${this.count} of ${target} messages, none in the last ${stallMs} ms ` +
            "(the subscriber fell behind and the server cut it off as a slow consumer?)",
        );
      }
    }
  }
}
