// Deterministic simulation of FastLeaderElection ensembles. Every peer runs
// zkt's own FLE core (src/election/fle.ts) behind a model of its connection
// manager built from zkt's own queues (src/election/qcm_queues.ts): a send slot
// of capacity 1 per peer, the last message re-sent first on a new connection,
// a receive queue of 100 dropping the oldest, one connection per peer pair
// (set up on send or connectAll, broken by partitions, resets and crashes,
// losing what was in flight), and one message in flight per direction (the
// writer blocks until it is delivered, so a newer notification can replace a
// waiting one). Time is virtual; each peer reads its own clock, which faults
// may step back or forward. Peers are paused (the election thread stalls while
// the receive queue fills), crash and restart with their disk (epoch, zxid).
// Not modeled: which end keeps a connection (3.8's sid tie-break; here both
// ends just start writing), observers, and reconfiguration.
//
// The checker looks at zkt's code after every event — what each core holds and
// what it sends and decides, against what the network actually delivered:
//  C1 a peer's logical clock (round) never decreases within one incarnation,
//     except when it joins an established leader (3.8 then takes the round of
//     the leader's notice, which may be lower);
//  C2 while LOOKING, a peer's proposal is at least the vote it held at the start
//     of its election (its (currentEpoch, lastZxid, sid) when it began looking),
//     and never decreases within one round; every LOOKING notification it sends
//     carries such a proposal;
//  C3 a decision that ends a finalize wait (LOOKING votes) in round r for vote v
//     is backed by a quorum: voters that each delivered to the decider, during
//     its current election, a LOOKING notification for v in round r, sent while
//     the sender's start-of-election vote was ≤ v (or, as 3.8 counts them too,
//     FOLLOWING/LEADING notices equal to v in every field: peers that decided v
//     in round r, checked when they did). That is "the decided leader
//     was voted for by a quorum with the vote each voter held at the start":
//     the start of the voter's election, not of round r, since a peer enters a
//     higher round mid-election (by hearing of it) with the same start vote;
//  C4 a decision to join an established leader L (FOLLOWING/LEADING notices) is
//     backed by a quorum of delivered notices naming L (or same-round LOOKING
//     votes equal to v in every field, which 3.8 counts too), and, unless the
//     decider is L, by a notice L sent while it was LEADING.
// Not checked: "at most one leader per round". FLE does not promise it: with a
// notification delayed past finalizeWait, two peers can each see a quorum for
// themselves in one round (sid 2 hears {1,2} for 2 and decides before 3's vote
// arrives; sid 3 later hears {1,3} for 3). Zab's epoch establishment, which
// needs a quorum of followers, keeps the second from leading; the simulation
// counts such rounds (`splitRounds`) so the Zab simulation can check them.
//
// After an election a stand-in for Zab (liveness only, not checked) keeps a
// leader while a quorum follows it and moves the history on (epochs, a few
// txns), so that later elections start from different votes. After the fault
// phase the network heals and every run must end with one leader all follow.
import { MajorityQuorum } from "../../src/config/quorum_verifier.ts";
import type { QuorumServer } from "../../src/config/types.ts";
import { FastLeaderElection, type Output, type Vote } from "../../src/election/fle.ts";
import {
  decodeNotification,
  encodeNotification,
  type Notification,
  type PeerState,
  stateOf,
} from "../../src/election/notification.ts";
import { RecvQueue, SendSlots } from "../../src/election/qcm_queues.ts";
import { EventQueue, Rng } from "./harness.ts";

/** (peerEpoch, zxid, sid): FLE's vote order. */
type Key = readonly [bigint, bigint, bigint];

function cmpKey(a: Key, b: Key): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

const keyStr = (k: Key) => `(epoch ${k[0]}, zxid 0x${k[1].toString(16)}, sid ${k[2]})`;

/** What the simulation knows about a message besides its bytes (never seen by the core). */
interface Meta {
  from: number;
  /** The sender's state when it sent it. */
  senderState: PeerState;
  /** The sender's start-of-election vote, when it sent while LOOKING. */
  startVote: Key | null;
}

