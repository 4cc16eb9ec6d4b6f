// What the four-letter words, the AdminServer and /metrics print about a
// running server: a FourLetterView whose parts (conf, envi, mntr, wchs/wchc/
// wchp, dump, cons) are each computed on first use, so `ruok` and `srvr`
// cost a few field reads and mntr only counters the tree and the watch
// tables keep as they change. The server hands over its state (ViewSource);
// this file shapes it as 3.8 does. File-system facts (dir sizes, descriptor
// counts) come from a cache refreshed in the background (FsFacts), never from
// blocking calls here. It also reads the process's host, user and cwd (envi),
// which is why it is a shell, not the core.
import type { ZkConfig } from "../config/types.ts";
import type { WatchManager } from "../data/watch_manager.ts";
import type { ClientCnxn } from "./cnxn.ts";
import type { ServerDatabase } from "./database.ts";
import type { FourLetterView, MinAvgMax } from "./four_letter.ts";
import { grownCapacity, javaHashSetOrder } from "./java_order.ts";
import type { FsSample } from "./metrics/fs_facts.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import { hexId } from "./session_id.ts";
import type { SessionInfo } from "./session_tracker.ts";

/** The sessions a view counts and lists (the current role's tracker). */
export interface SessionsView {
  /** Global sessions (mntr's global_sessions). */
  readonly globalCount: number;
  /** Local sessions (localSessionsEnabled; mntr's local_sessions). */
  readonly localCount: number;
  ids(): bigint[];
  get(id: bigint): SessionInfo | undefined;
}

/** The server state a view is built from. */
export interface ViewSource {
  cfg: ZkConfig;
  db: ServerDatabase;
  sessions: SessionsView;
  watches: WatchManager<ClientCnxn>;
  cnxns: ReadonlySet<ClientCnxn>;
  /** Client requests are served (not LOOKING, not an ensemble peer before its role has synced, not stopped). */
  serving: boolean;
  version: string;
  mode: string;
  latency: MinAvgMax;
  packetsReceived: number;
  packetsSent: number;
  authFailed: number;
  /** Requests in process: whose txn is not yet durable, or (a learner) not yet answered by the leader. */
  outstanding: number;
  lastZxid: bigint;
  /** The port the client listener is bound to, if it is. */
  clientPort: number | undefined;
  metrics: ServerMetrics;
  uptimeMs: number;
  digestLog: [bigint, bigint][];
  traceMask: bigint;
  sessionlessMs: number;
  /** The last sampled dir sizes and descriptor counts (never read on the spot). */
  fs(): FsSample;
  /** A quorum peer's extra lines (conf, mntr, stat); asked for only by the words that print them. */
  extra(): {
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

/** Defines `key` on `o` as a getter that computes once, on first read (enumerable, so spreads see it). */
function lazy<T extends object, K extends keyof T>(o: T, key: K, make: () => T[K]): void {
  Object.defineProperty(o, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make();
      Object.defineProperty(o, key, { value, enumerable: true, writable: true });
      return value;
    },
  });
}

/** Runs `f` once and keeps its result. */
function once<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
}

/**
 * The view four-letter words, the AdminServer and /metrics read. Cheap
 * fields are read now; every part that walks something (connections,
 * watches, sessions, ephemerals) or asks for more (conf, envi, mntr) is
 * computed on first read, so each answer pays only for what it prints.
 */
export function buildFourLetterView(s: ViewSource): FourLetterView {
  const extra = once(() => s.extra());
  const fs = once(() => s.fs());
  const v = {
    serving: s.serving,
    version: s.version,
    mode: s.mode,
    latency: s.latency,
    packetsReceived: s.packetsReceived,
    packetsSent: s.packetsSent,
    outstanding: s.outstanding,
    lastZxid: s.lastZxid,
    // 3.8 keys the root under both "" and "/", so its count is one more.
    nodeCount: s.db.tree.size + 1,
    connectionCount: s.cnxns.size,
    sessionCount: s.sessions.globalCount + s.sessions.localCount,
    fsyncThresholdExceedCount: s.db.slowSyncs ?? 0,
    stats: {
      uptimeMs: s.uptimeMs,
      authFailed: s.authFailed,
      nonMtlsLocal: s.metrics.nonMtlsLocal,
      nonMtlsRemote: s.metrics.nonMtlsRemote,
      lastResponseSize: s.metrics.lastResponseSize,
      minResponseSize: s.metrics.minResponseSize,
      maxResponseSize: s.metrics.maxResponseSize,
    },
    digestLog: s.digestLog,
    traceMask: s.traceMask,
    setTraceMask: (mask: bigint) => s.setTraceMask(mask),
    resetServerStats: () => s.resetServerStats(),
    resetConnectionStats: () => {
      for (const c of s.cnxns) c.resetStats();
    },
  } as FourLetterView;
  lazy(v, "dataDirSize", () => fs().dataDirSize);
  lazy(v, "logDirSize", () => fs().logDirSize);
  lazy(v, "connections", () => [...s.cnxns].map((c) => c.view()));
  lazy(v, "conf", () => confLines(s, fs(), extra().conf ?? []));
  lazy(v, "env", () => envLines(s.version));
  lazy(v, "monitor", () => monitorLines(s, fs(), extra().monitor ?? []));
  lazy(v, "statExtra", () => extra().stat ?? []);
  lazy(v, "watchSummary", () => {
    const ds = s.watches.data.summary();
    return { watchers: ds.watchers, paths: ds.paths, watches: ds.watches };
  });
  lazy(v, "watchesByPath", () => watchesByPath(s));
  lazy(v, "watchesBySession", () => watchesBySession(s));
  lazy(v, "sessionBuckets", () => sessionBuckets(s));
  // DataTree.dumpEphemerals: every session that has had an ephemeral (until it
  // ends), its paths in its HashSet's order.
  lazy(
    v,
    "ephemerals",
    () => [...s.db.tree.ephemerals.keys()].map((id) => [id, s.ephemeralOrder(id)]),
  );
  lazy(v, "connectionBuckets", () => connectionBuckets(s));
  return v;
}

