// The AdminServer's commands: ZooKeeper 3.8's /commands/<name> replies (same
// names, aliases, keys, key order and value types) built from the server's
// FourLetterView, plus zkt's quorum_connections and election from a
// QuorumView. Pure apart from what the sources hand in.
import { processProperties } from "../server_view.ts";
import type { CnxnView, FourLetterView } from "../four_letter.ts";
import { double, type JValue } from "./json.ts";
import type {
  ElectionLinkView,
  LearnerHandlerView,
  LearnerLinkView,
  NotificationView,
  QuorumView,
  VoteView,
} from "./quorum_view.ts";

/** What commands read; each call of view() is a fresh snapshot. */
export interface AdminSources {
  view(): FourLetterView;
  /** The quorum side; absent or null on a standalone server. */
  quorum?(): QuorumView | null;
  /** The newest snapshot on disk: its zxid and modification time (ms). */
  lastSnapshot?(): Promise<{ zxid: bigint; mtimeMs: number } | null>;
  /** The zoo.cfg text the server started from (initial_configuration). */
  initialConfig?: string | null;
  /** Heap figures in MB for environment's os.memory.* (3.8 prints the JVM's). */
  memoryMb?(): { free: number; max: number; total: number };
}

/** A command's reply before "command" and "error" are added (CommandResponse). */
export class CommandResponse {
  readonly data = new Map<string, JValue>();
  constructor(readonly command: string, readonly error: string | null = null) {}
  put(key: string, value: JValue): this {
    this.data.set(key, value);
    return this;
  }
  /** data, then "command" and "error" unless data already holds them (3.8's toMap). */
  toMap(): Map<string, JValue> {
    const m = new Map(this.data);
    if (!m.has("command")) m.set("command", this.command);
    if (!m.has("error")) m.set("error", this.error);
    return m;
  }
}

/** One command: its names (the first is primary) and what it does. */
export interface AdminCommand {
  names: string[];
  /** Refused while the server is not serving (3.8's isServerRequired). */
  serverRequired: boolean;
  /** Refused while not serving though 3.8 does not mark it server-bound (see monitor). */
  refusedWhenNotServing?: boolean;
  run(src: AdminSources, r: CommandResponse, params: URLSearchParams): void | Promise<void>;
}

/** ZooKeeperServer's reply when a command needs a serving server. */
export const NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

/** Jackson prints InetSocketAddress-free strings; 3.8's remote address has no leading slash. */
function remoteAddress(remote: string): string {
  return remote.startsWith("/") ? remote.slice(1) : remote;
}

/** ServerCnxn.getConnectionInfo(brief). */
export function connectionInfo(c: CnxnView, brief: boolean): Map<string, JValue> {
  const m = new Map<string, JValue>([
    ["remote_socket_address", remoteAddress(c.remote)],
    ["interest_ops", c.interestOps],
    ["outstanding_requests", c.queued],
    ["packets_received", c.received],
    ["packets_sent", c.sent],
  ]);
  if (!brief) {
    m.set("session_id", c.sessionId);
    m.set("last_operation", c.lastOp);
    m.set("established", c.establishedMs);
    m.set("session_timeout", c.timeoutMs);
    m.set("last_cxid", c.lastCxid);
    m.set("last_zxid", c.lastZxid);
    m.set("last_response_time", c.lastResponseMs);
    m.set("last_latency", c.lastLatency);
    m.set("min_latency", c.latency.min);
    // ServerCnxn's average is a long (integer division).
    m.set("avg_latency", c.latency.n === 0 ? 0 : Math.floor(c.latency.sum / c.latency.n));
    m.set("max_latency", c.latency.max);
  }
  return m;
}

/** A mntr value as the JSON type 3.8 gives it: doubles stay doubles ("0.0" → 0.0). */
export function monitorValue(v: string | number): JValue {
  if (typeof v === "number") return Number.isInteger(v) ? v : double(v);
  if (/^-?\d+\.\d+(E-?\d+)?$/.test(v)) return double(Number(v));
  return v;
}

/** A number from mntr, or `fallback` when this server does not report it. */
function monitorNumber(v: FourLetterView, key: string, fallback: number): number {
  const x = v.monitor.find(([k]) => k === key)?.[1];
  return typeof x === "number" ? x : typeof x === "string" && x !== "" ? Number(x) : fallback;
}