type Ev =
  | { k: "boot"; p: number }
  | { k: "deliver"; conn: number; from: number; to: number; bytes: Uint8Array }
  | { k: "connect"; from: number; to: number; gen: number; ok: boolean }
  | { k: "tick"; p: number; token: number }
  | { k: "resume"; p: number; gen: number }
  | { k: "role"; p: number; gen: number }
  | { k: "fault" };

interface Conn {
  id: number;
  /** Senders whose one write is in flight on this connection. */
  writing: Set<number>;
}

interface SimPeer {
  sid: number;
  alive: boolean;
  booted: boolean;
  /** Bumped on crash and restart: events of an old incarnation are ignored. */
  gen: number;
  fle: FastLeaderElection;
  slots: SendSlots<Uint8Array>;
  recv: RecvQueue<{ sid: number; bytes: Uint8Array }>;
  connecting: Set<number>;
  draining: boolean;
  pausedUntil: number;
  clockOffset: number;
  tickToken: number;
  // Disk.
  currentEpoch: bigint;
  acceptedEpoch: bigint;
  zxid: bigint;
  // Checker state.
  startVote: Key | null;
  election: number;
  lastClock: bigint;
  /** Set when the peer joined an established leader and took its round this event. */
  joinedRound: boolean;
  lastProposal: { round: bigint; election: number; key: Key } | null;
  /** Notifications delivered during the current election, by content. */
  delivered: Map<string, Meta[]>;
  // Zab stand-in.
  decidedAt: number;
  epoch: bigint;
  followers: Set<number>;
}

/** Options of one run; everything else follows from the seed. */
export interface SimOptions {
  seed: number;
  /** Ensemble size; default 3, 5 or 7 by seed. */
  n?: number;
  /** No faults and a simultaneous boot: the winner must be the greatest vote of all. */
  calm?: boolean;
  /** Test hook: wraps each peer's core (to plant a bug and see the checker catch it). */
  wrap?: (fle: FastLeaderElection) => FastLeaderElection;
}

/** How often the connection-manager model's rules came into play. */
export interface SimStats {
  events: number;
  decisions: number;
  /** Waiting notifications replaced by newer ones (send slot capacity 1). */
  slotDrops: number;
  /** Last messages written again on a new connection. */
  resends: number;
  /** Received messages dropped by a full receive queue. */
  recvDrops: number;
  connBreaks: number;
  clockStepsBack: number;
  /** Rounds in which two peers each decided to lead (allowed by FLE; see above). */
  splitRounds: number;
}

/** The outcome of one run; `error` is set when a check failed. */
export interface SimResult {
  seed: number;
  n: number;
  leader?: number;
  stats: SimStats;
  error?: string;
}

const HEARTBEAT = 500;
const INIT_LIMIT = 2000;
const FAULT_PHASE = 15_000;
const SETTLE_LIMIT = 400_000;
const CNX_TIMEOUT = 5000;

function server(id: number): QuorumServer {
  return {
    id,
    addrs: [{ host: "127.0.0.1", port: 2000 + id }],
    electionAddrs: [{ host: "127.0.0.1", port: 3000 + id }],
    type: "participant",
  };
}

/** The ensemble size a seed runs with when none is given. */
export function sizeOf(seed: number): number {
  return [3, 5, 7][seed % 3];
}

