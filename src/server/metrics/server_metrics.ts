// The numbers behind mntr, AdminServer `monitor` and Prometheus /metrics: one
// object per server, updated at the measurement points, read by all three. Names
// and kinds are 3.8's ServerMetrics (counters, gauges, avg/min/max/cnt/sum
// summaries, p50..p999 for the "advanced" ones, and *_per_namespace summary
// sets keyed by a path's top-level znode). Pure: callers pass every value.
//
// Which of a standalone 3.8's mntr keys zkt prints:
// - measured here (class a): readlatency, updatelatency, propagation_latency,
//   prep_process_time, close_session_prep_time, fsynctime, snapshottime,
//   dbinittime, startup_txns_loaded, sync_processor_batch_size,
//   sync_processor_queue_time_ms, sync_processor_queue_flush_time_ms,
//   sync_processor_queue_and_flush_time_ms, node_{created,deleted,changed,
//   children}_watch_count, {read,write}_per_namespace, and the counters
//   bytes_received_count, connection_request_count, connection_rejected,
//   stale_sessions_expired, sessionless_connections_expired, response_bytes,
//   watch_bytes, prep_processor_request_queued and sync_processor_request_queued
//   (both: requests into the one pipeline, as 3.8 standalone passes all),
//   cnxn_closed_without_zk_server_running, unrecoverable_error_count,
//   digest_mismatches_count (what restore found: the snapshot's check and the
//   first mismatching txn, so a lower bound once a log goes wrong), plus the
//   last/min/max_client_response_size and non_mtls_{local,remote}_conn_count
//   gauges;
// - true but trivial in zkt (class b): dead_watchers_queued/cleared,
//   add_dead_watcher_stall_time and dead_watchers_cleaner_latency (a closed
//   connection's watches are removed at once, as by 3.8's default
//   WatchManager: nothing is ever queued), outstanding_tls_handshake (no TLS
//   port);
// - left out, no such thing in zkt (class c): the JVM (jvm_pause_time_ms),
//   netty buffers, connection/request throttling (throttled_ops,
//   connection_drop_*, connection_token_deficit, request_throttle_*,
//   stale_requests*, large_requests_rejected), the prep/commit processor queues
//   and thread pools (prep_processor_queue_*, *commit_proc*, *commitproc*,
//   *final_proc*, session queue stats, concurrent_request_processing_*,
//   outstanding_changes_*, proposal_process_time, sync_process_time,
//   sync_processor_queue_size), the response packet caches, TLS/mTLS counts,
//   insecure_admin_count, socket_closing_time, startup_snap_load_time and
//   startup_txns_load_time (restore is one step), and every leader/learner/
//   election metric (a quorum peer adds its own through extraFourLetter).
import { javaDouble, MinAvgMax } from "../four_letter.ts";

/**
 * The base names (without avg_/min_/max_/cnt_/sum_/p50_.. prefixes) of a
 * standalone 3.8 server's mntr keys that zkt leaves out, by reason: zkt has
 * no such thing, so any number would be made up. A quorum peer adds its own
 * role's keys (followers, election_time, ...) through extraFourLetter.
 */
export const NOT_IN_ZKT: Readonly<Record<string, readonly string[]>> = {
  "no JVM, no netty": ["jvm_pause_time_ms", "netty_queued_buffer_capacity"],
  "no connection or request throttling": [
    "throttled_ops",
    "connection_drop_count",
    "connection_drop_probability",
    "connection_token_deficit",
    "request_throttle_wait_count",
    "request_throttle_queue_time_ms",
    "stale_requests",
    "stale_requests_dropped",
    "stale_replies",
    "large_requests_rejected",
  ],
  "no prep/commit processor queues or thread pools (one ordered pipeline)": [
    "prep_processor_queue_size",
    "prep_processor_queue_time_ms",
    "proposal_process_time",
    "outstanding_changes_queued",
    "outstanding_changes_removed",
    "sync_process_time",
    "sync_processor_queue_size",
    "commit_process_time",
    "request_commit_queued",
    "requests_not_forwarded_to_commit_processor",
    "read_commit_proc_req_queued",
    "write_commit_proc_req_queued",
    "commit_commit_proc_req_queued",
    "read_commit_proc_issued",
    "write_commit_proc_issued",
    "read_commitproc_time_ms",
    "write_commitproc_time_ms",
    "local_write_committed_time_ms",
    "server_write_committed_time_ms",
    "read_final_proc_time_ms",
    "write_final_proc_time_ms",
    "write_batch_time_in_commit_processor",
    "concurrent_request_processing_in_commit_processor",
    "time_waiting_empty_pool_in_commit_processor_read_ms",
    "requests_in_session_queue",
    "pending_session_queue_size",
    "reads_after_write_in_session_queue",
    "reads_issued_from_session_queue",
    "session_queues_drained",
  ],
  "no response packet cache": [
    "response_packet_cache_hits",
    "response_packet_cache_misses",
    "response_packet_get_children_cache_hits",
    "response_packet_get_children_cache_misses",
  ],
  "no TLS client port, no admin-over-TLS, no socket close timing": [
    "tls_handshake_exceeded",
    "unsuccessful_handshake",
    "insecure_admin_count",
    "socket_closing_time",
  ],
  "restore is one step (dbinittime covers it)": [
    "startup_snap_load_time",
    "startup_txns_load_time",
  ],
};