/** ServerStats' numbers: from the view's own fields, else (a view without them) from mntr. */
function statsOf(v: FourLetterView): NonNullable<FourLetterView["stats"]> {
  return v.stats ?? {
    uptimeMs: monitorNumber(v, "uptime", 0),
    authFailed: monitorNumber(v, "auth_failed_count", 0),
    nonMtlsLocal: monitorNumber(v, "non_mtls_local_conn_count", 0),
    nonMtlsRemote: monitorNumber(v, "non_mtls_remote_conn_count", 0),
    lastResponseSize: monitorNumber(v, "last_client_response_size", -1),
    minResponseSize: monitorNumber(v, "min_client_response_size", -1),
    maxResponseSize: monitorNumber(v, "max_client_response_size", -1),
  };
}

/** ServerStats as Jackson serializes it (getter order of 3.8's class). */
function serverStats(v: FourLetterView): Map<string, JValue> {
  const st = statsOf(v);
  return new Map<string, JValue>([
    ["packets_sent", v.packetsSent],
    ["packets_received", v.packetsReceived],
    ["fsync_threshold_exceed_count", v.fsyncThresholdExceedCount ?? 0],
    ["client_response_stats", clientResponse(v)],
    ["data_dir_size", v.dataDirSize],
    ["log_dir_size", v.logDirSize],
    ["provider_null", false],
    ["server_state", v.mode],
    ["last_processed_zxid", v.lastZxid],
    ["outstanding_requests", v.outstanding],
    ["avg_latency", double(v.latency.avg)],
    ["max_latency", v.latency.max],
    ["min_latency", v.latency.min],
    ["num_alive_client_connections", v.connectionCount],
    ["uptime", st.uptimeMs],
    ["auth_failed_count", st.authFailed],
    // zkt has no TLS client port, so no connection is an mTLS one.
    ["non_mtlsremote_conn_count", st.nonMtlsRemote],
    ["non_mtlslocal_conn_count", st.nonMtlsLocal],
  ]);
}

/** BufferStats: reply sizes; -1 (3.8's "nothing recorded") when the server does not track them. */
function clientResponse(v: FourLetterView): Map<string, JValue> {
  const st = statsOf(v);
  return new Map<string, JValue>([
    ["last_buffer_size", st.lastResponseSize],
    ["min_buffer_size", st.minResponseSize],
    ["max_buffer_size", st.maxResponseSize],
  ]);
}

function srvr(src: AdminSources, r: CommandResponse): FourLetterView {
  const v = src.view();
  r.put("version", v.version);
  r.put("read_only", false); // zkt has no read-only mode
  r.put("server_stats", serverStats(v));
  r.put("client_response", clientResponse(v));
  r.put("node_count", v.nodeCount);
  return v;
}

/** 4lw conf keys → ZooKeeperServerConf.toMap keys, in its order. */
const CONF_KEYS: [string, string][] = [
  ["clientPort", "client_port"],
  ["dataDir", "data_dir"],
  ["dataLogDir", "data_log_dir"],
  ["tickTime", "tick_time"],
  ["maxClientCnxns", "max_client_cnxns"],
  ["minSessionTimeout", "min_session_timeout"],
  ["maxSessionTimeout", "max_session_timeout"],
  ["serverId", "server_id"],
  ["clientPortListenBacklog", "client_port_listen_backlog"],
];

function hexZxid(z: bigint): string {
  return BigInt.asUintN(64, z).toString(16);
}

function vote(v: VoteView): Map<string, JValue> {
  return new Map<string, JValue>([
    ["leader", v.leader],
    ["zxid", "0x" + hexZxid(v.zxid)],
    ["election_epoch", v.electionEpoch],
    ["peer_epoch", v.peerEpoch],
    ["state", v.state],
  ]);
}

function notification(n: NotificationView | null): JValue {
  if (!n) return null;
  return vote(n).set("time", n.atMs);
}

/** One election connection as /commands/quorum_connections lists it. */
export function electionLinkInfo(l: ElectionLinkView): Map<string, JValue> {
  return new Map<string, JValue>([
    ["sid", l.sid],
    ["address", l.address],
    ["state", l.up ? "up" : "down"],
    ["initiator", l.initiator],
    ["send_queue", l.sendQueue],
    ["last_notification_sent", notification(l.lastSent)],
    ["last_notification_received", notification(l.lastReceived)],
  ]);
}

