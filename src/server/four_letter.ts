// Four-letter words on the client port, printed in ZooKeeper 3.8's shapes so
// zkServer.sh, monitoring scripts and `zkt conns` parse them. Pure: the server
// hands in a snapshot (FourLetterView) and gets text back.
import { hexId } from "./session_id.ts";

/** Every word 3.8 knows (cmd2String); anything else on a fresh connection is a frame length. */
export const KNOWN_WORDS = [
  "conf",
  "cons",
  "crst",
  "dirs",
  "dump",
  "envi",
  "gtmk",
  "ruok",
  "stmk",
  "srvr",
  "srst",
  "stat",
  "wchc",
  "wchp",
  "wchs",
  "mntr",
  "isro",
  "hash",
] as const;

/** FourLetterCommands.ZK_NOT_SERVING. */
export const ZK_NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

/** The word a 4-byte big-endian int spells, if it is a known four-letter word. */
export function wordOfInt(n: number): string | undefined {
  const s = String.fromCharCode((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  return (KNOWN_WORDS as readonly string[]).includes(s) ? s : undefined;
}

/** Is `word` enabled by a whitelist ("*" enables all; srvr always on, as in 3.8)? */
export function wordEnabled(word: string, whitelist: readonly string[]): boolean {
  return word === "srvr" || whitelist.includes("*") || whitelist.includes(word);
}

/** Java's Double.toString for the small non-negative values stats print. */
export function javaDouble(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** AvgMinMaxCounter: min/avg/max with 3.8's rounding (avg to 4 places, half up). */
export class MinAvgMax {
  private total = 0;
  private count = 0;
  private minV = Number.MAX_SAFE_INTEGER;
  private maxV = Number.MIN_SAFE_INTEGER;

  add(v: number): void {
    this.total += v;
    this.count++;
    if (v < this.minV) this.minV = v;
    if (v > this.maxV) this.maxV = v;
  }
  get min(): number {
    return this.count === 0 ? 0 : this.minV;
  }
  get max(): number {
    return this.count === 0 ? 0 : this.maxV;
  }
  get avg(): number {
    return this.count === 0 ? 0 : Math.round((this.total / this.count) * 10000) / 10000;
  }
  get n(): number {
    return this.count;
  }
  get sum(): number {
    return this.total;
  }
  reset(): void {
    this.total = this.count = 0;
    this.minV = Number.MAX_SAFE_INTEGER;
    this.maxV = Number.MIN_SAFE_INTEGER;
  }
}

/** Per-connection numbers printed by cons/stat. */
export interface CnxnView {
  /** "/127.0.0.1:5000" (Java's InetSocketAddress form). */
  remote: string;
  interestOps: number;
  queued: number;
  received: number;
  sent: number;
  sessionId: bigint;
  lastOp: string;
  establishedMs: number;
  timeoutMs: number;
  lastCxid: number;
  lastZxid: bigint;
  lastResponseMs: number;
  lastLatency: number;
  latency: MinAvgMax;
}

/** One cons/stat line (ServerCnxn.dumpConnectionInfo). */
export function connectionLine(c: CnxnView, brief: boolean): string {
  let s =
    ` ${c.remote}[${c.interestOps === 0 ? "0" : c.interestOps.toString(16)}](queued=${c.queued}` +
    `,recved=${c.received},sent=${c.sent}`;
  if (!brief && c.sessionId !== 0n) {
    s += `,sid=${hexId(c.sessionId)},lop=${c.lastOp},est=${c.establishedMs},to=${c.timeoutMs}`;
    if (c.lastCxid >= 0) s += `,lcxid=0x${c.lastCxid.toString(16)}`;
    s += `,lzxid=${hexId(c.lastZxid)},lresp=${c.lastResponseMs},llat=${c.lastLatency}` +
      // ServerCnxn's own average is a long (integer division), unlike ServerStats'.
      `,minlat=${c.latency.min},avglat=${
        c.latency.n === 0 ? 0 : Math.floor(c.latency.sum / c.latency.n)
      }` +
      `,maxlat=${c.latency.max}`;
  }
  return s + ")";
}

/** What a four-letter word may read from the server. */
export interface FourLetterView {
  /** False when the server is not serving (e.g. LOOKING). */
  serving: boolean;
  version: string;
  /** "standalone", "leader", "follower", "observer", "looking". */
  mode: string;
  latency: MinAvgMax;
  packetsReceived: number;
  packetsSent: number;
  outstanding: number;
  lastZxid: bigint;
  nodeCount: number;
  connections: CnxnView[];
  /** Conf lines in dumpConf's order. */
  /** conf lines: key=value, or (value null) text printed verbatim, e.g. a quorum peer's membership block. */
  conf: [string, string | number | null][];
  dataDirSize: number;
  logDirSize: number;
  env: [string, string][];
  /** Log fsyncs over the warning threshold (ServerStats' fsync_threshold_exceed_count). */
  fsyncThresholdExceedCount?: number;
  /** mntr lines (key without the zk_ prefix → value). */
  monitor: [string, string | number][];
  watchSummary: { watchers: number; paths: number; watches: number };
  watchesByPath: [string, bigint[]][];
  watchesBySession: [bigint, string[]][];
  /** Session buckets for dump: expiry time (ms since epoch) → session ids. */
  sessionBuckets: [number, bigint[]][];
  sessionCount: number;
  ephemerals: [bigint, string[]][];
  /** Sessionless connections by deadline, for dump's "Connections" part. */
  connectionBuckets: [number, string[]][];
  connectionCount: number;
  /**
   * ServerStats' numbers the AdminServer's server_stats prints besides the
   * above; where absent, they are read from `monitor` (which costs more).
   */
  stats?: {
    uptimeMs: number;
    authFailed: number;
    nonMtlsLocal: number;
    nonMtlsRemote: number;
    /** BufferStats of replies: -1 until the first. */
    lastResponseSize: number;
    minResponseSize: number;
    maxResponseSize: number;
  };
  /** Lines srvr/stat print after "Node count" (a leader's proposal sizes). */
  statExtra: string[];
  /** ZooTrace's text trace mask. */
  traceMask: bigint;
  /** Sets the trace mask (stmk, set_trace_mask); absent where it cannot change. */
  setTraceMask?(mask: bigint): void;
  /** DataTree's digest log: (zxid, tree digest as a signed long). */
  digestLog: [bigint, bigint][];
  resetServerStats(): void;
  resetConnectionStats(): void;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** java.util.Date#toString in UTC: "Sun Nov 22 18:58:52 UTC 2026". */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${
      p(d.getUTCSeconds())
    } UTC ${d.getUTCFullYear()}`;
}

function bucketDump(
  title: string,
  buckets: [number, string[]][],
  elems: number,
): string {
  let s = `${title} Sets (${buckets.length})/(${elems}):\n`;
  for (const [t, items] of [...buckets].sort((a, b) => a[0] - b[0])) {
    s += `${items.length} expire at ${javaDate(t)}:\n`;
    for (const i of items) s += `\t${i}\n`;
  }
  return s;
}

function statsText(v: FourLetterView): string {
  return `Latency min/avg/max: ${v.latency.min}/${javaDouble(v.latency.avg)}/${v.latency.max}\n` +
    `Received: ${v.packetsReceived}\nSent: ${v.packetsSent}\nConnections: ${v.connectionCount}\n` +
    `Outstanding: ${v.outstanding}\nZxid: ${hexId(v.lastZxid)}\nMode: ${v.mode}\n`;
}

/** The reply to an enabled four-letter word (the connection closes after it). */
export function fourLetterReply(word: string, v: FourLetterView): string {
  switch (word) {
    case "ruok":
      return "imok";
    case "isro":
      // "ro" is for 3.8's ReadOnlyZooKeeperServer; zkt has no read-only mode.
      return v.serving ? "rw" : "null";
    case "envi":
      return "Environment:\n" + v.env.map(([k, val]) => `${k}=${val}\n`).join("");
    case "gtmk":
    case "stmk":
      // TraceMaskCommand / SetTraceMaskCommand print the mask, no newline.
      return String(v.traceMask);
    case "hash":
      // DigestCommand: the tree digest every 128 zxids (the last 1024 of them).
      if (!v.serving) return ZK_NOT_SERVING;
      return v.digestLog.map(([z, d]) => `${BigInt.asUintN(64, z).toString(16)}: ${d}\n`).join("");
  }
  if (!v.serving) return ZK_NOT_SERVING + "\n";
  switch (word) {
    case "srvr":
    case "stat": {
      let s = `Zookeeper version: ${v.version}\n`;
      if (word === "stat") {
        s += "Clients:\n";
        for (const c of v.connections) s += connectionLine(c, true) + "\n";
        s += "\n";
      }
      return s + statsText(v) + `Node count: ${v.nodeCount}\n` +
        v.statExtra.map((l) => l + "\n").join("");
    }
    case "cons":
      return v.connections.map((c) => connectionLine(c, false) + "\n").join("") + "\n";
    case "crst":
      v.resetConnectionStats();
      return "Connection stats reset.\n";
    case "srst":
      v.resetServerStats();
      return "Server stats reset.\n";
    case "conf":
      return v.conf.map(([k, val]) => (val === null ? k : `${k}=${val}\n`)).join("");
    case "dirs":
      return `datadir_size: ${v.dataDirSize}\nlogdir_size: ${v.logDirSize}\n`;
    case "mntr":
      return v.monitor.map(([k, val]) => `zk_${k}\t${val}\n`).join("");
    case "wchs": {
      const w = v.watchSummary;
      return `${w.watchers} connections watching ${w.paths} paths\nTotal watches:${w.watches}\n`;
    }
    case "wchp":
      return v.watchesByPath.map(([p, ids]) =>
        `${p}\n` + ids.map((id) => `\t${hexId(id)}\n`).join("")
      )
        .join("") + "\n";
    case "wchc":
      return v.watchesBySession.map(([id, ps]) =>
        `${hexId(id)}\n` + ps.map((p) => `\t${p}\n`).join("")
      ).join("") + "\n";
    case "dump": {
      let s = "SessionTracker dump:\n";
      s += bucketDump(
        "Session",
        v.sessionBuckets.map(([t, ids]) => [t, ids.map(hexId)]),
        v.sessionCount,
      );
      s += "ephemeral nodes dump:\n";
      s += `Sessions with Ephemerals (${v.ephemerals.length}):\n`;
      for (const [id, paths] of v.ephemerals) {
        s += `${hexId(id)}:\n` + paths.map((p) => `\t${p}\n`).join("");
      }
      s += "Connections dump:\n";
      s += bucketDump("Connections", v.connectionBuckets, v.connectionCount);
      return s;
    }
  }
  return "";
}

/** The text 3.8 sends for a known word that the whitelist leaves out. */
export function notWhitelisted(word: string): string {
  return `${word} is not executed because it is not in the whitelist.\n`;
}