/**
 * 3.8's leader, learner and election metrics, by mntr shape. A standalone 3.8
 * prints them all as zeros, and so does a standalone zkt (they are zero: no
 * Zab, no election). An ensemble zkt peer prints election_time, which it
 * measures, and leaves the rest out until Zab exists.
 */
export const QUORUM_METRICS = {
  counters: [
    "looking_count",
    "diff_count",
    "snap_count",
    "commit_count",
    "proposal_count",
    "learner_proposal_received_count",
    "learner_commit_received_count",
    "quit_leading_due_to_disloyal_voter",
    "ensemble_auth_success",
    "ensemble_auth_fail",
    "ensemble_auth_skip",
    "skip_learner_request_to_next_processor_count",
    "revalidate_count",
    "connection_revalidate_count",
  ],
  summaries: [
    "learner_request_processor_queue_size",
    "election_time",
    "follower_sync_time",
    "observer_sync_time",
    "leader_unavailable_time",
    "unavailable_time",
    "inflight_diff_count",
    "inflight_snap_count",
  ],
  percentileSummaries: [
    "om_proposal_process_time_ms",
    "om_commit_process_time_ms",
    "proposal_latency",
    "proposal_ack_creation_latency",
    "commit_propagation_latency",
    "quorum_ack_latency",
  ],
} as const;

/** The mntr lines of QUORUM_METRICS on a standalone server: every one zero. */
export function standaloneQuorumLines(): [string, string | number][] {
  const zero = new MinAvgMax();
  const out: [string, string | number][] = [];
  for (const k of QUORUM_METRICS.counters) out.push([k, 0]);
  for (const k of QUORUM_METRICS.summaries) out.push(...summaryLines(k, zero));
  for (const k of QUORUM_METRICS.percentileSummaries) {
    out.push(...summaryLines(k, zero));
    for (const p of ["p50", "p95", "p99", "p999"]) out.push([`${p}_${k}`, 0]);
  }
  return out;
}

/** The metric a mntr key belongs to: summary prefixes dropped, a namespace set's key too. */
export function metricBase(key: string): string {
  const k = key.replace(/^(avg|min|max|cnt|sum|p50|p95|p99|p999)_/, "");
  const set = /^.+_((?:read|write)_per_namespace)$/.exec(k);
  return set ? set[1] : k;
}

/** Size of the recent-value reservoir behind p50..p999 (Dropwizard's default 1028). */
const RESERVOIR = 1028;

/** An avg/min/max/cnt/sum summary that also keeps recent values for p50/p95/p99/p999. */
export class PercentileSummary extends MinAvgMax {
  private readonly recent = new Float64Array(RESERVOIR);
  private filled = 0;
  private next = 0;
  /** The recent values sorted, until the next add (mntr asks for four quantiles at once). */
  private sorted: Float64Array | null = null;

  override add(v: number): void {
    super.add(v);
    this.recent[this.next] = v;
    this.next = (this.next + 1) % RESERVOIR;
    if (this.filled < RESERVOIR) this.filled++;
    this.sorted = null;
  }

  /** Nearest-rank q-quantile of the recent values (0 when none), as a long. */
  percentile(q: number): number {
    if (this.filled === 0) return 0;
    // A typed array sorts numerically without a comparator: one sort per change.
    const xs = this.sorted ??= this.recent.slice(0, this.filled).sort();
    return Math.floor(xs[Math.max(0, Math.ceil(q * xs.length) - 1)]);
  }

