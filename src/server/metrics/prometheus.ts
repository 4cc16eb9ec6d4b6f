// Prometheus text exposition (format 0.0.4) as ZooKeeper 3.8's
// PrometheusMetricsProvider writes it (simpleclient 0.9): `# HELP name name`,
// `# TYPE name gauge|counter|summary`, samples with Java double values, label
// sets with a trailing comma (`{quantile="0.5",}`). Metric names are
// ZooKeeper's: mntr keys without the zk_ prefix. Pure.
import { javaDoubleString } from "../admin/json.ts";

/** One sample line. */
export interface Sample {
  name: string;
  labels: [string, string][];
  value: number;
}

/** A metric family: its samples share name, help and type. */
export interface MetricFamily {
  name: string;
  type: "gauge" | "counter" | "summary";
  help: string;
  samples: Sample[];
}

/** Content type of the 0.0.4 text format (simpleclient's TextFormat.CONTENT_TYPE_004). */
export const CONTENT_TYPE_004 = "text/plain; version=0.0.4; charset=utf-8";

/** ServerMetrics' counters in 3.8 (everything else numeric in mntr is a gauge or a summary). */
export const ZK_COUNTERS: ReadonlySet<string> = new Set([
  "looking_count",
  "diff_count",
  "snap_count",
  "commit_count",
  "connection_request_count",
  "connection_rejected",
  "bytes_received_count",
  "unrecoverable_error_count",
  "add_dead_watcher_stall_time",
  "dead_watchers_queued",
  "dead_watchers_cleared",
  "response_packet_cache_hits",
  "response_packet_cache_misses",
  "response_packet_get_children_cache_hits",
  "response_packet_get_children_cache_misses",
  "ensemble_auth_success",
  "ensemble_auth_fail",
  "ensemble_auth_skip",
  "prep_processor_request_queued",
  "outstanding_changes_queued",
  "outstanding_changes_removed",
  "revalidate_count",
  "connection_drop_count",
  "connection_revalidate_count",
  "sessionless_connections_expired",
  "stale_sessions_expired",
  "request_commit_queued",
  "throttled_ops",
  "learner_proposal_received_count",
  "learner_commit_received_count",
  "sync_processor_request_queued",
  "proposal_count",
  "quit_leading_due_to_disloyal_voter",
  "stale_requests",
  "stale_requests_dropped",
  "stale_replies",
  "request_throttle_wait_count",
  "large_requests_rejected",
  "digest_mismatches_count",
  "unsuccessful_handshake",
  "insecure_admin_count",
  "tls_handshake_exceeded",
  "cnxn_closed_without_zk_server_running",
  "skip_learner_request_to_next_processor_count",
  "response_bytes",
  "watch_bytes",
]);

/** Summaries 3.8 registers with DetailLevel.ADVANCED (quantiles 0.5, 0.9, 0.99); others get 0.5. */
export const ZK_ADVANCED_SUMMARIES: ReadonlySet<string> = new Set([
  "readlatency",
  "updatelatency",
  "propagation_latency",
  "dead_watchers_cleaner_latency",
  "prep_processor_queue_time_ms",
  "close_session_prep_time",
  "read_commitproc_time_ms",
  "write_commitproc_time_ms",
  "local_write_committed_time_ms",
  "server_write_committed_time_ms",
  "om_proposal_process_time_ms",
  "om_commit_process_time_ms",
  "read_final_proc_time_ms",
  "write_final_proc_time_ms",
  "proposal_latency",
  "proposal_ack_creation_latency",
  "commit_propagation_latency",
  "sync_processor_queue_and_flush_time_ms",
  "sync_processor_queue_time_ms",
  "sync_processor_queue_flush_time_ms",
  "quorum_ack_latency",
  "request_throttle_queue_time_ms",
  "jvm_pause_time_ms",
]);

/** The quantiles a summary of that name reports. */
export function quantilesOf(name: string): number[] {
  return ZK_ADVANCED_SUMMARIES.has(name) ? [0.5, 0.9, 0.99] : [0.5];
}

/** Where quantile estimates come from: undefined when nobody samples that summary. */
export type QuantileSource = (name: string, q: number) => number | undefined;

const SUMMARY_PARTS = ["avg_", "min_", "max_", "cnt_", "sum_"] as const;
const PERCENTILE_PARTS = ["p50_", "p95_", "p99_", "p999_"] as const;
/** 3.8's SummarySets: <key>_<name>, e.g. app_read_per_namespace. */
const SUMMARY_SET = /^(.+)_((?:read|write)_per_namespace)$/;

