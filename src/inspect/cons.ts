// Parses the `cons` four-letter word (one line per client connection), as
// Apache ZooKeeper 3.8 and zkt print it, into records for tables and JSON.

/** One client connection as `cons` reports it. */
export interface ConsEntry {
  remote: string;
  interestOps: string;
  queued: number;
  received: number;
  sent: number;
  /** Session id as 0x-hex; absent until the session is established. */
  sessionId?: string;
  lastOperation?: string;
  established?: number;
  timeout?: number;
  lastCxid?: string;
  lastZxid?: string;
  lastResponse?: number;
  lastLatency?: number;
  minLatency?: number;
  avgLatency?: number;
  maxLatency?: number;
}

const LINE = /^\s*\/?(.+)\[([0-9a-f]+)\]\((.*)\)\s*$/;

/** Parses every connection line of a `cons` reply; other lines are ignored. */
export function parseCons(text: string): ConsEntry[] {
  const out: ConsEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = raw.match(LINE);
    if (!m) continue;
    const kv = new Map<string, string>();
    for (const part of m[3].split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) kv.set(part.slice(0, eq), part.slice(eq + 1));
    }
    const num = (k: string) => kv.has(k) ? Number(kv.get(k)) : undefined;
    const e: ConsEntry = {
      remote: m[1],
      interestOps: m[2],
      queued: num("queued") ?? 0,
      received: num("recved") ?? 0,
      sent: num("sent") ?? 0,
    };
    if (kv.has("sid")) {
      e.sessionId = kv.get("sid");
      e.lastOperation = kv.get("lop");
      e.established = num("est");
      e.timeout = num("to");
      if (kv.has("lcxid")) e.lastCxid = kv.get("lcxid");
      e.lastZxid = kv.get("lzxid");
      e.lastResponse = num("lresp");
      e.lastLatency = num("llat");
      e.minLatency = num("minlat");
      e.avgLatency = num("avglat");
      e.maxLatency = num("maxlat");
    }
    out.push(e);
  }
  return out;
}

/** Orders by which `zkt conns --sort` accepts. */
export const CONS_SORT_KEYS = [
  "latency",
  "queued",
  "received",
  "sent",
  "session",
  "remote",
] as const;
/** One of CONS_SORT_KEYS. */
export type ConsSortKey = typeof CONS_SORT_KEYS[number];

/** Sorts entries, the most interesting first (highest latency/queue/traffic). */
export function sortCons(entries: ConsEntry[], key: ConsSortKey): ConsEntry[] {
  const by: Record<ConsSortKey, (a: ConsEntry, b: ConsEntry) => number> = {
    latency: (a, b) =>
      (b.maxLatency ?? -1) - (a.maxLatency ?? -1) || (b.avgLatency ?? -1) - (a.avgLatency ?? -1),
    queued: (a, b) => b.queued - a.queued,
    received: (a, b) => b.received - a.received,
    sent: (a, b) => b.sent - a.sent,
    session: (a, b) => (a.sessionId ?? "").localeCompare(b.sessionId ?? ""),
    remote: (a, b) => a.remote.localeCompare(b.remote),
  };
  return [...entries].sort((a, b) => by[key](a, b) || a.remote.localeCompare(b.remote));
}

/** Totals over a set of connections. */
export interface ConsTotals {
  connections: number;
  sessions: number;
  queued: number;
  received: number;
  sent: number;
  maxLatency: number;
}

/** Sums queued/received/sent and takes the worst latency. */
export function consTotals(entries: ConsEntry[]): ConsTotals {
  return {
    connections: entries.length,
    sessions: entries.filter((e) => e.sessionId !== undefined).length,
    queued: entries.reduce((a, e) => a + e.queued, 0),
    received: entries.reduce((a, e) => a + e.received, 0),
    sent: entries.reduce((a, e) => a + e.sent, 0),
    maxLatency: entries.reduce((a, e) => Math.max(a, e.maxLatency ?? 0), 0),
  };
}