  override reset(): void {
    super.reset();
    this.filled = this.next = 0;
    this.sorted = null;
  }
}

/** Paths remembered per set, so a repeated path finds its namespace without a slice. */
const PATH_CACHE = 4096;

/** A set of summaries keyed by namespace (3.8's SummarySet). */
export class SummarySet {
  readonly byKey = new Map<string, MinAvgMax>();
  private readonly byPath = new Map<string, MinAvgMax | null>();

  add(key: string, v: number): void {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, m = new MinAvgMax());
    m.add(v);
  }

  /** Adds `v` under `path`'s top-level znode (nothing for "/"). */
  addAt(path: string, v: number): void {
    let m = this.byPath.get(path);
    if (m === undefined) {
      const ns = topNamespace(path);
      if (ns !== null) {
        m = this.byKey.get(ns);
        if (!m) this.byKey.set(ns, m = new MinAvgMax());
      } else {
        m = null;
      }
      // Bounded: a workload over many paths just starts the cache over.
      if (this.byPath.size >= PATH_CACHE) this.byPath.clear();
      this.byPath.set(path, m);
    }
    m?.add(v);
  }
}

/** DataTree.STAT_OVERHEAD_BYTES: what a read's Stat costs on top of path and data. */
export const STAT_OVERHEAD_BYTES = 6 * 8 + 5 * 4;

/** The top-level znode of a path ("/a/b" → "a"), or null for "/" (PathUtils.getTopNamespace). */
export function topNamespace(path: string): string | null {
  if (path.length < 2 || path.charCodeAt(0) !== 47) return null;
  const end = path.indexOf("/", 1);
  return end === -1 ? path.slice(1) : end === 1 ? null : path.slice(1, end);
}

/** Counter names (3.8's ServerMetrics counters that zkt measures). */
export const COUNTERS = [
  "bytes_received_count",
  "connection_request_count",
  "connection_rejected",
  "stale_sessions_expired",
  "sessionless_connections_expired",
  "response_bytes",
  "watch_bytes",
  "prep_processor_request_queued",
  "sync_processor_request_queued",
  "cnxn_closed_without_zk_server_running",
  "unrecoverable_error_count",
  "dead_watchers_queued",
  "dead_watchers_cleared",
  "add_dead_watcher_stall_time",
  "digest_mismatches_count",
] as const;
export type CounterName = typeof COUNTERS[number];

/** Plain summaries (avg/min/max/cnt/sum). */
export const SUMMARIES = [
  "fsynctime",
  "snapshottime",
  "dbinittime",
  "startup_txns_loaded",
  "sync_processor_batch_size",
  "prep_process_time",
  "node_created_watch_count",
  "node_deleted_watch_count",
  "node_changed_watch_count",
  "node_children_watch_count",
] as const;
export type SummaryName = typeof SUMMARIES[number];

/** Summaries 3.8 registers as ADVANCED: mntr adds p50_/p95_/p99_/p999_. */
export const PERCENTILE_SUMMARIES = [
  "readlatency",
  "updatelatency",
  "propagation_latency",
  "close_session_prep_time",
  "sync_processor_queue_time_ms",
  "sync_processor_queue_flush_time_ms",
  "sync_processor_queue_and_flush_time_ms",
  "dead_watchers_cleaner_latency",
] as const;
export type PercentileName = typeof PERCENTILE_SUMMARIES[number];

/** The per-namespace summary sets. */
export const SUMMARY_SETS = ["read_per_namespace", "write_per_namespace"] as const;

/** The server's metrics, named as 3.8 names them. */
export class ServerMetrics {
  readonly counters: Record<CounterName, number>;
  readonly summaries: Record<SummaryName, MinAvgMax>;
  readonly percentiles: Record<PercentileName, PercentileSummary>;
  readonly readPerNamespace = new SummarySet();
  readonly writePerNamespace = new SummarySet();
  /**
   * Plain-TCP client connections accepted, from loopback and from elsewhere
   * (ServerStats' non_mtls_local/remote_conn_count, as 3.8's netty factory
   * counts them; zkt has no TLS port, so every connection is one).
   */
  nonMtlsLocal = 0;
  nonMtlsRemote = 0;
  /** BufferStats: reply sizes (-1 until the first reply). */
  lastResponseSize = -1;
  minResponseSize = -1;
  maxResponseSize = -1;

