// The pure core of `zkt ensemble status`: what was learnt from each peer (srvr,
// conf, its election port) → one row per server and a verdict: who leads,
// whether every peer names the same leader, whether the serving voters form a
// quorum, and the exit code. No I/O here; ensemble_gather.ts collects the facts.
import type { LearnerType, QuorumVerifier } from "../config/types.ts";

/** What srvr says (3.8 and zkt print the same lines). */
export interface SrvrInfo {
  /** The version text before ", built on". */
  version: string;
  /** "leader", "follower", "observer", "standalone", "read-only". */
  mode: string;
  zxid: bigint;
  outstanding: number;
  connections: number;
  nodeCount: number | null;
}

/** The reply of a peer whose ZooKeeperServer is not running (LOOKING, syncing, starting). */
export const NOT_SERVING = "This ZooKeeper instance is not currently serving requests";

/** Parses a srvr reply; null when the peer says it is not serving. Throws on anything else unrecognisable. */
export function parseSrvr(text: string): SrvrInfo | null {
  if (text.includes(NOT_SERVING)) return null;
  const kv = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(": ");
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 2).trim());
  }
  const mode = kv.get("Mode");
  const zxid = kv.get("Zxid");
  if (mode === undefined || zxid === undefined || !/^0x[0-9a-fA-F]{1,16}$/.test(zxid)) {
    throw new Error(`not a srvr reply: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const int = (k: string) => {
    const v = kv.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  return {
    version: (kv.get("Zookeeper version") ?? "").split(", built on")[0],
    mode,
    zxid: BigInt(zxid),
    outstanding: int("Outstanding") ?? 0,
    connections: int("Connections") ?? 0,
    nodeCount: int("Node count"),
  };
}

/** What a peer's conf reply says about itself and the ensemble. */
export interface ConfInfo {
  serverId: number | null;
  clientPort: number | null;
  /** The first election port (multi-address peers list several, '|'-separated). */
  electionPort: number | null;
  peerType: LearnerType | null;
  /** The dynamic-config text after "membership:" (server.N lines, version=). */
  membership: string | null;
}

/** Parses a conf reply; null when the peer says it is not serving. */
export function parseConf(text: string): ConfInfo | null {
  if (text.includes(NOT_SERVING)) return null;
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l.startsWith("membership:"));
  const head = at < 0 ? lines : lines.slice(0, at);
  const kv = new Map<string, string>();
  for (const l of head) {
    const eq = l.indexOf("=");
    if (eq > 0) kv.set(l.slice(0, eq).trim(), l.slice(eq + 1).trim());
  }
  const int = (k: string) => {
    const v = kv.get(k)?.split("|")[0];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  const peerType = kv.get("peerType");
  return {
    serverId: int("serverId"),
    clientPort: int("clientPort"),
    electionPort: int("electionPort"),
    // LearnerType's ordinal: PARTICIPANT 0, OBSERVER 1.
    peerType: peerType === "0" ? "participant" : peerType === "1" ? "observer" : null,
    membership: at < 0 ? null : lines.slice(at + 1).join("\n").trim() || null,
  };
}

/** A peer's answer on its election port (probe-election). */
export interface ElectionAnswer {
  /** "looking", "following", "leading", "observing". */
  state: string;
  leader: number;
  zxid: bigint;
  peerEpoch: bigint;
}

/** Everything gathered about one server (or one address whose server is unknown). */
export interface PeerFacts {
  sid: number | null;
  /** The client address asked ("host:port"); null when unknown. */
  client: string | null;
  /** The election address probed; null when unknown. */
  election: string | null;
  /** From the membership; null when the server is not in a known membership. */
  type: LearnerType | null;
  /** srvr's answer, "not serving", or why it could not be asked. Absent: not asked. */
  srvr?: { info: SrvrInfo } | { notServing: true } | { error: string };
  /** The election port's answer or why there is none. Absent: not asked. */
  vote?: { answer: ElectionAnswer } | { error: string };
  /** What is unknown about this server and why (e.g. no client address). */
  notes: string[];
}

/** The input of one status computation. */
export interface StatusInput {
  peers: PeerFacts[];
  /** The ensemble's membership; null when no source gave one. */
  verifier: QuorumVerifier | null;
  /** Where the membership came from, e.g. "zoo.cfg /etc/zk/zoo.cfg". */
  membershipSource: string | null;
  /** The leader's mntr (key → value), when it allows mntr. */
  leaderMntr?: Map<string, string>;
}

/** One server as the table shows it. */
export interface StatusRow {
  sid: number | null;
  client: string | null;
  election: string | null;
  type: LearnerType | null;
  /** srvr's mode, or "not serving", "unreachable", "unknown" (nothing could be asked). */
  role: string;
  version: string | null;
  /** The epoch it runs in: its vote's peer epoch once synced, else the high 32 bits of its last zxid. */
  epoch: number | null;
  zxid: string | null;
  /** Txns behind the leader's last zxid; null when unknown or in an older epoch. */
  lag: number | null;
  /** Set when the peer's last zxid is in an older epoch than the leader's. */
  lagEpochBehind: boolean;
  outstanding: number | null;
  connections: number | null;
  /** Its election port's answer: state and the sid it votes for or follows. */
  electionState: string | null;
  electionLeader: number | null;
  /** The sid this server takes to be the leader (srvr mode + election answer). */
  leaderView: number | null;
  /** Errors met while asking it. */
  errors: string[];
  notes: string[];
}

/** The ensemble-wide judgement. */
export interface Verdict {
  /** The one leader every peer names; null when there is none or they disagree. */
  leader: number | null;
  leaderZxid: string | null;
  /** The agreed leader's client address (also when its sid is unknown). */
  leaderClient: string | null;
  /** Every peer with a view names the same leader, and that leader says it leads. */
  agree: boolean;
  /** The voters that serve behind that leader form a quorum (majority or hierarchical). */
  quorum: boolean;
  voters: number[] | null;
  /** Voters serving as leader or follower of the agreed leader. */
  servingVoters: number[];
  membershipSource: string | null;
  /** Why the ensemble is not healthy (exit 1); empty when it is. */
  problems: string[];
  /** What is unknown or degraded without failing the check. */
  notes: string[];
}

/** Rows, verdict and exit code. */
export interface EnsembleStatus {
  rows: StatusRow[];
  verdict: Verdict;
  /** 0 healthy; 1 no quorum, no leader or split views. */
  exitCode: number;
}

const hex = (z: bigint) => "0x" + BigInt.asUintN(64, z).toString(16);
const epochOf = (z: bigint) => Number(BigInt.asUintN(64, z) >> 32n);
const counterOf = (z: bigint) => Number(BigInt.asUintN(64, z) & 0xffffffffn);

/** Txns peer is behind leader: a count within one epoch, "older epoch" across epochs. */
export function lagBehind(leader: bigint, peer: bigint): { txns: number } | { olderEpoch: true } {
  const le = epochOf(leader);
  const pe = epochOf(peer);
  if (pe < le) {
    // A peer that has seen no txn of the new epoch yet: if the leader has none
    // either beyond NEWLEADER, it is not behind.
    return counterOf(leader) === 0 ? { txns: 0 } : { olderEpoch: true };
  }
  if (pe > le) return { txns: 0 };
  return { txns: Math.max(0, counterOf(leader) - counterOf(peer)) };
}

const SERVING_ROLES = new Set(["leader", "follower", "observer", "standalone", "read-only"]);
const VIEW_STATES = new Set(["leading", "following", "observing"]);
const ELECTION_ROLES = new Map([
  ["leading", "leader"],
  ["following", "follower"],
  ["observing", "observer"],
  ["looking", "not serving"],
]);

function rowOf(p: PeerFacts): StatusRow {
  const r: StatusRow = {
    sid: p.sid,
    client: p.client,
    election: p.election,
    type: p.type,
    role: "unknown",
    version: null,
    epoch: null,
    zxid: null,
    lag: null,
    lagEpochBehind: false,
    outstanding: null,
    connections: null,
    electionState: null,
    electionLeader: null,
    leaderView: null,
    errors: [],
    notes: [...p.notes],
  };
  if (p.srvr && "info" in p.srvr) {
    const s = p.srvr.info;
    r.role = s.mode;
    r.version = s.version;
    r.zxid = hex(s.zxid);
    r.epoch = epochOf(s.zxid);
    r.outstanding = s.outstanding;
    r.connections = s.connections;
    if (s.mode === "leader" && p.sid !== null) r.leaderView = p.sid;
  } else if (p.srvr && "notServing" in p.srvr) {
    r.role = "not serving";
  } else if (p.srvr && "error" in p.srvr) {
    r.role = "unreachable";
    r.errors.push(p.srvr.error);
  }
  if (p.vote && "answer" in p.vote) {
    const a = p.vote.answer;
    r.electionState = a.state;
    r.electionLeader = a.leader;
    // After sync a peer's vote carries the epoch it runs in (ZOOKEEPER-1732),
    // which its last zxid shows only once a txn of that epoch has committed.
    if (VIEW_STATES.has(a.state) || r.epoch === null) r.epoch = Number(a.peerEpoch);
    if (VIEW_STATES.has(a.state)) {
      if (r.leaderView !== null && r.leaderView !== a.leader) {
        r.errors.push(`srvr says it leads, but its election port follows ${a.leader}`);
      } else r.leaderView = a.leader;
    }
    if (r.role === "unknown") {
      // No client address to ask srvr: the election port's state is the best word.
      const role = ELECTION_ROLES.get(a.state);
      if (role) {
        r.role = role;
        r.notes.push(`role from its election port (${a.state}); srvr not asked`);
      }
    }
  } else if (p.vote && "error" in p.vote) {
    r.errors.push(p.vote.error);
  }
  return r;
}

const sidList = (ids: number[]) => ids.length === 0 ? "none" : ids.join(", ");
const label = (r: StatusRow) => r.sid !== null ? `sid ${r.sid}` : (r.client ?? "?");

/** Turns the facts into rows, a verdict and an exit code. */
export function ensembleStatus(input: StatusInput): EnsembleStatus {
  const rows = input.peers.map(rowOf).sort((a, b) =>
    (a.sid ?? Number.MAX_SAFE_INTEGER) - (b.sid ?? Number.MAX_SAFE_INTEGER) ||
    (a.client ?? "").localeCompare(b.client ?? "")
  );
  const problems: string[] = [];
  const notes: string[] = [];
  const qv = input.verifier;

  // Who says it leads, and whom each peer takes to be the leader.
  const leaders = rows.filter((r) => r.role === "leader");
  const views = new Map<number, StatusRow[]>();
  for (const r of rows) {
    if (r.leaderView !== null) views.set(r.leaderView, [...(views.get(r.leaderView) ?? []), r]);
  }
  const standaloneOnly = rows.length === 1 && rows[0].role === "standalone";
  let leader: number | null = null;
  if (standaloneOnly) {
    notes.push("a standalone server: no ensemble, no election");
  } else if (leaders.length === 0) {
    problems.push("no peer is leading");
  } else if (leaders.length > 1) {
    problems.push(`${leaders.map(label).join(" and ")} each say they lead`);
  }
  if (views.size > 1) {
    const parts = [...views].sort((a, b) => a[0] - b[0]).map(([l, rs]) =>
      `${rs.map(label).join(", ")} ${rs.length === 1 ? "names" : "name"} ${l}`
    );
    problems.push(`peers disagree on the leader: ${parts.join("; ")}`);
  }
  const agree = !standaloneOnly && leaders.length === 1 && views.size <= 1 &&
    (views.size === 0 || leaders[0].sid === null || views.has(leaders[0].sid));
  if (leaders.length === 1 && views.size === 1 && !agree) {
    problems.push(`${label(leaders[0])} leads, but the peers name ${[...views.keys()][0]}`);
  }
  if (agree) leader = leaders[0].sid ?? [...views.keys()][0] ?? null;
  const leaderRow = agree ? leaders[0] : undefined;

  // Lag behind the agreed leader's last zxid.
  if (leaderRow?.zxid) {
    const lz = BigInt(leaderRow.zxid);
    for (const r of rows) {
      if (r.zxid === null) continue;
      const l = lagBehind(lz, BigInt(r.zxid));
      if ("txns" in l) r.lag = l.txns;
      else r.lagEpochBehind = true;
    }
  }

  // Quorum: the voters that serve as leader or follower behind the agreed leader.
  const behindLeader = (r: StatusRow) =>
    agree && (r.role === "leader" || r.role === "follower") &&
    (r.leaderView === null || r.leaderView === leader);
  let quorum = standaloneOnly;
  let voters: number[] | null = null;
  let servingVoters: number[] = [];
  if (qv) {
    voters = [...qv.votingMembers.keys()];
    servingVoters = rows.filter((r) => r.sid !== null && qv.votingMembers.has(r.sid))
      .filter(behindLeader).map((r) => r.sid!);
    if (!standaloneOnly) quorum = qv.containsQuorum(servingVoters);
    const needs = qv.kind === "majority"
      ? `, a quorum needs ${Math.floor(voters.length / 2) + 1}`
      : "";
    const line = `${servingVoters.length} of ${voters.length} voters serving behind ` +
      `${leader === null ? "a leader" : `leader ${leader}`} (${sidList(servingVoters)})${needs}`;
    if (!standaloneOnly && !quorum) problems.push(`no quorum: ${line}`);
    else if (!standaloneOnly) notes.push(`quorum: ${line}`);
    for (const r of rows) {
      if (r.sid !== null && !qv.allMembers.has(r.sid)) {
        problems.push(`sid ${r.sid} at ${r.client} is not in the membership`);
      }
    }
  } else if (!standaloneOnly) {
    // Without a membership, count the listed participants as the voters.
    const listed = rows.filter((r) => r.type !== "observer" && r.role !== "observer");
    const serving = listed.filter(behindLeader);
    quorum = serving.length > Math.floor(listed.length / 2);
    notes.push(
      `membership unknown (no zoo.cfg, and no peer answered conf or its AdminServer): ` +
        `counted the ${listed.length} listed non-observers as the voters`,
    );
    const line = `${serving.length} of ${listed.length} listed peers serving`;
    if (!quorum) problems.push(`no quorum: ${line}`);
    else notes.push(`quorum: ${line}`);
  }
  const m = input.leaderMntr;
  if (leader !== null && m?.has("zk_synced_followers")) {
    const n = (k: string) => m.get(k) ?? "?";
    notes.push(
      `leader ${leader} (mntr): ${n("zk_synced_followers")} synced followers, ` +
        `${n("zk_synced_observers")} synced observers, ${n("zk_pending_syncs")} pending syncs`,
    );
  }
  for (const r of rows) {
    if (r.lagEpochBehind) notes.push(`${label(r)} is still in epoch ${r.epoch}`);
    if (!SERVING_ROLES.has(r.role) && r.role !== "unknown") notes.push(`${label(r)} is ${r.role}`);
  }
  const exitCode = problems.length > 0 || (!agree && !standaloneOnly) || !quorum ? 1 : 0;
  return {
    rows,
    verdict: {
      leader,
      leaderZxid: leaderRow?.zxid ?? null,
      leaderClient: leaderRow?.client ?? null,
      agree,
      quorum,
      voters,
      servingVoters,
      membershipSource: input.membershipSource,
      problems,
      notes,
    },
    exitCode,
  };
}
