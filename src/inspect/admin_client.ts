// Reads a peer's AdminServer (zkt's or Apache ZooKeeper's): /commands/<name>
// as JSON with exact 64-bit integers, and turns the connection and quorum
// replies into the records `zkt conns` prints.
import { RuntimeError } from "../errors.ts";
import { parseJsonExact } from "./json_exact.ts";
import type { ConsEntry } from "./cons.ts";

/** One command's reply: keys as the server sent them. */
export type AdminReply = Record<string, unknown>;

/** Normalizes an --admin value: "host:port" or a URL, with or without /commands. */
export function adminBase(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new RuntimeError(`bad --admin URL '${url}': expected e.g. http://HOST:8080`);
  }
  const path = u.pathname.replace(/\/+$/, "").replace(/\/commands$/, "");
  return `${u.protocol}//${u.host}${path}`;
}

/** GETs /commands/<name>; throws a RuntimeError that says what to check. */
export async function fetchAdmin(
  base: string,
  name: string,
  timeoutMs: number,
): Promise<AdminReply> {
  const url = `${base}/commands/${name}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error;
    // fetch wraps the socket error in its cause, after "error sending request ...: ".
    const cause = err.cause instanceof Error ? err.cause.message.split(": ").pop()! : "";
    const why = err.name === "TimeoutError"
      ? `no reply within ${timeoutMs} ms`
      : cause || err.message;
    throw new RuntimeError(
      `cannot reach the AdminServer at ${base}: ${why} ` +
        `(check admin.enableServer=true and admin.serverAddress/admin.serverPort on the peer)`,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch {
    throw new RuntimeError(
      `${url} answered HTTP ${res.status} without JSON: is ${base} a ZooKeeper AdminServer?`,
    );
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new RuntimeError(`${url}: expected a JSON object`);
  }
  return body as AdminReply;
}

/** True when a reply says the command does not exist there (3.8.0 answers 200, later 404). */
export function isUnknownCommand(r: AdminReply): boolean {
  return typeof r.error === "string" && r.error.startsWith("Unknown command");
}

const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;

function hex(v: unknown): string | undefined {
  if (typeof v === "number" || typeof v === "bigint") {
    return "0x" + BigInt.asUintN(64, BigInt(v)).toString(16);
  }
  return undefined;
}

/** /commands/connections → the same records the cons parser gives. */
export function consFromAdmin(r: AdminReply): ConsEntry[] {
  const all = [
    ...(Array.isArray(r.connections) ? r.connections : []),
    ...(Array.isArray(r.secure_connections) ? r.secure_connections : []),
  ] as Record<string, unknown>[];
  return all.map((c) => {
    const e: ConsEntry = {
      remote: String(c.remote_socket_address ?? "?"),
      interestOps: (num(c.interest_ops) ?? 0).toString(16),
      queued: num(c.outstanding_requests) ?? 0,
      received: num(c.packets_received) ?? 0,
      sent: num(c.packets_sent) ?? 0,
    };
    const sid = c.session_id;
    // cons prints session details only once a session exists; do the same.
    if (sid !== undefined && sid !== 0 && sid !== 0n) {
      e.sessionId = hex(sid);
      e.lastOperation = typeof c.last_operation === "string" ? c.last_operation : undefined;
      e.established = num(c.established);
      e.timeout = num(c.session_timeout);
      const lcxid = num(c.last_cxid);
      if (lcxid !== undefined && lcxid >= 0) e.lastCxid = "0x" + lcxid.toString(16);
      e.lastZxid = hex(c.last_zxid);
      e.lastResponse = num(c.last_response_time);
      e.lastLatency = num(c.last_latency);
      e.minLatency = num(c.min_latency);
      e.avgLatency = num(c.avg_latency);
      e.maxLatency = num(c.max_latency);
    }
    return e;
  });
}

/** A vote or notification, as `zkt conns` shows it. */
export interface VoteInfo {
  leader: string;
  zxid: string;
  electionEpoch: string;
  peerEpoch: string;
  state: string;
  /** ms since the epoch (notifications only). */
  time?: number;
}

/** One election connection. */
export interface ElectionLinkInfo {
  sid: string;
  address: string;
  state: string;
  initiator: string | null;
  sendQueue: number;
  lastSent: VoteInfo | null;
  lastReceived: VoteInfo | null;
}

/** One Zab learner link. */
export interface LearnerLinkInfo {
  sid: string;
  role: string;
  address: string;
  state: string;
  lastAckedZxid: string;
  queued: number;
  pingLatencyMs: number | null;
}

/** The quorum side of a peer, from quorum_connections + election. */
export interface QuorumInfo {
  myId: string | null;
  serverState: string;
  currentVote: VoteInfo | null;
  leaderId: string | null;
  zabState: string;
  votingMembers: string[];
  election: ElectionLinkInfo[];
  learners: LearnerLinkInfo[];
}

const str = (v: unknown): string => v === null || v === undefined ? "" : String(v);

function voteInfo(v: unknown): VoteInfo | null {
  if (v === null || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  const out: VoteInfo = {
    leader: str(o.leader),
    zxid: str(o.zxid),
    electionEpoch: str(o.election_epoch),
    peerEpoch: str(o.peer_epoch),
    state: str(o.state),
  };
  const t = num(o.time);
  if (t !== undefined) out.time = t;
  return out;
}

/** quorum_connections + election replies → QuorumInfo. */
export function quorumFromAdmin(links: AdminReply, election: AdminReply): QuorumInfo {
  const list = (v: unknown) => (Array.isArray(v) ? v : []) as Record<string, unknown>[];
  return {
    myId: links.my_id === null || links.my_id === undefined ? null : str(links.my_id),
    serverState: str(links.server_state ?? election.server_state),
    currentVote: voteInfo(election.current_vote),
    leaderId: election.leader_id === null || election.leader_id === undefined
      ? null
      : str(election.leader_id),
    zabState: str(election.zabstate),
    votingMembers: list(election.voting_members).map(str),
    election: list(links.election_connections).map((l) => ({
      sid: str(l.sid),
      address: str(l.address),
      state: str(l.state),
      initiator: l.initiator === null || l.initiator === undefined ? null : str(l.initiator),
      sendQueue: num(l.send_queue) ?? 0,
      lastSent: voteInfo(l.last_notification_sent),
      lastReceived: voteInfo(l.last_notification_received),
    })),
    learners: list(links.learner_connections).map((l) => ({
      sid: str(l.sid),
      role: str(l.role),
      address: str(l.address),
      state: str(l.state),
      lastAckedZxid: str(l.last_acked_zxid),
      queued: num(l.queued) ?? 0,
      pingLatencyMs: num(l.ping_latency_ms) ?? null,
    })),
  };
}

/** The admin URL a zkt peer announces in its `conf` reply (admin.serverAddress/Port lines). */
export function adminUrlFromConf(conf: string, host: string): string | undefined {
  const kv = new Map<string, string>();
  for (const line of conf.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const port = kv.get("admin.serverPort");
  if (!port || !/^\d+$/.test(port)) return undefined;
  const addr = kv.get("admin.serverAddress");
  // A wildcard bind is reachable at the address the client port was reached at.
  const h = !addr || addr === "0.0.0.0" || addr === "::" ? host : addr;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

/** JettyAdminServer's default port, where an AdminServer is looked for last. */
export const ADMIN_DEFAULT_PORT = 8080;

/**
 * Where to read connections when a peer refuses `cons`, in order: the
 * AdminServer given (--admin, or announced by a zkt peer), the one its `conf`
 * reply names, then port 8080 on the peer's host. Duplicates are dropped.
 */
export function adminFallbacks(
  o: { given?: string; fromConf?: string; hostname: string },
): string[] {
  const h = o.hostname.includes(":") ? `[${o.hostname}]` : o.hostname;
  const all = [o.given, o.fromConf, `http://${h}:${ADMIN_DEFAULT_PORT}`];
  return [...new Set(all.filter((u): u is string => u !== undefined))];
}
