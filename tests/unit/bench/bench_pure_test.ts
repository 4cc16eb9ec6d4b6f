// The benchmark's pure parts: percentiles, ratios and verdicts, the table, the
// flag parser, the shared zoo.cfg and the pipelining driver's bookkeeping.
// No timing assertions: speed is measured by scripts/bench, not asserted here.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  byLeadingNumber,
  cpuTicksFromStat,
  formatRatio,
  formatValue,
  median,
  percentile,
  ratePerSec,
  ratio,
  renderTable,
  type Row,
  verdict,
} from "../../../bench/stats.ts";
import { parseBenchArgs, SIZES } from "../../../bench/run.ts";
import { zooCfg } from "../../../bench/servers.ts";
import { pipeline } from "../../../bench/workloads.ts";
import type { BenchConn, Done } from "../../../bench/client.ts";

Deno.test("percentile uses nearest rank on sorted samples", () => {
  const s = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(s, 50), 5);
  assert.equal(percentile(s, 90), 9);
  assert.equal(percentile(s, 99), 10);
  assert.equal(percentile(s, 100), 10);
  assert.equal(percentile(s, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.equal(median([3, 1, 2]), 2);
  assert.throws(() => percentile(s, 101), RangeError);
  assert.deepEqual(s, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6], "input left unsorted");
});

Deno.test("percentile is a sample, monotone in p, within min..max", () => {
  fc.assert(fc.property(
    fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 200 }),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 0, max: 100 }),
    (xs, p, q) => {
      const [lo, hi] = p <= q ? [p, q] : [q, p];
      const a = percentile(xs, lo);
      const b = percentile(xs, hi);
      assert.ok(xs.includes(a));
      assert.ok(a <= b);
      assert.ok(a >= Math.min(...xs) && b <= Math.max(...xs));
    },
  ));
});

Deno.test("rates and ratios: zkt/ZooKeeper, null when a side is missing", () => {
  assert.equal(ratePerSec(500, 250), 2000);
  assert.ok(Number.isNaN(ratePerSec(5, 0)));
  assert.equal(ratio(300, 150), 2);
  assert.equal(ratio(null, 150), null);
  assert.equal(ratio(1, 0), null);
  assert.equal(ratio(NaN, 1), null);
  assert.equal(formatRatio(300, 150), "2.00");
  assert.equal(formatRatio(1500, 100), "15.0");
  assert.equal(formatRatio(1, null), "-");
});

Deno.test("verdict reads the ratio in the metric's better direction", () => {
  assert.equal(verdict(2000, 1000, "higher"), "zkt 2.0x better");
  assert.equal(verdict(1000, 2000, "higher"), "zkt 2.0x worse");
  assert.equal(verdict(1, 3, "lower"), "zkt 3.0x better");
  assert.equal(verdict(30, 1, "lower"), "zkt 30x worse");
  assert.equal(verdict(102, 100, "higher"), "same");
  assert.equal(verdict(null, 100, "higher"), "n/a");
  assert.equal(verdict(0, 100, "lower"), "n/a");
});

Deno.test("formatValue keeps about 3 significant digits", () => {
  assert.equal(formatValue(12345.6), "12346");
  assert.equal(formatValue(123.4), "123");
  assert.equal(formatValue(12.34), "12.3");
  assert.equal(formatValue(1.234), "1.23");
  assert.equal(formatValue(0.01234), "0.012");
  assert.equal(formatValue(0), "0");
  assert.equal(formatValue(null), "-");
  assert.equal(formatValue(NaN), "-");
});