/** conf's lines in ZooKeeperServer.dumpConf's order, then a quorum peer's. */
function confLines(
  s: ViewSource,
  fs: FsSample,
  extra: [string, string | number | null][],
): [string, string | number | null][] {
  const cfg = s.cfg;
  return [
    ["clientPort", s.clientPort ?? cfg.clientPort ?? -1],
    ["secureClientPort", -1],
    ["dataDir", s.db.snapDir],
    ["dataDirSize", fs.dataDirSize],
    ["dataLogDir", s.db.logDir],
    ["dataLogSize", fs.logDirSize],
    ["tickTime", cfg.tickTime],
    ["maxClientCnxns", cfg.maxClientCnxns],
    ["minSessionTimeout", cfg.minSessionTimeout],
    ["maxSessionTimeout", cfg.maxSessionTimeout],
    ["clientPortListenBacklog", -1],
    ["serverId", cfg.myid ?? 0],
    ...extra,
  ];
}

/** envi's lines: Environment.list() with zkt's own values. */
function envLines(version: string): [string, string][] {
  return [
    ["zookeeper.version", version],
    ["host.name", Deno.hostname()],
    ["java.version", "n/a (zkt on Deno " + Deno.version.deno + ")"],
    ["java.vendor", "n/a"],
    ["java.home", "n/a"],
    ["java.class.path", "n/a"],
    ["java.library.path", "n/a"],
    ["java.io.tmpdir", "/tmp"],
    ["java.compiler", "<NA>"],
    ...processProperties(),
  ];
}

/**
 * mntr's lines (ZooKeeperServer.dumpMonitorValues, then the metrics): every
 * count here is kept as the state changes, so this walks nothing.
 */
function monitorLines(
  s: ViewSource,
  fs: FsSample,
  extra: [string, string | number][],
): [string, string | number][] {
  const tree = s.db.tree;
  const avg = s.latency.avg;
  const lines: [string, string | number][] = [
    ["version", s.version],
    ["server_state", s.mode],
    ["ephemerals_count", tree.ephemeralCount],
    ["num_alive_connections", s.cnxns.size],
    ["avg_latency", avg === Math.floor(avg) ? avg.toFixed(1) : avg],
    ["outstanding_requests", s.outstanding],
    ["znode_count", tree.size + 1],
    ["global_sessions", s.sessions.globalCount],
    ["local_sessions", s.sessions.localCount],
    ["packets_sent", s.packetsSent],
    ["packets_received", s.packetsReceived],
    // Data and child watches (wchs counts data watches alone, as 3.8 does).
    ["watch_count", s.watches.data.summary().watches + s.watches.child.summary().watches],
    ["auth_failed_count", s.authFailed],
    ["min_latency", s.latency.min],
    ["max_latency", s.latency.max],
    ["approximate_data_size", tree.approximateDataSize()],
    // 3.8 prints them on Unix only: left out where /proc does not tell.
    ...(fs.openFds < 0 ? [] : [
      ["open_file_descriptor_count", fs.openFds] as [string, number],
      ["max_file_descriptor_count", fs.maxFds] as [string, number],
    ]),
    ["uptime", s.uptimeMs],
    ["last_proposal_size", -1],
    ...s.metrics.entries(),
  ];
  // A role's line replaces the server's own in place (a leader's real
  // last_proposal_size, not a second one after the -1): mntr keys are unique.
  const byKey = new Map(extra);
  const out = lines.map(([k, v]): [string, string | number] => [k, byKey.get(k) ?? v]);
  const have = new Set(lines.map(([k]) => k));
  return [...out, ...extra.filter(([k]) => !have.has(k))];
}

/** wchp: data watches by path, in the order of 3.8's watchTable (a HashMap that never shrinks). */
function watchesByPath(s: ViewSource): [string, bigint[]][] {
  // wchs/wchc/wchp report DataTree's data watches only, as 3.8 does (child
  // watches count in mntr's zk_watch_count alone).
  const byPath = new Map<string, Set<ClientCnxn>>();
  for (const [p, ws] of s.watches.data.byPathEntries()) {
    let set = byPath.get(p);
    if (!set) byPath.set(p, set = new Set());
    for (const w of ws) set.add(w);
  }
  return javaHashSetOrder(byPath.keys(), grownCapacity(s.watches.data.peakPaths, 16))
    .map((p) => [p, [...byPath.get(p)!].map((w) => w.sessionId)]);
}

/** wchc: data watches by session. */
function watchesBySession(s: ViewSource): [bigint, string[]][] {
  const bySession = new Map<bigint, Set<string>>();
  for (const [w, paths] of s.watches.data.byWatcherEntries()) {
    let set = bySession.get(w.sessionId);
    if (!set) bySession.set(w.sessionId, set = new Set());
    for (const p of paths) set.add(p);
  }
  return [...bySession].map(([id, ps]) => [id, [...ps]]);
}

/** dump's session buckets: expiry time → session ids. */
function sessionBuckets(s: ViewSource): [number, bigint[]][] {
  const buckets = new Map<number, bigint[]>();
  for (const id of s.sessions.ids()) {
    const sess = s.sessions.get(id)!;
    let b = buckets.get(sess.expiresAt);
    if (!b) buckets.set(sess.expiresAt, b = []);
    b.push(id);
  }
  return [...buckets];
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
