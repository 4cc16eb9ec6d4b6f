// Quantiles over a sliding time window, as a Prometheus summary reports them
// (simpleclient keeps 10 minutes). Bounded: at most `capacity` recent samples
// are kept, so a busy server's memory stays flat. Pure: callers pass `now`.

/** Recent observations of one summary. */
export class SummaryWindow {
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;
  /** Observations so far (a cached sort is stale once it moves). */
  private observed = 0;
  private cache: { observed: number; oldest: number; at: number; sorted: Float64Array } | null =
    null;

  constructor(readonly maxAgeMs = 600_000, readonly capacity = 1024) {
    this.values = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Records one observation made at `nowMs`. */
  observe(value: number, nowMs: number): void {
    this.values[this.next] = value;
    this.times[this.next] = nowMs;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.observed++;
  }

  /** The q-quantile (nearest rank) of observations younger than maxAgeMs; NaN when none. */
  quantile(q: number, nowMs: number): number {
    const live = this.live(nowMs);
    if (live.length === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * live.length));
    return live[rank - 1];
  }

  /**
   * The live observations sorted. A scrape asks for up to three quantiles of
   * each summary: the sort is kept until an observation arrives or the oldest
   * one kept ages out.
   */
  private live(nowMs: number): Float64Array {
    const c = this.cache;
    if (c && c.observed === this.observed && nowMs - c.oldest <= this.maxAgeMs && nowMs >= c.at) {
      return c.sorted;
    }
    const live = new Float64Array(this.count);
    let n = 0;
    let oldest = Infinity;
    for (let i = 0; i < this.count; i++) {
      const t = this.times[i];
      if (nowMs - t <= this.maxAgeMs) {
        live[n++] = this.values[i];
        if (t < oldest) oldest = t;
      }
    }
    const sorted = live.subarray(0, n).sort();
    this.cache = { observed: this.observed, oldest, at: nowMs, sorted };
    return sorted;
  }
}