/** One learner handler as 3.8's observers command lists it (getLearnerHandlerInfo's keys, in order). */
export function learnerHandlerInfo(h: LearnerHandlerView): Map<string, JValue> {
  return new Map<string, JValue>([
    ["remote_socket_address", h.remoteSocketAddress],
    ["sid", h.sid],
    // Jackson writes a java.util.Date as its epoch milliseconds.
    ["established", h.established],
    ["queued_packets", h.queuedPackets],
    ["queued_packets_size", h.queuedPacketsSize],
    ["packets_received", h.packetsReceived],
    ["packets_sent", h.packetsSent],
    ["requests", h.requests],
    ["last_zxid", h.lastZxid],
  ]);
}

/** One Zab learner link as /commands/quorum_connections lists it. */
export function learnerLinkInfo(l: LearnerLinkView): Map<string, JValue> {
  return new Map<string, JValue>([
    ["sid", l.sid],
    ["role", l.role],
    ["address", l.address],
    ["state", l.state],
    ["last_acked_zxid", "0x" + hexZxid(l.lastAckedZxid)],
    ["queued", l.queued],
    ["ping_latency_ms", l.pingLatencyMs],
  ]);
}

const bySid = (a: { sid: bigint }, b: { sid: bigint }) =>
  a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;

/** Every command, in 3.8's registration order; zkt's own two at the end. */
export const ADMIN_COMMANDS: AdminCommand[] = [
  {
    names: ["connection_stat_reset", "crst"],
    serverRequired: true,
    run: (src) => src.view().resetConnectionStats(),
  },
  {
    names: ["configuration", "conf", "config"],
    serverRequired: true,
    run(src, r) {
      const conf = new Map(src.view().conf);
      for (const [from, to] of CONF_KEYS) {
        const x = conf.get(from);
        if (x !== undefined) r.put(to, x);
      }
    },
  },
  {
    names: ["connections", "cons"],
    serverRequired: true,
    run(src, r) {
      r.put("connections", src.view().connections.map((c) => connectionInfo(c, false)));
      r.put("secure_connections", []); // zkt has no secure client port
    },
  },
  {
    names: ["hash"],
    serverRequired: true,
    run(src, r) {
      r.put(
        "digests",
        src.view().digestLog.map(([zxid, digest]) =>
          // ZxidDigest's getters; zkt computes digest version 2 (DigestCalculator's).
          new Map<string, JValue>([["zxid", zxid], ["digest_version", 2], ["digest", digest]])
        ),
      );
    },
  },
  {
    names: ["dirs"],
    serverRequired: true,
    run(src, r) {
      const v = src.view();
      r.put("datadir_size", v.dataDirSize).put("logdir_size", v.logDirSize);
    },
  },
  {
    names: ["dump"],
    serverRequired: true,
    run(src, r) {
      const v = src.view();
      const expiry = new Map<string, JValue>();
      for (const [t, ids] of [...v.sessionBuckets].sort((a, b) => a[0] - b[0])) {
        expiry.set(String(t), ids);
      }
      r.put("expiry_time_to_session_ids", expiry);
      r.put(
        "session_id_to_ephemeral_paths",
        new Map<string, JValue>(v.ephemerals.map(([id, paths]) => [String(id), paths])),
      );
    },
  },
  {
    names: ["environment", "env", "envi"],
    serverRequired: false,
    run(src, r) {
      const env = new Map(src.view().env);
      for (const [k, val] of env) r.put(k, val);
      // Environment.list() ends with the JVM's memory; zkt reports its own process's.
      const mem = src.memoryMb?.();
      if (mem && !env.has("os.memory.free")) {
        r.put("os.memory.free", `${mem.free}MB`);
        r.put("os.memory.max", `${mem.max}MB`);
        r.put("os.memory.total", `${mem.total}MB`);
      }
    },
  },
  {
    names: ["get_trace_mask", "gtmk"],
    serverRequired: false,
    run: (src, r) => void r.put("tracemask", src.view().traceMask),
  },
  {
    names: ["set_trace_mask", "stmk"],
    serverRequired: false,
    run(src, r, params) {
      const raw = params.get("traceMask");
      const base = "setTraceMask requires long traceMask argument";
      if (raw === null) return void r.put("error", base);
      const mask = /^-?\d+$/.test(raw) ? BigInt(raw) : null;
      if (mask === null || mask !== BigInt.asIntN(64, mask)) {
        return void r.put("error", `${base}, got ${raw}`);
      }
      src.view().setTraceMask?.(mask);
      r.put("tracemask", mask);
    },
  },
  {
    names: ["system_properties", "sysp"],
    serverRequired: false,
    run(_src, r) {
      for (const [k, v] of systemProperties()) r.put(k, v);
    },
  },
  {
    names: ["observers", "obsr"],
    serverRequired: true,
    // 3.8: a leader lists its synced observers' handlers; any other server has none.
    run(src, r) {
      const obs = (src.quorum?.()?.learnerHandlers ?? []).filter((h) => h.observer && h.forwarding)
        .sort(bySid);
      r.put("synced_observers", obs.length).put("observers", obs.map(learnerHandlerInfo));
    },
  },
  {
    names: ["observer_connection_stat_reset"],
    serverRequired: true,
    run() {},
  },
  {
    names: ["initial_configuration", "icfg"],
    serverRequired: true,
    run: (src, r) => void r.put("initial_configuration", src.initialConfig ?? null),
  },
  {
    names: ["is_read_only", "isro"],
    serverRequired: true,
    run: (_src, r) => void r.put("read_only", false), // zkt has no read-only mode
  },
  {
    names: ["last_snapshot", "lsnp"],
    serverRequired: true,
    async run(src, r) {
      const info = await src.lastSnapshot?.() ?? null;
      r.put("zxid", info ? hexZxid(info.zxid) : hexZxid(-1n));
      r.put("timestamp", info ? Math.floor(info.mtimeMs / 1000) : -1);
    },
  },
  {
    names: ["leader", "lead"],
    serverRequired: true,
    run(src, r) {
      const q = src.quorum?.();
      if (!q) {
        r.put("error", "server is not initialized");
        return;
      }
      r.put("is_leader", q.isLeader);
      r.put("leader_id", q.leaderId ?? -1n);
      r.put("leader_ip", q.leaderAddress);
    },
  },
  {
    names: ["monitor", "mntr"],
    serverRequired: false,
    // 3.8 registers monitor as not server-bound, but it has no values to give
    // before its ZooKeeperServer first runs (it fails with an NPE): answer as
    // the mntr word does, so no monitor reads a role that serves nobody as
    // healthy. The role stays in `election` and `zabstate`.
    refusedWhenNotServing: true,
    run(src, r) {
      for (const [k, val] of src.view().monitor) r.put(k, monitorValue(val));
    },
  },
  {
    names: ["ruok"],
    serverRequired: true,
    run() {},
  },
  {
    names: ["server_stats", "srvr"],
    serverRequired: true,
    run: (src, r) => void srvr(src, r),
  },
  {
    names: ["stats", "stat"],
    serverRequired: true,
    run(src, r) {
      const v = srvr(src, r);
      r.put("connections", v.connections.map((c) => connectionInfo(c, true)));
      r.put("secure_connections", []);
    },
  },
  {
    names: ["stat_reset", "srst"],
    serverRequired: true,
    run: (src) => src.view().resetServerStats(),
  },
  {
    names: ["voting_view"],
    serverRequired: true,
    run(src, r) {
      const q = src.quorum?.();
      const m = new Map<string, JValue>();
      for (const s of [...(q?.votingView ?? [])].sort(bySid)) {
        m.set(
          String(s.sid),
          new Map<string, JValue>([
            ["server_addresses", s.serverAddresses],
            ["election_addresses", s.electionAddresses],
            ["client_address", s.clientAddress],
            ["learner_type", s.learnerType],
          ]),
        );
      }
      r.put("current_config", m);
    },
  },
  {
    names: ["watches", "wchc"],
    serverRequired: true,
    run(src, r) {
      r.put(
        "session_id_to_watched_paths",
        new Map<string, JValue>(src.view().watchesBySession.map(([id, ps]) => [String(id), ps])),
      );
    },
  },
  {
    names: ["watches_by_path", "wchp"],
    serverRequired: true,
    run(src, r) {
      r.put(
        "path_to_session_ids",
        new Map<string, JValue>(src.view().watchesByPath.map(([p, ids]) => [p, ids])),
      );
    },
  },
  {
    names: ["watch_summary", "wchs"],
    serverRequired: true,
    run(src, r) {
      const w = src.view().watchSummary;
      r.put("num_connections", w.watchers).put("num_paths", w.paths)
        .put("num_total_watches", w.watches);
    },
  },
  {
    names: ["zabstate"],
    serverRequired: false,
    run(src, r) {
      const q = src.quorum?.();
      if (!q) {
        r.put("voting", false).put("zabstate", "");
        return;
      }
      const z = src.view().lastZxid;
      r.put("myid", q.myid);
      r.put("is_leader", q.isLeader);
      r.put("quorum_address", q.quorumAddress);
      r.put("election_address", q.electionAddress);
      r.put("client_address", q.clientAddress);
      r.put("voting", q.voting);
      r.put("last_zxid", "0x" + hexZxid(z));
      r.put("zab_epoch", BigInt.asUintN(64, z) >> 32n);
      r.put("zab_counter", BigInt.asUintN(64, z) & 0xffffffffn);
      r.put("zabstate", q.zabState);
    },
  },
  // zkt's own: the quorum links `zkt conns` shows.
  {
    names: ["quorum_connections", "qcns"],
    serverRequired: false,
    run(src, r) {
      const q = src.quorum?.();
      r.put("my_id", q ? q.myid : null);
      r.put("server_state", src.view().mode);
      r.put(
        "election_connections",
        [...(q?.electionLinks ?? [])].sort(bySid).map(electionLinkInfo),
      );
      r.put("learner_connections", [...(q?.learnerLinks ?? [])].sort(bySid).map(learnerLinkInfo));
    },
  },
  {
    names: ["election", "elec"],
    serverRequired: false,
    run(src, r) {
      const q = src.quorum?.();
      r.put("my_id", q ? q.myid : null);
      r.put("server_state", src.view().mode);
      r.put("current_vote", q ? vote(q.currentVote) : null);
      r.put("leader_id", q?.leaderId ?? null);
      r.put("zabstate", q?.zabState ?? "");
      r.put("voting_members", [...(q?.votingView ?? [])].sort(bySid).map((s) => s.sid));
      r.put("last_election_time_ms", q?.lastElectionTimeMs ?? null);
    },
  },
];

