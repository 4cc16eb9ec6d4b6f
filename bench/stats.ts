// Pure parts of the benchmark: percentiles, rates, ratios and the text table.
// No I/O and no clock, so tests/unit/bench can check them exactly.

/** Which direction of a metric is better. */
export type Better = "higher" | "lower";

/** One measured metric for both servers. Values are null when a run failed. */
export interface Row {
  workload: string;
  metric: string;
  unit: string;
  better: Better;
  zkt: number | null;
  zk: number | null;
}

/** The p-th percentile (0..100) of samples by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile out of range: ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  if (p === 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Operations per second for `count` operations over `ms` milliseconds; NaN when ms <= 0. */
export function ratePerSec(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : NaN;
}

/** The median of samples; NaN for none. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** zkt / ZooKeeper, or null when either side is missing, not finite, or ZooKeeper is 0. */
export function ratio(zkt: number | null, zk: number | null): number | null {
  if (zkt === null || zk === null || !Number.isFinite(zkt) || !Number.isFinite(zk) || zk === 0) {
    return null;
  }
  return zkt / zk;
}

/** A plain verdict: "zkt 2.0x better", "zkt 1.5x worse", "same" (within 5%), or "n/a". */
export function verdict(zkt: number | null, zk: number | null, better: Better): string {
  const r = ratio(zkt, zk);
  if (r === null || r === 0) return "n/a";
  const factor = better === "higher" ? r : 1 / r;
  if (Math.abs(factor - 1) < 0.05) return "same";
  return factor > 1 ? `zkt ${fmtFactor(factor)} better` : `zkt ${fmtFactor(1 / factor)} worse`;
}

function fmtFactor(f: number): string {
  return f >= 10 ? `${Math.round(f)}x` : `${f.toFixed(1)}x`;
}

/** Formats a measured value: 3 significant digits, thousands kept whole; "-" for null/NaN. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "-";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toString();
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(2);
}

/** Formats zkt/ZooKeeper as "1.23" ("-" when there is no ratio). */
export function formatRatio(zkt: number | null, zk: number | null): string {
  const r = ratio(zkt, zk);
  if (r === null) return "-";
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** Lays out rows as a text table grouped by workload (columns padded, numbers right-aligned). */
export function renderTable(rows: readonly Row[]): string {
  const head = ["metric", "unit", "zkt", "ZooKeeper", "zkt/ZK", "better", "verdict"];
  const right = [false, false, true, true, true, false, false];
  const out: string[] = [];
  const cellsOf = (r: Row) => [
    r.metric,
    r.unit,
    formatValue(r.zkt),
    formatValue(r.zk),
    formatRatio(r.zkt, r.zk),
    r.better,
    verdict(r.zkt, r.zk, r.better),
  ];
  const cells = rows.map(cellsOf);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((s, i) => right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i])).join("  ").trimEnd();
  const workloads = [...new Set(rows.map((r) => r.workload))].sort(byLeadingNumber);
  for (const name of workloads) {
    out.push(`== ${name}`);
    out.push(line(head));
    rows.forEach((r, i) => {
      if (r.workload === name) out.push(line(cells[i]));
    });
    out.push("");
  }
  return out.join("\n");
}

/** Orders labels by a leading number ("2 x" before "10 y"), then as text. */
export function byLeadingNumber(a: string, b: string): number {
  const na = parseInt(a, 10);
  const nb = parseInt(b, 10);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** User + system CPU ticks of a process from the text of /proc/PID/stat. */
export function cpuTicksFromStat(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const close = stat.lastIndexOf(")");
  if (close < 0) throw new Error("malformed /proc/PID/stat");
  const f = stat.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error("malformed /proc/PID/stat");
  }
  return utime + stime;
}
