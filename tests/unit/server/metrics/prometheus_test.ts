// /metrics: ZooKeeper's metric names and types in Prometheus' text format, as
// 3.8's PrometheusMetricsProvider (simpleclient 0.9) writes them, checked with
// an independent reader of the exposition rules, live and from fixed input.
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import fc from "fast-check";
import {
  familiesFromMonitor,
  formatText004,
  goDouble,
  type MetricFamily,
} from "../../../../src/server/metrics/prometheus.ts";
import { startMetricsServer } from "../../../../src/server/metrics/metrics_server.ts";
import { SummaryWindow } from "../../../../src/server/metrics/summary_window.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";
import { ZkClient } from "../../../support/zk_client.ts";
import { parseExposition } from "./exposition.ts";

Deno.test("gauges, counters and summaries in simpleclient 0.9's text layout", () => {
  const text = formatText004(familiesFromMonitor(
    [
      ["version", "3.8.0"],
      ["server_state", "standalone"],
      ["znode_count", 5],
      ["avg_latency", "0.0"],
      ["looking_count", 0],
      ["avg_fsynctime", "1.5"],
      ["min_fsynctime", 1],
      ["max_fsynctime", 2],
      ["cnt_fsynctime", 2],
      ["sum_fsynctime", 3],
    ],
    (name, q) => name === "fsynctime" && q === 0.5 ? 1 : undefined,
  ));
  assertEquals(
    text,
    [
      "# HELP znode_count znode_count",
      "# TYPE znode_count gauge",
      "znode_count 5.0",
      "# HELP avg_latency avg_latency",
      "# TYPE avg_latency gauge",
      "avg_latency 0.0",
      "# HELP looking_count looking_count",
      "# TYPE looking_count counter",
      "looking_count 0.0",
      "# HELP fsynctime fsynctime",
      "# TYPE fsynctime summary",
      'fsynctime{quantile="0.5",} 1.0',
      "fsynctime_count 2.0",
      "fsynctime_sum 3.0",
      "",
    ].join("\n"),
  );
});

Deno.test("advanced summaries carry quantiles 0.5, 0.9 and 0.99; unsampled ones only count and sum", () => {
  const fams = familiesFromMonitor(
    [
      ["avg_readlatency", 1],
      ["min_readlatency", 1],
      ["max_readlatency", 1],
      ["cnt_readlatency", 1],
      ["sum_readlatency", 1],
      ["avg_snapshottime", 0],
      ["min_snapshottime", 0],
      ["max_snapshottime", 0],
      ["cnt_snapshottime", 0],
      ["sum_snapshottime", 0],
    ],
    (name) => name === "readlatency" ? 1 : undefined,
  );
  assertEquals(
    fams.map((f) => [f.name, f.type, f.samples.map((s) => s.labels[0]?.[1] ?? s.name)]),
    [
      ["readlatency", "summary", ["0.5", "0.9", "0.99", "readlatency_count", "readlatency_sum"]],
      ["snapshottime", "summary", ["snapshottime_count", "snapshottime_sum"]],
    ],
  );
});

Deno.test("values print as Go/Java doubles: +Inf, -Inf, NaN, 1.0E7", () => {
  assertEquals([Infinity, -Infinity, NaN, 1e7, 0.25].map(goDouble), [
    "+Inf",
    "-Inf",
    "NaN",
    "1.0E7",
    "0.25",
  ]);
});

Deno.test("the exposition reader rejects what the format forbids (so it can catch our mistakes)", () => {
  const bad = [
    "a 1", // no final newline
    "1a 1\n", // bad metric name
    'a{1x="v",} 1\n', // bad label name
    'a{x="v} 1\n', // unterminated label value
    'a{x="\\t"} 1\n', // bad escape
    "a one\n", // not a float
    "# TYPE a gauge\n# TYPE a gauge\na 1\n", // second TYPE
    "a 1\n# TYPE a gauge\n", // TYPE after samples
    "a 1\nb 1\na 2\n", // family split
    "# TYPE s summary\ns 1\n", // summary sample without quantile
    "# TYPE c counter\nc -1\n", // negative counter
  ];
  for (const b of bad) throws(() => parseExposition(b), Error, JSON.stringify(b));
  assertEquals(parseExposition('# HELP a x\\\\y\n# TYPE a gauge\na{l="q\\"x",} 1.5 123\n'), [
    {
      name: "a",
      type: "gauge",
      help: "x\\\\y",
      samples: [{ name: "a", labels: { l: 'q"x' }, value: 1.5 }],
    },
  ]);
});

