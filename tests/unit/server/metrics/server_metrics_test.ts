// ServerMetrics: each measurement point moves the 3.8-named value it owns, and
// mntr, AdminServer monitor and /metrics read the same numbers.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import {
  PercentileSummary,
  QUORUM_METRICS,
  ServerMetrics,
  standaloneQuorumLines,
  STAT_OVERHEAD_BYTES,
  topNamespace,
} from "../../../../src/server/metrics/server_metrics.ts";
import { familiesFromMonitor } from "../../../../src/server/metrics/prometheus.ts";
import { scrape } from "../../../../src/server/metrics/metrics_server.ts";
import { startInProc } from "../../../support/zkt_inproc.ts";
import { ZkClient } from "../../../support/zk_client.ts";
import { waitFor } from "../../../support/wait.ts";

function mntr(s: { server: { fourLetterView(): { monitor: [string, string | number][] } } }) {
  return new Map(s.server.fourLetterView().monitor);
}

async function withServer(
  f: (c: ZkClient, m: () => Map<string, string | number>) => Promise<void>,
  lines: string[] = [],
): Promise<void> {
  const s = await startInProc(lines);
  const c = await ZkClient.connect(s.port);
  try {
    await f(c, () => mntr(s));
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
}

Deno.test("topNamespace is the first path component, null for the root (PathUtils.getTopNamespace)", () => {
  assertEquals(topNamespace("/a/b/c"), "a");
  assertEquals(topNamespace("/app"), "app");
  assertEquals(topNamespace("/"), null);
  assertEquals(topNamespace(""), null);
});

Deno.test("a percentile summary reports nearest-rank p50..p999 of what it saw", () => {
  const p = new PercentileSummary();
  assertEquals(p.percentile(0.5), 0);
  for (let i = 1; i <= 100; i++) p.add(i);
  assertEquals([p.percentile(0.5), p.percentile(0.95), p.percentile(0.99)], [50, 95, 99]);
  assertEquals([p.n, p.sum, p.min, p.max], [100, 5050, 1, 100]);
  p.reset();
  assertEquals([p.n, p.percentile(0.5)], [0, 0]);
});

Deno.test("every mntr key of ServerMetrics is a long or a Java double, and reset zeroes them", () => {
  const m = new ServerMetrics();
  m.percentiles.readlatency.add(3);
  m.readStat("/x/y", 10);
  m.responseSent(16);
  for (const [k, v] of m.entries()) {
    assert(
      typeof v === "number" ? Number.isInteger(v) : /^-?\d+\.\d+$/.test(v),
      `${k}=${v}`,
    );
  }
  const e = new Map(m.entries());
  assertEquals(e.get("cnt_x_read_per_namespace"), 1);
  assertEquals(e.get("sum_x_read_per_namespace"), 4 + 10 + STAT_OVERHEAD_BYTES);
  assertEquals(e.get("p50_readlatency"), 3);
  m.reset();
  const r = new Map(m.entries());
  assertEquals([r.get("cnt_readlatency"), r.get("response_bytes")], [0, 0]);
  // A namespace stays, zeroed (3.8's SummarySet reset).
  assertEquals([r.get("cnt_x_read_per_namespace"), r.get("sum_x_read_per_namespace")], [0, 0]);
  assertEquals(r.get("last_client_response_size"), -1);
});

Deno.test("a getData bumps readlatency's count and its namespace's read bytes", async () => {
  await withServer(async (c, m) => {
    await c.create("/app", "");
    await c.create("/app/n", "hello");
    const before = Number(m().get("cnt_readlatency"));
    const updates = Number(m().get("cnt_updatelatency"));
    assertEquals((await c.getData("/app/n")).err, 0);
    const after = m();
    assertEquals(after.get("cnt_readlatency"), before + 1);
    assertEquals(after.get("cnt_updatelatency"), updates);
    assertEquals(after.get("cnt_app_read_per_namespace"), 1);
    assertEquals(after.get("sum_app_read_per_namespace"), "/app/n".length + 5 + 68);
  });
});

Deno.test("writes bump updatelatency, prep_process_time, the sync processor and write_per_namespace", async () => {
  await withServer(async (c, m) => {
    const before = m();
    await c.create("/w", "abc");
    const after = m();
    const d = (k: string) => Number(after.get(k)) - Number(before.get(k));
    assertEquals(d("cnt_updatelatency"), 1);
    assertEquals(d("cnt_propagation_latency"), 1);
    assertEquals(d("cnt_prep_process_time"), 1);
    assertEquals(d("sync_processor_request_queued"), 1);
    assertEquals(d("cnt_sync_processor_queue_time_ms"), 1);
    assertEquals(d("cnt_sync_processor_queue_and_flush_time_ms"), 1);
    assertEquals(d("sum_sync_processor_batch_size"), 1);
    assertEquals(after.get("sum_w_write_per_namespace"), "/w".length + 3);
  });
});

Deno.test("a setData with a data watcher bumps node_changed_watch_count by the watchers fired", async () => {
  await withServer(async (c, m) => {
    await c.create("/d", "1");
    assertEquals(m().get("cnt_node_changed_watch_count"), 0);
    await c.getData("/d", true);
    await c.setData("/d", "2");
    await c.waitEvent((e) => e.type === 3 && e.path === "/d");
    const after = m();
    assertEquals(after.get("cnt_node_changed_watch_count"), 1);
    assertEquals(after.get("sum_node_changed_watch_count"), 1);
    assert(Number(after.get("watch_bytes")) > 0);
    // No watcher left: another change records nothing (3.8 skips empty triggers).
    await c.setData("/d", "3");
    assertEquals(m().get("cnt_node_changed_watch_count"), 1);
  });
});

Deno.test("create, delete and child watches land in their own summaries", async () => {
  await withServer(async (c, m) => {
    await c.exists("/k", true);
    await c.getChildren("/", true);
    await c.create("/k", "");
    await c.waitEvent((e) => e.type === 1);
    await c.exists("/k", true);
    await c.delete("/k");
    await c.waitEvent((e) => e.type === 2);
    const after = m();
    assertEquals(after.get("cnt_node_created_watch_count"), 1);
    assertEquals(after.get("cnt_node_children_watch_count"), 1);
    assertEquals(after.get("cnt_node_deleted_watch_count"), 1);
  });
});

Deno.test("connects, bytes received and replies are counted; startup and snapshot times are recorded", async () => {
  await withServer(async (c, m) => {
    await c.exists("/");
    const v = m();
    assertEquals(v.get("connection_request_count"), 1);
    // Loopback, plain TCP: a local non-mTLS connection, none from elsewhere.
    assertEquals([v.get("non_mtls_local_conn_count"), v.get("non_mtls_remote_conn_count")], [1, 0]);
    assert(Number(v.get("bytes_received_count")) > 0);
    assert(Number(v.get("response_bytes")) > 0);
    assertEquals(v.get("last_client_response_size"), Number(v.get("last_client_response_size")));
    assert(Number(v.get("max_client_response_size")) >= Number(v.get("min_client_response_size")));
    assertEquals(v.get("cnt_dbinittime"), 1);
    // The startup snapshot is taken before the server exists and still counts.
    assertEquals(v.get("cnt_snapshottime"), 1);
  });
});

Deno.test("closing a session records close_session_prep_time; an expiry counts a stale session", async () => {
  const s = await startInProc();
  try {
    const c = await ZkClient.connect(s.port);
    await c.close();
    assertEquals(mntr(s).get("cnt_close_session_prep_time"), 1);
    const d = await ZkClient.connect(s.port, { timeoutMs: 200 });
    await d.drop();
    await waitFor("session expiry", () => mntr(s).get("stale_sessions_expired") === 1);
    assertEquals(mntr(s).get("cnt_close_session_prep_time"), 2);
  } finally {
    await s.stop();
  }
});

Deno.test("srst resets ServerMetrics with ServerStats", async () => {
  const s = await startInProc();
  try {
    const c = await ZkClient.connect(s.port);
    await c.create("/r", "x");
    s.server.fourLetterView().resetServerStats();
    const v = mntr(s);
    assertEquals([v.get("cnt_updatelatency"), v.get("response_bytes")], [0, 0]);
    await c.close();
  } finally {
    await s.stop();
  }
});

Deno.test("/metrics families come from the same mntr values: summaries, quantiles and per-namespace keys", () => {
  const m = new ServerMetrics();
  m.percentiles.readlatency.add(4);
  m.writeStat("/ns/a", 3);
  m.counters.bytes_received_count = 42;
  const fams = familiesFromMonitor(
    m.entries(),
    (name, q) => name === "readlatency" ? q : undefined,
  );
  const byName = new Map(fams.map((f) => [f.name, f]));
  // p50_readlatency etc. are not gauges of their own.
  assertEquals(fams.some((f) => /^p\d+_/.test(f.name)), false);
  assertEquals(byName.get("readlatency")?.type, "summary");
  assertEquals(
    byName.get("readlatency")?.samples.map((s) => s.name),
    ["readlatency", "readlatency", "readlatency", "readlatency_count", "readlatency_sum"],
  );
  assertEquals(byName.get("bytes_received_count")?.type, "counter");
  assertEquals(byName.get("bytes_received_count")?.samples[0].value, 42);
  const w = byName.get("write_per_namespace");
  assertEquals(w?.type, "summary");
  assertEquals(w?.samples.map((s) => [s.name, s.labels, s.value]), [
    ["write_per_namespace_count", [["key", "ns"]], 1],
    ["write_per_namespace_sum", [["key", "ns"]], "/ns/a".length + 3],
  ]);
});

Deno.test("a restart that replays the log records startup_txns_loaded and dbinittime", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  await c.create("/a", "");
  await c.create("/b", "");
  await c.close();
  await s.stop();
  const again = await startInProc([], { dir: s.dir });
  try {
    const v = mntr(again);
    assertEquals(v.get("cnt_startup_txns_loaded"), 1);
    // createSession, two creates, closeSession.
    assertEquals(v.get("sum_startup_txns_loaded"), 4);
    assertEquals(v.get("cnt_dbinittime"), 1);
  } finally {
    await again.stop();
  }
});