function numeric(v: string | number): number | undefined {
  if (typeof v === "number") return v;
  if (/^-?\d+(\.\d+)?(E-?\d+)?$/.test(v)) return Number(v);
  return undefined;
}

/**
 * Metric families from mntr's key/values. Numeric keys become gauges (or
 * counters, for ServerMetrics' counters); an avg_/min_/max_/cnt_/sum_ group
 * becomes a summary with _count, _sum and, when `quantiles` samples it, its
 * quantiles. Text values (version, server_state) are not metrics.
 */
export function familiesFromMonitor(
  monitor: [string, string | number][],
  quantiles: QuantileSource = () => undefined,
): MetricFamily[] {
  const values = new Map<string, number>();
  for (const [k, v] of monitor) {
    const n = numeric(v);
    if (n !== undefined) values.set(k, n);
  }
  const summaries = new Set<string>();
  for (const k of values.keys()) {
    if (!k.startsWith("cnt_")) continue;
    const base = k.slice(4);
    if (values.has("sum_" + base)) summaries.add(base);
  }
  // Summary x already owns the sample names x_count and x_sum, so a summary
  // named x_count or x_sum would repeat them: its keys stay plain gauges.
  for (const base of [...summaries]) {
    const m = /^(.*)_(count|sum)$/.exec(base);
    if (m && summaries.has(m[1])) summaries.delete(base);
  }
  const out: MetricFamily[] = [];
  const done = new Set<string>();
  // mntr's p50_/p95_/p99_/p999_ lines are the summary's quantiles: /metrics
  // reports those as quantile samples of the summary, not as gauges.
  for (const base of summaries) for (const p of PERCENTILE_PARTS) done.add(p + base);
  const sets = new Map<string, MetricFamily>();
  for (const [k, v] of values) {
    if (done.has(k)) continue;
    const part = SUMMARY_PARTS.find((p) => k.startsWith(p));
    const base = part ? k.slice(part.length) : "";
    const set = part && summaries.has(base) ? SUMMARY_SET.exec(base) : null;
    if (set) {
      // A SummarySet (x_read_per_namespace, ...) is one family keyed by label,
      // as PrometheusMetricsProvider registers it.
      for (const p of SUMMARY_PARTS) done.add(p + base);
      const name = set[2];
      let fam = sets.get(name);
      if (!fam) {
        fam = { name, type: "summary", help: name, samples: [] };
        sets.set(name, fam);
        out.push(fam);
      }
      const key: [string, string] = ["key", set[1]];
      fam.samples.push(
        { name: name + "_count", labels: [key], value: values.get("cnt_" + base)! },
        { name: name + "_sum", labels: [key], value: values.get("sum_" + base)! },
      );
      continue;
    }
    if (part && summaries.has(base)) {
      for (const p of SUMMARY_PARTS) done.add(p + base);
      const samples: Sample[] = [];
      for (const q of quantilesOf(base)) {
        const est = quantiles(base, q);
        if (est !== undefined) {
          samples.push({ name: base, labels: [["quantile", javaDoubleString(q)]], value: est });
        }
      }
      samples.push({ name: base + "_count", labels: [], value: values.get("cnt_" + base)! });
      samples.push({ name: base + "_sum", labels: [], value: values.get("sum_" + base)! });
      out.push({ name: base, type: "summary", help: base, samples });
      continue;
    }
    done.add(k);
    // A plain key that would collide with a summary's own sample names is left out.
    if (summaries.has(k) || summaries.has(k.replace(/_(count|sum)$/, ""))) continue;
    out.push({
      name: k,
      type: ZK_COUNTERS.has(k) ? "counter" : "gauge",
      help: k,
      samples: [{ name: k, labels: [], value: v }],
    });
  }
  return out;
}

/** simpleclient's doubleToGoString. */
export function goDouble(x: number): string {
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  return javaDoubleString(x);
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Families as text format 0.0.4 (simpleclient's TextFormat.write004). */
export function formatText004(families: MetricFamily[]): string {
  let s = "";
  for (const f of families) {
    s += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const x of f.samples) {
      s += x.name;
      if (x.labels.length > 0) {
        s += "{" + x.labels.map(([k, v]) => `${k}="${escapeLabel(v)}",`).join("") + "}";
      }
      s += " " + goDouble(x.value) + "\n";
    }
  }
  return s;
}
