// Quantiles over a sliding time window, as a Prometheus summary reports them
// (simpleclient keeps 10 minutes). Bounded: at most `capacity` recent samples
// are kept, so a busy server's memory stays flat. Pure: callers pass `now`.

/** Recent observations of one summary. */
export class SummaryWindow {
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;

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
  }

  /** The q-quantile (nearest rank) of observations younger than maxAgeMs; NaN when none. */
  quantile(q: number, nowMs: number): number {
    const live: number[] = [];
    for (let i = 0; i < this.count; i++) {
      if (nowMs - this.times[i] <= this.maxAgeMs) live.push(this.values[i]);
    }
    if (live.length === 0) return NaN;
    live.sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil(q * live.length));
    return live[rank - 1];
  }
}