Deno.test("renderTable groups rows per workload in numeric order with aligned columns", () => {
  const rows: Row[] = [
    { workload: "10 later", metric: "x", unit: "ms", better: "lower", zkt: 1, zk: 2 },
    { workload: "2 reads", metric: "reads/s", unit: "ops/s", better: "higher", zkt: 30, zk: 10 },
    { workload: "2 reads", metric: "p99", unit: "ms", better: "lower", zkt: null, zk: 4 },
  ];
  const out = renderTable(rows).split("\n");
  assert.equal(out[0], "== 2 reads");
  assert.match(out[1], /^metric\s+unit\s+zkt\s+ZooKeeper\s+zkt\/ZK\s+better\s+verdict$/);
  assert.match(out[2], /^reads\/s\s+ops\/s\s+30\.0\s+10\.0\s+3\.00\s+higher\s+zkt 3\.0x better$/);
  assert.match(out[3], /^p99\s+ms\s+-\s+4\.00\s+-\s+lower\s+n\/a$/);
  assert.equal(out[5], "== 10 later");
  // Right-aligned numbers: the ZooKeeper column ends at the same offset on every line.
  const end = (l: string) => l.indexOf("ZooKeeper") + "ZooKeeper".length;
  assert.equal(out[2].indexOf("10.0") + 4, end(out[1]));
  assert.ok(byLeadingNumber("2 a", "10 b") < 0);
});

Deno.test("bench flags: --quick/--json/--bundle/--keep/--no-load, unknown flags refused", () => {
  assert.deepEqual(parseBenchArgs([]), {
    quick: false,
    json: false,
    bundle: false,
    keep: false,
    noLoad: false,
    help: false,
  });
  assert.equal(parseBenchArgs(["--no-load"]).noLoad, true);
  assert.equal(parseBenchArgs(["--quick", "--json"]).quick, true);
  assert.equal(parseBenchArgs(["--bundle"]).bundle, true);
  assert.throws(() => parseBenchArgs(["--fast"]));
  assert.throws(() => parseBenchArgs(["extra"]));
});

Deno.test("every run size is bounded in count and time, quick smaller than default", () => {
  for (const s of Object.values(SIZES)) {
    for (const [k, v] of Object.entries(s)) assert.ok(v > 0 && Number.isFinite(v), k);
  }
  assert.ok(SIZES.quick.loadZnodes < SIZES.default.loadZnodes);
  assert.ok(SIZES.quick.stepMs < SIZES.default.stepMs);
});

Deno.test("both servers get the same zoo.cfg: loopback, default forceSync and snapCount", () => {
  const cfg = zooCfg("/tmp/d", 12345);
  assert.match(cfg, /^clientPortAddress=127\.0\.0\.1$/m);
  assert.match(cfg, /^clientPort=12345$/m);
  assert.match(cfg, /^tickTime=2000$/m);
  assert.doesNotMatch(cfg, /forceSync|snapCount/, "defaults, not overrides");
});

Deno.test("pipeline issues exactly the count, never more than the window per connection", async () => {
  // A fake connection answering asynchronously; counts what is in flight.
  const fakes = [0, 1, 2].map(() => ({ inFlight: 0, peak: 0, served: 0 }));
  const seen = new Set<number>();
  const r = await pipeline(
    fakes as unknown as BenchConn[],
    5,
    103,
    60_000,
    (c, i, done: Done) => {
      const f = c as unknown as (typeof fakes)[number];
      seen.add(i);
      f.inFlight++;
      f.peak = Math.max(f.peak, f.inFlight);
      queueMicrotask(() => {
        f.inFlight--;
        f.served++;
        done(i % 10 === 0 ? -101 : 0);
      });
    },
  );
  assert.equal(r.ok + r.errors, 103);
  assert.equal(r.errors, 11);
  assert.equal(r.cut, false);
  assert.equal(seen.size, 103);
  for (const f of fakes) assert.ok(f.peak <= 5 && f.inFlight === 0);
});

Deno.test("CPU ticks from /proc/PID/stat: utime + stime, even with ') ' in the name", () => {
  const rest = "S 1 1 1 0 -1 4194304 98 0 0 0 250 37 0 0 20 0 7 0 1258445 3133440 366";
  assert.equal(cpuTicksFromStat(`4242 (java) ${rest}`), 287);
  assert.equal(cpuTicksFromStat(`4242 (a) b (c) ${rest}`), 287);
  assert.throws(() => cpuTicksFromStat("garbage"));
  assert.throws(() => cpuTicksFromStat("1 (x) S 1"));
});