Deno.test("a connection over maxClientCnxns counts as connection_rejected", async () => {
  const s = await startInProc(["maxClientCnxns=1"]);
  const c = await ZkClient.connect(s.port);
  try {
    const extra = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    // The server closes it at once: the read ends.
    await extra.read(new Uint8Array(1)).catch(() => null);
    extra.close();
    await waitFor("rejection counted", () => mntr(s).get("connection_rejected") === 1);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("/metrics of a live server shows mntr's readlatency count, and namespaces as labels", async () => {
  const s = await startInProc();
  const c = await ZkClient.connect(s.port);
  try {
    await c.create("/ns", "");
    await c.getData("/ns");
    const view = s.server.fourLetterView();
    const text = scrape(view, new Map(), Date.now());
    const cnt = new Map(view.monitor).get("cnt_readlatency");
    assert(text.includes(`readlatency_count ${cnt}.0\n`), text);
    assert(text.includes('read_per_namespace_count{key="ns",} 1.0\n'), text);
    assert(text.includes("# TYPE bytes_received_count counter\n"), text);
  } finally {
    await c.close().catch(() => {});
    await s.stop();
  }
});

Deno.test("a standalone server's leader/learner/election metrics: every one, in 3.8's shapes, all zero", () => {
  const lines = standaloneQuorumLines();
  const keys = lines.map(([k]) => k);
  assertEquals(new Set(keys).size, keys.length, "no key twice");
  const n = QUORUM_METRICS.counters.length + 5 * QUORUM_METRICS.summaries.length +
    9 * QUORUM_METRICS.percentileSummaries.length;
  assertEquals(lines.length, n);
  for (const [k, v] of lines) assert(v === 0 || v === "0.0", `${k} = ${v}`);
  assert(keys.includes("avg_election_time") && keys.includes("p999_quorum_ack_latency"));
  // ServerMetrics itself never prints them (serve adds them on a standalone server only).
  const own = new Set(new ServerMetrics().entries().map(([k]) => k));
  for (const k of keys) assert(!own.has(k), k);
});

Deno.test("property: a percentile summary's kept sort answers as a fresh sort of its recent values", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(-1)), {
        maxLength: 2200,
        size: "max",
      }),
      (steps) => {
        const p = new PercentileSummary();
        const recent: number[] = [];
        for (const v of steps) {
          if (v >= 0) {
            p.add(v);
            recent.push(v);
            if (recent.length > 1028) recent.shift();
            continue;
          }
          const xs = [...recent].sort((a, b) => a - b);
          for (const q of [0.5, 0.95, 0.99, 0.999]) {
            const want = xs.length === 0 ? 0 : xs[Math.max(0, Math.ceil(q * xs.length) - 1)];
            assertEquals(p.percentile(q), want);
          }
        }
      },
    ),
    { numRuns: 50 },
  );
});