  constructor() {
    this.counters = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Record<CounterName, number>;
    this.summaries = Object.fromEntries(SUMMARIES.map((k) => [k, new MinAvgMax()])) as Record<
      SummaryName,
      MinAvgMax
    >;
    this.percentiles = Object.fromEntries(
      PERCENTILE_SUMMARIES.map((k) => [k, new PercentileSummary()]),
    ) as Record<PercentileName, PercentileSummary>;
  }

  /** One reply of `size` bytes went out (ServerStats.updateClientResponseSize + RESPONSE_BYTES). */
  responseSent(size: number): void {
    this.lastResponseSize = size;
    if (this.minResponseSize < 0 || size < this.minResponseSize) this.minResponseSize = size;
    if (size > this.maxResponseSize) this.maxResponseSize = size;
    this.counters.response_bytes += size;
  }

  /** A read of `path` returned `bytes` of data or child names (DataTree.updateReadStat). */
  readStat(path: string, bytes: number): void {
    this.readPerNamespace.addAt(path, path.length + bytes + STAT_OVERHEAD_BYTES);
  }

  /** A txn changed `path`, writing `bytes` of data (DataTree.updateWriteStat). */
  writeStat(path: string, bytes: number): void {
    this.writePerNamespace.addAt(path, path.length + bytes);
  }

  /** Watchers one event fired, by event type (1 created … 4 children changed). */
  watchersFired(eventType: number, n: number): void {
    if (n === 0) return;
    const s = this.summaries;
    if (eventType === 1) s.node_created_watch_count.add(n);
    else if (eventType === 2) s.node_deleted_watch_count.add(n);
    else if (eventType === 3) s.node_changed_watch_count.add(n);
    else if (eventType === 4) s.node_children_watch_count.add(n);
  }

  /** srst: every metric back to zero (3.8's ServerStats.reset → ServerMetrics.resetAll). */
  reset(): void {
    for (const k of COUNTERS) this.counters[k] = 0;
    for (const k of SUMMARIES) this.summaries[k].reset();
    for (const k of PERCENTILE_SUMMARIES) this.percentiles[k].reset();
    // 3.8's SummarySet reset zeroes each key's summary and keeps the key.
    for (const m of this.readPerNamespace.byKey.values()) m.reset();
    for (const m of this.writePerNamespace.byKey.values()) m.reset();
    this.lastResponseSize = this.minResponseSize = this.maxResponseSize = -1;
  }

  /** Every summary with its mntr name, for /metrics to sample quantiles from. */
  allSummaries(): [string, MinAvgMax][] {
    return [
      ...Object.entries(this.summaries),
      ...Object.entries(this.percentiles),
    ];
  }

  /** The mntr lines (without zk_) of these metrics, in a stable order. */
  entries(): [string, string | number][] {
    const out: [string, string | number][] = [
      ["last_client_response_size", this.lastResponseSize],
      ["min_client_response_size", this.minResponseSize],
      ["max_client_response_size", this.maxResponseSize],
      // No TLS client port: no handshake is ever outstanding.
      ["outstanding_tls_handshake", 0],
      ["non_mtls_local_conn_count", this.nonMtlsLocal],
      ["non_mtls_remote_conn_count", this.nonMtlsRemote],
    ];
    for (const k of COUNTERS) out.push([k, this.counters[k]]);
    for (const k of SUMMARIES) out.push(...summaryLines(k, this.summaries[k]));
    for (const k of PERCENTILE_SUMMARIES) {
      const p = this.percentiles[k];
      out.push(
        ...summaryLines(k, p),
        [`p50_${k}`, p.percentile(0.5)],
        [`p95_${k}`, p.percentile(0.95)],
        [`p99_${k}`, p.percentile(0.99)],
        [`p999_${k}`, p.percentile(0.999)],
      );
    }
    for (
      const [set, name] of [[this.readPerNamespace, "read"], [
        this.writePerNamespace,
        "write",
      ]] as const
    ) {
      for (const [ns, m] of set.byKey) out.push(...summaryLines(`${ns}_${name}_per_namespace`, m));
    }
    return out;
  }
}

/** 3.8's summary metric lines: avg_, min_, max_, cnt_, sum_ + name. */
export function summaryLines(name: string, m: MinAvgMax): [string, string | number][] {
  return [
    [`avg_${name}`, javaDouble(m.avg)],
    [`min_${name}`, m.min],
    [`max_${name}`, m.max],
    [`cnt_${name}`, m.n],
    [`sum_${name}`, m.sum],
  ];
}