/**
 * The Java system properties 3.8 lists that mean something for zkt, with its
 * own values (no java.* ones: there is no JVM), sorted as 3.8 sorts them.
 */
export function systemProperties(): [string, string][] {
  const props: [string, string][] = [
    ["file.encoding", "UTF-8"],
    ["file.separator", "/"],
    ["line.separator", "\n"],
    ["native.encoding", "UTF-8"],
    ["path.separator", ":"],
    ["user.timezone", Intl.DateTimeFormat().resolvedOptions().timeZone],
    ...processProperties(),
  ];
  return props.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const BY_NAME = new Map<string, AdminCommand>();
for (const c of ADMIN_COMMANDS) for (const n of c.names) BY_NAME.set(n, c);

/** The command registered under `name` (primary name or alias). */
export function findCommand(name: string): AdminCommand | undefined {
  return BY_NAME.get(name);
}

/** Primary names, sorted, as the /commands index lists them. */
export function primaryNames(): string[] {
  return ADMIN_COMMANDS.map((c) => c.names[0]).sort();
}

/**
 * Runs a command as 3.8's Commands.runCommand does: unknown names and
 * server-required commands on a server that is not serving give an error reply.
 */
export async function runCommand(
  name: string,
  src: AdminSources,
  params: URLSearchParams = new URLSearchParams(),
): Promise<{ known: boolean; response: CommandResponse }> {
  const cmd = findCommand(name);
  if (!cmd) {
    return { known: false, response: new CommandResponse(name, `Unknown command: ${name}`) };
  }
  // One snapshot per request: every part of a reply describes the same moment.
  const v = src.view();
  if ((cmd.serverRequired || cmd.refusedWhenNotServing) && !v.serving) {
    return { known: true, response: new CommandResponse(name, NOT_SERVING) };
  }
  const r = new CommandResponse(cmd.names[0]);
  await cmd.run({ ...src, view: () => v }, r, params);
  return { known: true, response: r };
}