/** Runs one seeded scenario to the end, checking after every event. */
export function runSim(opts: SimOptions): SimResult {
  const rng = new Rng(opts.seed);
  const n = opts.n ?? sizeOf(opts.seed);
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const qv = new MajorityQuorum(ids.map(server));
  const quorum = Math.floor(n / 2) + 1;
  const configText = qv.toConfigString();
  const q = new EventQueue<Ev>();
  const stats: SimStats = {
    events: 0,
    decisions: 0,
    slotDrops: 0,
    resends: 0,
    recvDrops: 0,
    connBreaks: 0,
    clockStepsBack: 0,
    splitRounds: 0,
  };
  let now = 0;
  let failure: string | undefined;
  const fail = (msg: string) => {
    if (!failure) failure = `t=${now}: ${msg}`;
  };
  const meta = new WeakMap<Uint8Array, Meta>();
  const leadersOfRound = new Map<bigint, Set<number>>();

  // Network: partition sides (empty = one network), latency, connections by pair.
  let side = new Map<number, number>();
  let maxDelay = 5;
  const conns = new Map<string, Conn>();
  let connSeq = 0;
  const pairKey = (a: number, b: number) => a < b ? `${a}-${b}` : `${b}-${a}`;
  const sameSide = (a: number, b: number) => side.size === 0 || side.get(a) === side.get(b);

  const newCore = (sid: number) => {
    const f = new FastLeaderElection({ myid: BigInt(sid), qv, learnerType: "participant" });
    return opts.wrap ? opts.wrap(f) : f;
  };

  const peers = new Map<number, SimPeer>();
  for (const sid of ids) {
    const epoch = BigInt(rng.int(0, 2));
    const zxid = (epoch << 32n) + BigInt(rng.int(0, 3));
    peers.set(sid, {
      sid,
      alive: true,
      booted: false,
      gen: 0,
      fle: newCore(sid),
      slots: new SendSlots(),
      recv: new RecvQueue(),
      connecting: new Set(),
      draining: false,
      pausedUntil: 0,
      clockOffset: opts.calm ? 0 : rng.int(0, 1_000_000),
      tickToken: 0,
      currentEpoch: epoch,
      acceptedEpoch: epoch,
      zxid,
      startVote: null,
      election: 0,
      lastClock: 0n,
      joinedRound: false,
      lastProposal: null,
      delivered: new Map(),
      decidedAt: 0,
      epoch: 0n,
      followers: new Set(),
    });
  }
  const peer = (sid: number) => peers.get(sid)!;
  const localNow = (p: SimPeer) => now + p.clockOffset;
  const paused = (p: SimPeer) => p.pausedUntil > now;

  // ---- the connection manager model ----

  function toSend(p: SimPeer, to: number, bytes: Uint8Array): void {
    if (to === p.sid) return recvPush(p, p.sid, bytes); // loopback, as 3.8
    if (p.slots.offer(BigInt(to), bytes) !== undefined) stats.slotDrops++;
    const c = conns.get(pairKey(p.sid, to));
    if (c) pump(c, p, to);
    else connectOne(p, to);
  }

  function pump(c: Conn, p: SimPeer, to: number): void {
    if (c.writing.has(p.sid)) return;
    const msg = p.slots.take(BigInt(to));
    if (msg) write(c, p.sid, to, msg);
  }

  function write(c: Conn, from: number, to: number, bytes: Uint8Array): void {
    c.writing.add(from);
    q.push(now + rng.int(0, maxDelay), { k: "deliver", conn: c.id, from, to, bytes });
  }

  function connectOne(p: SimPeer, to: number): void {
    if (conns.has(pairKey(p.sid, to)) || p.connecting.has(to)) return;
    p.connecting.add(to);
    const o = peer(to);
    // Refused at once by a peer that is down; a partition times out (cnxTimeout).
    const reachable = o.alive && o.booted && sameSide(p.sid, to);
    const t = reachable ? rng.int(1, 10) : !o.alive || !o.booted ? rng.int(1, 5) : CNX_TIMEOUT;
    q.push(now + t, { k: "connect", from: p.sid, to, gen: p.gen, ok: reachable });
  }

  function connected(from: number, to: number): void {
    const a = peer(from), b = peer(to);
    if (!a.alive || !b.alive || !b.booted || !sameSide(from, to)) return;
    if (conns.has(pairKey(from, to))) return;
    const c: Conn = { id: ++connSeq, writing: new Set() };
    conns.set(pairKey(from, to), c);
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const again = x.slots.connected(BigInt(y.sid));
      if (again) {
        stats.resends++;
        write(c, x.sid, y.sid, again);
      } else pump(c, x, y.sid);
    }
  }

  function breakConn(a: number, b: number): void {
    if (conns.delete(pairKey(a, b))) stats.connBreaks++;
  }

  function recvPush(p: SimPeer, from: number, bytes: Uint8Array): void {
    if (p.recv.push({ sid: from, bytes }) !== undefined) stats.recvDrops++;
    if (!paused(p)) processRecv(p);
  }

  // ---- the peer shell (as quorum_peer.ts drives the core) ----

  /** Feeds the receive queue to the core; what arrives meanwhile (loopback) waits its turn. */
  function processRecv(p: SimPeer): void {
    if (p.draining) return;
    p.draining = true;
    while (p.recv.length > 0 && p.alive && !paused(p)) {
      for (const m of p.recv.drain()) {
        const note = decodeNotification(m.bytes);
        if (note.config !== configText) fail(`config text changed in transit to ${p.sid}`);
        record(p, m.sid, note, m.bytes);
        apply(p, p.fle.receive(localNow(p), BigInt(m.sid), note), note);
      }
    }
    p.draining = false;
  }

  function apply(p: SimPeer, out: Output, cause: Notification | "tick" | "start"): void {
    for (const s of out.send) {
      const to = Number(s.to);
      const bytes = encodeNotification({ ...s.n, config: configText });
      const st = stateOf(s.n.state)!;
      if (st === "looking" && p.fle.state === "looking" && p.startVote) {
        const k: Key = [s.n.peerEpoch, s.n.zxid, s.n.leader];
        if (cmpKey(k, p.startVote) < 0) {
          fail(
            `C2: ${p.sid} sent LOOKING ${keyStr(k)} below its start vote ${keyStr(p.startVote)}`,
          );
        }
      }
      meta.set(bytes, {
        from: p.sid,
        senderState: st,
        startVote: p.fle.state === "looking" ? p.startVote : null,
      });
      toSend(p, to, bytes);
    }
    if (out.connectAll) { for (const sid of p.slots.sids()) connectOne(p, Number(sid)); }
    if (out.decided) {
      checkDecision(p, out.decided, cause);
      onDecided(p);
    }
    scheduleTick(p);
  }

  function scheduleTick(p: SimPeer): void {
    const d = p.fle.untilDeadline(localNow(p));
    if (d === null) return;
    p.tickToken++;
    q.push(now + d, { k: "tick", p: p.sid, token: p.tickToken });
  }

  function startElection(p: SimPeer): void {
    p.fle.stopRole();
    p.epoch = 0n;
    p.followers.clear();
    p.startVote = [p.currentEpoch, p.zxid, BigInt(p.sid)];
    p.election++;
    p.delivered = new Map();
    apply(p, p.fle.startElection(localNow(p), p.zxid, p.currentEpoch), "start");
  }

  // ---- the checker ----

  const contentKey = (
    st: PeerState | "any",
    leader: bigint,
    zxid: bigint | null,
    round: bigint | null,
    peerEpoch: bigint | null,
  ) => `${st}|${leader}|${zxid ?? "*"}|${round ?? "*"}|${peerEpoch ?? "*"}`;

  function record(p: SimPeer, from: number, note: Notification, bytes: Uint8Array): void {
    const st = stateOf(note.state);
    const m = meta.get(bytes);
    if (st === undefined || !m) return;
    const add = (key: string) => {
      const list = p.delivered.get(key) ?? [];
      list.push(m);
      p.delivered.set(key, list);
    };
    add(contentKey("any", note.leader, note.zxid, note.electionEpoch, note.peerEpoch));
    if (st !== "looking") add(contentKey(st, note.leader, null, null, null));
    if (m.from !== from) fail(`message from ${m.from} delivered as from ${from}`);
  }

  function checkDecision(p: SimPeer, v: Vote, cause: Notification | "tick" | "start"): void {
    stats.decisions++;
    const k: Key = [v.peerEpoch, v.zxid, v.leader];
    const what = `${p.sid} decided leader ${v.leader} ${keyStr(k)} in round ${v.electionEpoch}`;
    if (cause === "start") return fail(`${what} at the start of an election`);
    const backers = (key: string, ok: (m: Meta) => boolean) => {
      const s = new Set<number>();
      for (const m of p.delivered.get(key) ?? []) if (ok(m)) s.add(m.from);
      return [...s].sort((a, b) => a - b);
    };
    if (cause === "tick") {
      // C3: a finalize wait ended on LOOKING votes.
      // 3.8 also counts a FOLLOWING/LEADING notice equal in every field: a
      // peer that already decided v in round r (checked when it decided).
      const key = contentKey("any", v.leader, v.zxid, v.electionEpoch, v.peerEpoch);
      const b = backers(
        key,
        (m) => m.senderState !== "looking" || (m.startVote !== null && cmpKey(m.startVote, k) <= 0),
      );
      if (!qv.containsQuorum(b)) {
        fail(`C3: ${what} but only [${b}] voted for it with a start vote at most it`);
      }
      if (v.leader === BigInt(p.sid)) {
        const set = leadersOfRound.get(v.electionEpoch) ?? new Set();
        set.add(p.sid);
        leadersOfRound.set(v.electionEpoch, set);
        if (set.size === 2) stats.splitRounds++;
      }
      return;
    }
    // C4: joined an established leader on FOLLOWING/LEADING notices. By leader
    // only: 3.8 matches a same-round notice against stored ones by leader alone.
    const st = stateOf(cause.state);
    if (st === "looking" || st === undefined) {
      return fail(`${what} on a ${st} notification, outside a finalize wait`);
    }
    const b = new Set<number>(
      // 3.8 counts, beside notices, same-round LOOKING votes equal in every field.
      backers(contentKey("any", v.leader, v.zxid, v.electionEpoch, v.peerEpoch), () => true),
    );
    for (const s of ["following", "leading"] as const) {
      for (const sid of backers(contentKey(s, v.leader, null, null, null), () => true)) {
        b.add(sid);
      }
    }
    if (!qv.containsQuorum(b)) fail(`C4: ${what} but only [${[...b]}] named that leader`);
    p.joinedRound = true; // 3.8 takes the leader's round, which may be lower (C1)
    if (v.leader !== BigInt(p.sid)) {
      const seen = backers(
        contentKey("leading", v.leader, null, null, null),
        (m) => m.senderState === "leading" && BigInt(m.from) === v.leader,
      );
      if (seen.length === 0) fail(`C4: ${what} but never heard ${v.leader} say it leads`);
    }
  }

  /** C1 and C2 on every live core, after every event. */
  function checkState(): void {
    for (const p of peers.values()) {
      if (!p.alive || !p.booted) continue;
      const f = p.fle;
      if (f.logicalClock < p.lastClock && !p.joinedRound) {
        fail(`C1: ${p.sid}'s round went back from ${p.lastClock} to ${f.logicalClock}`);
      }
      p.lastClock = f.logicalClock;
      p.joinedRound = false;
      if (f.state !== "looking" || !p.startVote) continue;
      const k: Key = [f.proposedEpoch, f.proposedZxid, f.proposedLeader];
      if (cmpKey(k, p.startVote) < 0) {
        fail(`C2: ${p.sid} proposes ${keyStr(k)} below its start vote ${keyStr(p.startVote)}`);
      }
      const last = p.lastProposal;
      if (
        last && last.election === p.election && last.round === f.logicalClock &&
        cmpKey(k, last.key) < 0
      ) {
        fail(`C2: ${p.sid}'s proposal fell from ${keyStr(last.key)} to ${keyStr(k)}`);
      }
      p.lastProposal = { round: f.logicalClock, election: p.election, key: k };
    }
  }

  // ---- the Zab stand-in (liveness only) ----

  const zabReach = (a: SimPeer, b: SimPeer) => b.alive && sameSide(a.sid, b.sid);

  function onDecided(p: SimPeer): void {
    p.decidedAt = now;
    p.epoch = 0n;
    p.followers.clear();
    q.push(now + HEARTBEAT, { k: "role", p: p.sid, gen: p.gen });
  }

  function roleCheck(p: SimPeer): void {
    const st = p.fle.state;
    if (st === "looking") return;
    if (st === "leading") {
      const f = [...peers.values()].filter((o) =>
        o !== p && zabReach(p, o) && o.fle.state === "following" &&
        o.fle.currentVote.leader === BigInt(p.sid)
      );
      if (p.epoch === 0n) {
        if (f.length + 1 >= quorum) {
          let e = 0n;
          for (const o of [p, ...f]) if (o.acceptedEpoch > e) e = o.acceptedEpoch;
          p.epoch = e + 1n;
          for (const o of [p, ...f]) join(o, p);
        } else if (now - p.decidedAt >= INIT_LIMIT) return startElection(p);
      } else {
        for (const sid of [...p.followers]) {
          const o = peer(sid);
          if (
            !zabReach(p, o) || o.fle.state !== "following" ||
            o.fle.currentVote.leader !== BigInt(p.sid)
          ) p.followers.delete(sid);
        }
        if (p.followers.size + 1 < quorum) return startElection(p);
        if (rng.chance(0.3)) {
          // A txn committed by the leader and the followers that acked it.
          const acks = [...p.followers].filter(() => rng.chance(0.7));
          if (acks.length + 1 >= quorum) {
            const base = p.epoch << 32n;
            p.zxid = (p.zxid > base ? p.zxid : base) + 1n;
            for (const sid of acks) peer(sid).zxid = p.zxid;
          }
        }
      }
    } else {
      const l = peers.get(Number(p.fle.currentVote.leader));
      if (!l || l === p || !zabReach(p, l) || l.fle.state !== "leading") {
        return startElection(p);
      }
      if (l.epoch !== 0n && p.epoch !== l.epoch) join(p, l);
      else if (p.epoch === 0n && now - p.decidedAt >= INIT_LIMIT) return startElection(p);
    }
    q.push(now + HEARTBEAT, { k: "role", p: p.sid, gen: p.gen });
  }

  /** o syncs with leader l: it takes l's epoch and history (DIFF, TRUNC or SNAP). */
  function join(o: SimPeer, l: SimPeer): void {
    o.acceptedEpoch = l.epoch;
    o.currentEpoch = l.epoch;
    o.zxid = l.zxid;
    o.epoch = l.epoch;
    o.fle.updateElectionVote(l.epoch);
    if (o !== l) l.followers.add(o.sid);
  }

  // ---- faults ----

  function crash(p: SimPeer): void {
    p.alive = false;
    p.gen++;
    for (const o of ids) if (o !== p.sid) breakConn(p.sid, o);
  }

  function restart(p: SimPeer): void {
    p.alive = true;
    p.booted = true;
    p.gen++;
    p.fle = newCore(p.sid);
    p.slots = new SendSlots();
    p.recv = new RecvQueue();
    p.connecting = new Set();
    p.draining = false;
    p.pausedUntil = 0;
    p.lastClock = 0n;
    p.lastProposal = null;
    p.fle.setBootVote(p.zxid, p.currentEpoch);
    startElection(p);
  }

  function partition(): void {
    side = new Map(ids.map((id) => [id, rng.int(0, 1)]));
    for (const a of ids) for (const b of ids) if (a < b && !sameSide(a, b)) breakConn(a, b);
  }

  function resume(p: SimPeer): void {
    p.pausedUntil = 0;
    processRecv(p);
    scheduleTick(p);
  }

  const faults = opts.calm ? 0 : rng.int(0, 20);
  for (let i = 0; i < faults; i++) q.push(rng.int(0, FAULT_PHASE), { k: "fault" });
  q.push(FAULT_PHASE, { k: "fault" }); // the heal

  function applyFault(): void {
    if (now >= FAULT_PHASE) {
      side = new Map();
      maxDelay = 5;
      for (const p of peers.values()) {
        if (!p.alive) restart(p);
        else if (paused(p)) resume(p);
      }
      return;
    }
    const p = peer(rng.int(1, n));
    switch (rng.int(0, 7)) {
      case 0:
        return partition();
      case 1:
        side = new Map();
        return;
      case 2:
        maxDelay = rng.chance(0.7) ? rng.int(1, 20) : rng.int(100, 1500);
        return;
      case 3:
        return p.alive ? crash(p) : restart(p);
      case 4: {
        const o = rng.int(1, n);
        if (o !== p.sid) breakConn(p.sid, o);
        return;
      }
      case 5:
        if (p.alive && p.booted && !paused(p)) {
          p.pausedUntil = now + rng.int(100, 5000);
          q.push(p.pausedUntil, { k: "resume", p: p.sid, gen: p.gen });
        }
        return;
      default:
        // The peer's clock is set back (or, less often, forward).
        if (rng.chance(0.8)) {
          p.clockOffset -= rng.int(1, 30_000);
          stats.clockStepsBack++;
        } else p.clockOffset += rng.int(1, 2000);
    }
  }

  // Peers boot in a random order within the first second.
  const bootVotes = new Map(ids.map((id) => {
    const p = peer(id);
    return [id, [p.currentEpoch, p.zxid, BigInt(id)] as Key];
  }));
  for (const sid of ids) q.push(rng.int(0, opts.calm ? 5 : 1000), { k: "boot", p: sid });

  function settled(): boolean {
    const all = [...peers.values()];
    const leaders = all.filter((p) => p.fle.state === "leading" && p.epoch !== 0n);
    if (leaders.length !== 1) return false;
    const l = leaders[0];
    return all.every((p) =>
      p === l ||
      (p.fle.state === "following" && p.fle.currentVote.leader === BigInt(l.sid) &&
        p.epoch === l.epoch)
    );
  }

  while (q.size > 0 && !failure && now <= SETTLE_LIMIT) {
    const { t, e } = q.pop()!;
    now = t;
    stats.events++;
    switch (e.k) {
      case "fault":
        applyFault();
        break;
      case "boot": {
        const p = peer(e.p);
        if (p.alive && !p.booted) {
          p.booted = true;
          p.fle.setBootVote(p.zxid, p.currentEpoch);
          startElection(p);
        }
        break;
      }
      case "deliver": {
        const c = conns.get(pairKey(e.from, e.to));
        if (!c || c.id !== e.conn) break; // lost with its connection
        c.writing.delete(e.from);
        recvPush(peer(e.to), e.from, e.bytes);
        const c2 = conns.get(pairKey(e.from, e.to));
        if (c2) pump(c2, peer(e.from), e.to);
        break;
      }
      case "connect": {
        const p = peer(e.from);
        if (p.gen !== e.gen) break;
        p.connecting.delete(e.to);
        if (e.ok) connected(e.from, e.to);
        break;
      }
      case "tick": {
        const p = peer(e.p);
        if (!p.alive || e.token !== p.tickToken) break;
        if (paused(p)) break; // resume() reschedules
        processRecv(p); // as the shell's timer drains first
        apply(p, p.fle.tick(localNow(p), p.slots.haveDelivered()), "tick");
        break;
      }
      case "resume": {
        const p = peer(e.p);
        if (p.alive && p.gen === e.gen && p.pausedUntil === now) resume(p);
        break;
      }
      case "role": {
        const p = peer(e.p);
        if (p.alive && p.gen === e.gen && !paused(p)) roleCheck(p);
        else if (p.alive && p.gen === e.gen) {
          q.push(p.pausedUntil, { k: "role", p: p.sid, gen: p.gen });
        }
        break;
      }
    }
    checkState();
    if (now > FAULT_PHASE && settled()) break;
  }

  const result: SimResult = { seed: opts.seed, n, stats };
  if (failure) return { ...result, error: failure };
  if (!settled()) {
    const states = [...peers.values()].map((p) =>
      `${p.sid}:${p.fle.state}→${p.fle.currentVote.leader}@${p.epoch}`
    ).join(" ");
    return { ...result, error: `no single agreed leader by t=${now}: ${states}` };
  }
  const l = [...peers.values()].find((p) => p.fle.state === "leading")!;
  if (opts.calm) {
    let best = bootVotes.get(1)!;
    for (const v of bootVotes.values()) if (cmpKey(best, v) < 0) best = v;
    if (best[2] !== BigInt(l.sid)) {
      return { ...result, error: `calm run elected ${l.sid}, not the greatest vote ${best}` };
    }
  }
  return { ...result, leader: l.sid };
}
