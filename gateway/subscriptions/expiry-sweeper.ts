/**
 * Calls `onExpired` for items whose deadline passed: one timer for all of them (a per-socket timer costs
 * memory at 10,000 sockets), checking once a second the buckets of the seconds that have passed.
 */
export class ExpirySweeper<T extends object> {
  private readonly bySecond = new Map<number, Set<T>>();
  private readonly secondOf = new WeakMap<T, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly onExpired: (item: T) => void) {}

  add(item: T, expiresAtMs: number): void {
    const second = Math.ceil(expiresAtMs / 1000);
    let bucket = this.bySecond.get(second);
    if (!bucket) {
      bucket = new Set();
      this.bySecond.set(second, bucket);
    }
    bucket.add(item);
    this.secondOf.set(item, second);
  }

  remove(item: T): void {
    const second = this.secondOf.get(item);
    if (second === undefined) return;
    this.secondOf.delete(item);
    const bucket = this.bySecond.get(second);
    bucket?.delete(item);
    if (bucket && bucket.size === 0) this.bySecond.delete(second);
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(Date.now()), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Expires every item whose second is not after `now` (exposed for tests; the timer calls it). */
  sweep(now: number): void {
    const current = Math.floor(now / 1000);
    for (const [second, bucket] of this.bySecond) {
      if (second > current) continue;
      this.bySecond.delete(second);
      for (const item of bucket) {
        this.secondOf.delete(item);
        this.onExpired(item);
      }
    }
  }
}
