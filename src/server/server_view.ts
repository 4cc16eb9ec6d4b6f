// What the four-letter words and the AdminServer print about a running
// server, gathered into one FourLetterView: conf, envi, mntr, wchs/wchc/wchp,
// dump, stat. The server hands over its state (ViewSource); this file shapes
// it as 3.8 does. It also reads the process's own facts (file descriptors
// from /proc, host, user, cwd), which is why it is a shell, not the core.
import type { ZkConfig } from "../config/types.ts";
import type { WatchManager } from "../data/watch_manager.ts";
import type { ClientCnxn } from "./cnxn.ts";
import type { ServerDatabase } from "./database.ts";
import type { FourLetterView, MinAvgMax } from "./four_letter.ts";
import { grownCapacity, javaHashSetOrder } from "./java_order.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import { hexId } from "./session_id.ts";
import type { SessionTracker } from "./session_tracker.ts";

/** The server state a view is built from. */
export interface ViewSource {
  cfg: ZkConfig;
  db: ServerDatabase;
  sessions: SessionTracker;
  watches: WatchManager<ClientCnxn>;
  cnxns: ReadonlySet<ClientCnxn>;
  serving: boolean;
  version: string;
  mode: string;
  latency: MinAvgMax;
  packetsReceived: number;
  packetsSent: number;
  authFailed: number;
  /** Requests whose txn is not yet durable. */
  outstanding: number;
  lastZxid: bigint;
  /** The port the client listener is bound to, if it is. */
  clientPort: number | undefined;
  metrics: ServerMetrics;
  uptimeMs: number;
  digestLog: [bigint, bigint][];
  traceMask: bigint;
  sessionlessMs: number;
  /** A quorum peer's extra lines (conf, mntr, stat). */
  extra: {
    conf?: [string, string | number | null][];
    monitor?: [string, string | number][];
    stat?: string[];
  };
  /** A session's ephemerals in its HashSet's order. */
  ephemeralOrder(sessionId: bigint): string[];
  setTraceMask(mask: bigint): void;
  resetServerStats(): void;
}

/** The process facts 3.8 lists from Java system properties, with zkt's own values. */
export function processProperties(): [string, string][] {
  const env = (k: string) => {
    try {
      return Deno.env.get(k);
    } catch {
      return undefined; // no env permission
    }
  };
  const get = (f: () => string) => {
    try {
      return f();
    } catch {
      return ""; // no sys/read permission
    }
  };
  return [
    ["os.name", Deno.build.os === "linux" ? "Linux" : Deno.build.os],
    ["os.arch", Deno.build.arch === "x86_64" ? "amd64" : Deno.build.arch],
    ["os.version", get(() => Deno.osRelease())],
    ["user.name", env("USER") ?? env("LOGNAME") ?? "?"],
    ["user.home", env("HOME") ?? "?"],
    ["user.dir", get(() => Deno.cwd())],
  ];
}