Deno.test("property: any mntr-like input formats into a valid exposition with one family per metric", () => {
  // Few letters, so summary groups (cnt_x + sum_x) and collisions (x, x_count) do occur.
  const key = fc.stringMatching(/^((avg|min|max|cnt|sum)_)?[ab]{1,2}(_count|_sum)?$/);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(key, fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9 }))), {
        selector: (t) => t[0],
        maxLength: 20,
      }),
      (entries) => {
        const fams: MetricFamily[] = familiesFromMonitor(entries, () => 0.5);
        const parsed = parseExposition(formatText004(fams));
        assertEquals(parsed.map((f) => [f.name, f.type]), fams.map((f) => [f.name, f.type]));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("SummaryWindow: nearest-rank quantiles over the window; old samples age out; bounded", () => {
  const w = new SummaryWindow(1000, 4);
  assert(Number.isNaN(w.quantile(0.5, 0)));
  for (const v of [5, 1, 3]) w.observe(v, 0);
  assertEquals([w.quantile(0.5, 10), w.quantile(0.99, 10)], [3, 5]);
  w.observe(10, 600);
  w.observe(20, 700); // capacity 4: the oldest (5) is overwritten
  assertEquals(w.quantile(0.99, 700), 20);
  assertEquals(w.quantile(0.5, 1500), 10); // only 10 and 20 are younger than 1 s
});

Deno.test("live /metrics from a server with a client: valid exposition, ZooKeeper names, real values", async () => {
  const s = await startInProc();
  const m = startMetricsServer({
    hostname: "127.0.0.1",
    port: 0,
    source: { view: () => s.server.fourLetterView(), sampled: [["fsynctime", s.server.fsyncTime]] },
  });
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/a", "x");
    await c.create("/e", "", 1);
    await c.getData("/a", true);
    const r = await fetch(`http://127.0.0.1:${m.addr.port}/metrics`);
    assertEquals(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const fams = new Map(parseExposition(await r.text()).map((f) => [f.name, f]));
    const value = (n: string) => fams.get(n)?.samples[0].value;
    assertEquals(value("znode_count"), 7);
    assertEquals(value("ephemerals_count"), 1);
    assertEquals(value("watch_count"), 1);
    assertEquals(value("num_alive_connections"), 1);
    assert(value("packets_received")! >= 4);
    for (
      const g of [
        "outstanding_requests",
        "packets_sent",
        "min_latency",
        "avg_latency",
        "max_latency",
      ]
    ) {
      assertEquals(fams.get(g)?.type, "gauge", g);
    }
    const fsync = fams.get("fsynctime")!;
    assertEquals(fsync.type, "summary");
    const count = fsync.samples.find((x) => x.name === "fsynctime_count")!.value;
    assert(count >= 2, "two writes were fsynced");
    const q = fsync.samples.find((x) => x.labels.quantile === "0.5")!.value;
    assert(q >= 0 && Number.isFinite(q), "the median comes from sampled fsyncs");
    assert(!fams.has("version") && !fams.has("server_state"), "text values are not metrics");
    const filtered = await fetch(`http://127.0.0.1:${m.addr.port}/metrics?name[]=znode_count`);
    assertEquals(parseExposition(await filtered.text()).map((f) => f.name), ["znode_count"]);
    const other = await fetch(`http://127.0.0.1:${m.addr.port}/other`);
    await other.body?.cancel();
    assertEquals(other.status, 404);
  } finally {
    await c.close().catch(() => {});
    await m.stop();
    await s.stop();
  }
});

Deno.test("summaries a and a_count do not both claim the sample a_count", () => {
  const fams = familiesFromMonitor(
    [["cnt_a", 0], ["sum_a", 0], ["cnt_a_count", 0], ["sum_a_count", 0]],
    () => 0.5,
  );
  const parsed = parseExposition(formatText004(fams));
  assertEquals(parsed.map((f) => [f.name, f.type]), [
    ["a", "summary"],
    ["cnt_a_count", "gauge"],
    ["sum_a_count", "gauge"],
  ]);
});

Deno.test("property: SummaryWindow's kept sort answers as a fresh nearest-rank over the live samples", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.tuple(fc.constant("observe" as const), fc.integer({ min: -50, max: 50 }), fc.nat(300)),
          fc.tuple(
            fc.constant("ask" as const),
            fc.constantFrom(0.5, 0.9, 0.99),
            fc.nat(300),
          ),
        ),
        { maxLength: 80, size: "medium" },
      ),
      (steps) => {
        const w = new SummaryWindow(500, 8);
        const kept: [number, number][] = []; // [value, time], the last 8
        let now = 0;
        for (const [kind, x, dt] of steps) {
          now += dt;
          if (kind === "observe") {
            w.observe(x, now);
            kept.push([x, now]);
            if (kept.length > 8) kept.shift();
            continue;
          }
          const live = kept.filter(([, t]) => now - t <= 500).map(([v]) => v).sort((a, b) => a - b);
          const want = live.length === 0 ? NaN : live[Math.max(1, Math.ceil(x * live.length)) - 1];
          assertEquals(w.quantile(x, now), want);
        }
      },
    ),
  );
});