/** The snapshot four-letter words and the AdminServer print. */
export function buildFourLetterView(s: ViewSource): FourLetterView {
  const tree = s.db.tree;
  const extra = s.extra;
  const buckets = new Map<number, bigint[]>();
  for (const id of s.sessions.ids()) {
    const sess = s.sessions.get(id)!;
    let b = buckets.get(sess.expiresAt);
    if (!b) buckets.set(sess.expiresAt, b = []);
    b.push(id);
  }
  // wchs/wchc/wchp report DataTree's data watches only, as 3.8 does (child
  // watches count in mntr's zk_watch_count alone).
  const byPath = new Map<string, Set<ClientCnxn>>();
  for (const [p, ws] of s.watches.data.byPathEntries()) {
    let set = byPath.get(p);
    if (!set) byPath.set(p, set = new Set());
    for (const w of ws) set.add(w);
  }
  const bySession = new Map<bigint, Set<string>>();
  for (const [w, paths] of s.watches.data.byWatcherEntries()) {
    let set = bySession.get(w.sessionId);
    if (!set) bySession.set(w.sessionId, set = new Set());
    for (const p of paths) set.add(p);
  }
  const ds = s.watches.data.summary();
  const cs = s.watches.child.summary();
  const conns = [...s.cnxns].map((c) => c.view());
  let ephemeralCount = 0;
  for (const e of tree.ephemerals.values()) ephemeralCount += e.size;
  const sizes = s.db.dirSizes();
  const cfg = s.cfg;
  return {
    serving: s.serving,
    version: s.version,
    mode: s.mode,
    latency: s.latency,
    packetsReceived: s.packetsReceived,
    packetsSent: s.packetsSent,
    outstanding: s.outstanding,
    lastZxid: s.lastZxid,
    // 3.8 keys the root under both "" and "/", so its count is one more.
    nodeCount: tree.size + 1,
    connections: conns,
    conf: [
      ["clientPort", s.clientPort ?? cfg.clientPort ?? -1],
      ["secureClientPort", -1],
      ["dataDir", s.db.snapDir],
      ["dataDirSize", sizes.data],
      ["dataLogDir", s.db.logDir],
      ["dataLogSize", sizes.log],
      ["tickTime", cfg.tickTime],
      ["maxClientCnxns", cfg.maxClientCnxns],
      ["minSessionTimeout", cfg.minSessionTimeout],
      ["maxSessionTimeout", cfg.maxSessionTimeout],
      ["clientPortListenBacklog", -1],
      ["serverId", cfg.myid ?? 0],
      ...(extra.conf ?? []),
    ],
    dataDirSize: sizes.data,
    logDirSize: sizes.log,
    fsyncThresholdExceedCount: s.db.slowSyncs ?? 0,
    env: [
      ["zookeeper.version", s.version],
      ["host.name", Deno.hostname()],
      ["java.version", "n/a (zkt on Deno " + Deno.version.deno + ")"],
      ["java.vendor", "n/a"],
      ["java.home", "n/a"],
      ["java.class.path", "n/a"],
      ["java.library.path", "n/a"],
      ["java.io.tmpdir", "/tmp"],
      ["java.compiler", "<NA>"],
      ...processProperties(),
    ],
    monitor: [
      ["version", s.version],
      ["server_state", s.mode],
      ["ephemerals_count", ephemeralCount],
      ["num_alive_connections", conns.length],
      [
        "avg_latency",
        s.latency.avg === Math.floor(s.latency.avg) ? s.latency.avg.toFixed(1) : s.latency.avg,
      ],
      ["outstanding_requests", s.outstanding],
      ["znode_count", tree.size + 1],
      ["global_sessions", s.sessions.size],
      ["local_sessions", 0],
      ["packets_sent", s.packetsSent],
      ["packets_received", s.packetsReceived],
      ["watch_count", ds.watches + cs.watches],
      ["auth_failed_count", s.authFailed],
      ["min_latency", s.latency.min],
      ["max_latency", s.latency.max],
      ["approximate_data_size", approximateDataSize(s)],
      ...fileDescriptorCounts(),
      ["uptime", s.uptimeMs],
      ["last_proposal_size", -1],
      ...s.metrics.entries(),
      ...(extra.monitor ?? []),
    ],
    watchSummary: { watchers: ds.watchers, paths: ds.paths, watches: ds.watches },
    // In the order of 3.8's watchTable, a HashMap<String, ...> that never shrinks.
    watchesByPath: javaHashSetOrder(byPath.keys(), grownCapacity(s.watches.data.peakPaths, 16))
      .map((p) => [p, [...byPath.get(p)!].map((w) => w.sessionId)]),
    watchesBySession: [...bySession].map(([id, ps]) => [id, [...ps]]),
    sessionBuckets: [...buckets],
    sessionCount: s.sessions.size,
    // DataTree.dumpEphemerals: every session that has had an ephemeral (until it
    // ends), its paths in its HashSet's order.
    ephemerals: [...tree.ephemerals.keys()].map((id) => [id, s.ephemeralOrder(id)]),
    connectionBuckets: connectionBuckets(s),
    connectionCount: conns.length,
    digestLog: s.digestLog,
    traceMask: s.traceMask,
    setTraceMask: (mask) => s.setTraceMask(mask),
    statExtra: extra.stat ?? [],
    resetServerStats: () => s.resetServerStats(),
    resetConnectionStats: () => {
      for (const c of s.cnxns) c.resetStats();
    },
  };
}

/** NIOServerCnxnFactory's connection expiry queue, for dump: session deadline or sessionless one. */
function connectionBuckets(s: ViewSource): [number, string[]][] {
  const tick = s.cfg.tickTime;
  const out = new Map<number, string[]>();
  for (const c of s.cnxns) {
    const sess = c.sessionId !== 0n ? s.sessions.get(c.sessionId) : undefined;
    const at = sess
      ? sess.expiresAt
      : (Math.floor((c.establishedMs + s.sessionlessMs) / tick) + 1) * tick;
    let b = out.get(at);
    if (!b) out.set(at, b = []);
    b.push(`ip: ${c.remote} sessionId: ${hexId(c.sessionId)}`);
  }
  return [...out];
}

function approximateDataSize(s: ViewSource): number {
  return s.db.tree.approximateDataSize();
}

/** zk_open/max_file_descriptor_count (3.8 prints them on Unix): from /proc on Linux. */
function fileDescriptorCounts(): [string, number][] {
  try {
    let open = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) open++;
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const m = limits.match(/^Max open files\s+(\d+)/m);
    return [["open_file_descriptor_count", open], [
      "max_file_descriptor_count",
      m ? Number(m[1]) : -1,
    ]];
  } catch {
    return [];
  }
}
