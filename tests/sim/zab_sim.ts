// Deterministic simulation of Zab on zkt's own cores: each peer leads with
// LeaderDiscovery + Broadcast (which plans syncs with planSync) + LeaderLiveness,
// and follows with LearnerCore, through a small shell (below) that performs
// their actions on a virtual network and a virtual disk, in virtual time.
//
// Network: one TCP-like connection per learner→leader link, FIFO each way with
// random delays (some long). Loss is a connection break: what was in flight is
// gone and both ends hear the close. Partitions cut links silently (the cores'
// timers must notice); a cut connection stays dead after the heal.
// Disk, per peer: appends reach the disk only at fsync points (a group commit a
// few ms later); a crash keeps a random prefix of the unfsynced appends, maybe
// with a torn record after it (dropped on recovery, as a CRC check would). Epoch
// files are tmp+fsync+rename: atomic, durable once written (the learner's
// writes take time and may be cut by a crash; the leader's are synchronous,
// as its core expects). A snapshot written without fsync (the learner's at
// NEWLEADER after a plain TRUNC) reaches the disk only at a later writeback,
// and a crash before it loses it half the time. TRUNC truncates the log
// durably and drops snapshots past the truncation point; so does a SNAP, past
// the image (the shell's duty: without it, recovery replays the old log's
// divergent txns on top of the new snapshot — seeds 377 and 698 fail C2). A
// restarted peer recovers from its disk only: the newest snapshot, then the
// log's txns after it.
// Memory ("the tree") is a list of applied txns; on a role's end the log writer
// is drained and the tree rebuilt from the disk (3.8's fast-forward).
//
// Election, chosen by seed: zkt's own FLE core (src/election/fle.ts; its
// notifications FIFO per link, lost across cuts and crashes, its deadlines as
// events; a learner tries its leader five times 100 ms apart, as 3.8 does), or
// a documented stand-in that is more adversarial about whom it picks: a
// LOOKING peer that reaches a LEADING peer follows it; otherwise, when the
// LOOKING voters it reaches are a quorum, a random quorum Q of them is taken
// and the greatest (currentEpoch, lastLoggedZxid, sid) in Q leads, the rest
// of Q follow — exactly FLE's promise, and nothing more. (tests/sim/fle_sim.ts
// checks the FLE core itself; here only Zab is checked.)
// Clients: a bounded number of writes, each to an established leader (retried
// while there is none). A write is acknowledged when its leader commits it
// (the reply would go out then).
//
// Checked after every event (the first failure ends the run with its seed):
//  C1 at most one leader is established per epoch;
//  C2 every txn a peer applies lands at its place in the one committed
//     sequence (zxid order, no gaps, no divergent txn at a zxid), and a peer's
//     tree is a prefix of it whenever the peer starts serving;
//  C3 an established leader's history holds every committed (acknowledged)
//     txn, and every committed txn is durable (snapshot or fsynced log) on a
//     quorum of voters, whatever crashed;
//  C4 a leader commits (replies) only when a quorum of voters has the txn
//     fsynced;
//  C5 a learner ACKs a proposal only when it is fsynced;
//  C6 a learner writes currentEpoch only when everything it was synced with
//     before NEWLEADER is durable (3.8.5's ZOOKEEPER-4785 order).
// At the end the network heals, every peer restarts, and the run must settle:
// one established leader, every other peer serving under it, all trees equal
// to the committed sequence and nothing outstanding.
// Some runs add an observer (it only joins a leader; C5 also checks it never
// ACKs). Not modeled: forwarded requests/sessions/SYNC, reconfig, clock skew,
// a SNAP image's fuzziness, counter rollover.
import { MajorityQuorum } from "../../src/config/quorum_verifier.ts";
import type { QuorumServer, QuorumVerifier } from "../../src/config/types.ts";
import { type TxnHeader, writeTxnHeader } from "../../src/jute/txn.ts";
import { encode } from "../../src/jute/writer.ts";
import { Broadcast, type BroadcastAction } from "../../src/zab/broadcast.ts";
import { type DiscoveryAction, LeaderDiscovery } from "../../src/zab/discovery.ts";
import { type LearnerAction, LearnerCore } from "../../src/zab/learner.ts";
import { LeaderLiveness, type LivenessAction } from "../../src/zab/liveness.ts";
import { FastLeaderElection, type Output as FleOutput } from "../../src/election/fle.ts";
import type { Notification } from "../../src/election/notification.ts";
import { counterOf, packetName, PacketType, zxidHex } from "../../src/zab/packet_types.ts";
import {
  commitPacket,
  diffPacket,
  parseAckEpoch,
  parseLearnerInfo,
  proposalPacket,
  type QuorumPacket,
} from "../../src/zab/packets.ts";
import type { SyncPlan } from "../../src/zab/sync_plan.ts";
import { EventQueue, Rng } from "./harness.ts";

/** Bugs the checker must catch, planted in the shell or around a core (opt-in, for the tests). */
export type Plant =
  /** The learner's log writer reports txns fsynced when it only appended them. */
  | "ackBeforeFsync"
  /** The leader's broadcast counts any one ACK as a quorum. */
  | "commitOnMinority"
  /** At NEWLEADER the learner writes currentEpoch before the synced txns are fsynced. */
  | "epochBeforeTxns"
  /** Where planSync chose SNAP, the leader sends a DIFF of the history it has after the peer's zxid. */
  | "diffAcrossGap"
  /** The leader counts its own ACK when it logs a proposal, before the fsync. */
  | "leaderAckBeforeFsync"
  /**
   * The election stand-in makes the least (currentEpoch, lastLoggedZxid, sid)
   * of its quorum lead, and the leader's shell hides the learners' currentEpoch
   * from discovery (reports 0), so its "Follower is ahead" refusal never fires.
   * (The bad election alone breaks no check: discovery refuses ahead
   * learners, so such a leader never establishes.)
   */
  | "electLowest";

/** Options of one run; everything else follows from the seed. */
export interface ZabSimOptions {
  seed: number;
  /** Voters: 3 or 5 by seed unless given. */
  n?: number;
  /** Add an observer (default: by seed). */
  observer?: boolean;
  /** zkt's FLE core or the stand-in (default: by seed). */
  election?: "fle" | "standin";
  plant?: Plant;
  /** Keep a trace of the last events (for a failure report). */
  trace?: boolean;
}

/** How often the interesting paths came up. */
export interface ZabSimStats {
  events: number;
  elections: number;
  established: number;
  writes: number;
  committed: number;
  crashes: number;
  breaks: number;
  partitions: number;
  diff: number;
  trunc: number;
  snap: number;
  stepDowns: number;
  learnerLeaves: number;
  tornTails: number;
  lostSnapshots: number;
  /** TRUNC to a zxid the learner held only in a newer snapshot. */
  truncBelowSnapshot: number;
  /** Learner connect attempts that found no leader yet (retried, as 3.8 does 5 times). */
  connectRetries: number;
  /** Discovery refused a learner (e.g. "Follower is ahead of the leader"). */
  refused: number;
  /** Discovery gave up (a wait outlasted initLimit). */
  gaveUp: number;
  /** Liveness dropped a learner (transaction timeout). */
  drops: number;
  /** After the heal a peer's acceptedEpoch was above the established leader's epoch (see unstick). */
  stuckAcceptedEpoch: number;
}

/** The outcome of one run. */
export interface ZabSimResult {
  seed: number;
  /** Peers, the observer included. */
  n: number;
  observers: number;
  election: "fle" | "standin";
  /** The first check that failed ("C1: …", "END: …"), or null. */
  error: string | null;
  stats: ZabSimStats;
  /** Length of the committed sequence at the end. */
  committed: number;
  /** The last events before the end (with trace on). */
  trace: string[];
}

const TICK = 100; // tickTime, ms of virtual time
const INIT_LIMIT = 10;
const SYNC_LIMIT = 5;
const SETTLE_MS = 40_000;

/** One txn as the simulation tracks it: zxid, a unique client write id, its entry bytes. */
interface T {
  zxid: bigint;
  id: number;
  entry: Uint8Array;
}

interface Snap {
  zxid: bigint;
  seq: T[];
}

interface Disk {
  /** fsynced appends, in order. */
  log: T[];
  /** Appended, not yet fsynced. */
  pending: T[];
  /** Durable snapshots. */
  snaps: Snap[];
  /** Written without fsync, not yet written back. */
  pendingSnap: Snap | null;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
}

interface Conn {
  id: number;
  learner: number;
  leader: number;
  open: boolean;
  /** Cut by a partition: nothing more is delivered and no end hears of it. */
  dead: boolean;
  up: QuorumPacket[];
  down: { p: QuorumPacket; image?: T[] }[];
  upAt: number;
  downAt: number;
}

interface LeaderState {
  disc: LeaderDiscovery;
  live: LeaderLiveness;
  bc: Broadcast | null;
  established: boolean;
  conns: Map<number, Conn>;
  /** Own proposals logged, waiting for the fsync to self-ACK. */
  ownUnsynced: bigint[];
}

interface LearnerState {
  core: LearnerCore;
  conn: Conn;
  leader: number;
  serving: boolean;
  sawNewLeader: boolean;
  /** What this link handed the learner before NEWLEADER: its state after DIFF/TRUNC/SNAP plus proposals. */
  syncSeq: T[];
  image: T[] | null;
  /** Appended txns not yet fsynced on this link. */
  unsynced: bigint[];
}

interface Peer {
  sid: number;
  alive: boolean;
  /** Bumped on every role change, crash and restart: older events are ignored. */
  role: number;
  state: "LOOKING" | "LEADING" | "FOLLOWING" | "DOWN";
  disk: Disk;
  diskVer: number;
  tree: T[];
  leader: LeaderState | null;
  learner: LearnerState | null;
  fsyncScheduled: boolean;
  /** Incarnation, for C1's "same leader" test. */
  life: number;
  /** zkt's FLE core (a new one per incarnation), with election "fle". */
  fle: FastLeaderElection | null;
  fleTickToken: number;
  halfTicks: number;
}

type Ev =
  | { k: "deliver"; conn: Conn; dir: "up" | "down" }
  | { k: "closed"; conn: Conn; side: "learner" | "leader"; reason: string }
  | { k: "connect"; p: number; role: number; leader: number; tries: number }
  | { k: "tick"; p: number; role: number }
  | { k: "elect"; p: number; role: number }
  | { k: "fleStart"; p: number; role: number }
  | { k: "fleDeliver"; from: number; to: number; life: number; n: Notification }
  | { k: "fleTick"; p: number; token: number }
  | { k: "fsync"; p: number; role: number }
  | { k: "disk"; p: number; role: number; then: () => void; what: string }
  | { k: "writeback"; p: number; snap: Snap }
  | { k: "restart"; p: number }
  | { k: "write"; id: number }
  | { k: "fault" }
  | { k: "healLinks"; pairs: string[] }
  | { k: "heal" }
  | { k: "settle" };

class CheckFailed extends Error {}

function srv(id: number, observer: boolean): QuorumServer {
  return {
    id,
    addrs: [{ host: "127.0.0.1", port: 2000 + id }],
    electionAddrs: [{ host: "127.0.0.1", port: 3000 + id }],
    type: observer ? "observer" : "participant",
  };
}

/** A txn entry: a TxnHeader whose cxid is the write's id, and a 4-byte body. */
function txnEntry(zxid: bigint, id: number): Uint8Array {
  const h: TxnHeader = { clientId: 1n, cxid: id, zxid, time: 0, type: 5 };
  const head = encode(writeTxnHeader, h, 32);
  const out = new Uint8Array(head.length + 4);
  out.set(head);
  return out;
}

const tstr = (t: T) => `${zxidHex(t.zxid)}#${t.id}`;
const lastZxid = (seq: readonly T[]) => (seq.length ? seq[seq.length - 1].zxid : 0n);

/** The state a peer recovers from its disk: newest snapshot, then the log's later txns. */
function recover(d: Disk, withPending: boolean): T[] {
  let snap: Snap | null = null;
  for (const s of d.snaps) if (snap === null || s.zxid >= snap.zxid) snap = s;
  if (withPending && d.pendingSnap && (snap === null || d.pendingSnap.zxid >= snap.zxid)) {
    snap = d.pendingSnap;
  }
  const seq = snap ? snap.seq.slice() : [];
  let last = snap ? snap.zxid : 0n;
  for (const t of withPending ? d.log.concat(d.pending) : d.log) {
    if (t.zxid > last) {
      seq.push(t);
      last = t.zxid;
    }
  }
  return seq;
}

/** Runs one seeded simulation and checks it after every event. */
export function runZabSim(o: ZabSimOptions): ZabSimResult {
  return new World(o).run();
}

class World {
  rng: Rng;
  n: number;
  qv: QuorumVerifier;
  quorumSize: number;
  observers: number;
  election: "fle" | "standin";
  fleLinkAt = new Map<string, number>();
  q = new EventQueue<Ev>();
  now = 0;
  peers: Peer[] = [];
  nextConn = 1;
  cut = new Set<string>();
  faulting = true;
  faultEnd: number;
  stats: ZabSimStats = {
    events: 0,
    elections: 0,
    established: 0,
    writes: 0,
    committed: 0,
    crashes: 0,
    breaks: 0,
    partitions: 0,
    diff: 0,
    trunc: 0,
    snap: 0,
    stepDowns: 0,
    learnerLeaves: 0,
    tornTails: 0,
    lostSnapshots: 0,
    truncBelowSnapshot: 0,
    connectRetries: 0,
    refused: 0,
    gaveUp: 0,
    drops: 0,
    stuckAcceptedEpoch: 0,
  };
  // Checker state.
  /** The one committed sequence. */
  committed: T[] = [];
  committedVer = 0;
  checkedVer = "";
  establishedBy = new Map<bigint, string>();
  traceOn: boolean;
  traceLines: string[] = [];
  durableCache = new Map<number, { ver: number; byZxid: Map<bigint, number> }>();
  settled = false;
  unstuck = false;
  plant?: Plant;
  diskMs: number;

  constructor(readonly o: ZabSimOptions) {
    this.rng = new Rng(o.seed);
    const voters = o.n ?? (this.rng.chance(0.5) ? 3 : 5);
    // Some runs add an observer (the last sid): OBSERVERINFO, INFORM, no ACKs, no vote.
    const observerCoin = this.rng.chance(0.3);
    this.observers = (o.observer ?? observerCoin) ? 1 : 0;
    this.n = voters + this.observers;
    const fleCoin = this.rng.chance(0.5); // drawn either way: a forced choice keeps the seed's run
    this.election = o.election ??
      (o.plant === "electLowest" ? "standin" : fleCoin ? "fle" : "standin");
    this.plant = o.plant;
    this.traceOn = o.trace ?? false;
    this.qv = new MajorityQuorum(
      Array.from({ length: this.n }, (_, i) => srv(i + 1, i >= voters)),
    );
    this.quorumSize = Math.floor(voters / 2) + 1;
    this.faultEnd = this.rng.int(6_000, 14_000);
    // Some runs get a slow disk (crashes then catch more unfsynced appends).
    this.diskMs = this.rng.chance(0.25) ? 150 : 15;
    for (let i = 1; i <= this.n; i++) {
      this.peers.push({
        sid: i,
        alive: true,
        role: 0,
        state: "LOOKING",
        disk: {
          log: [],
          pending: [],
          snaps: [],
          pendingSnap: null,
          acceptedEpoch: 0n,
          currentEpoch: 0n,
        },
        diskVer: 0,
        tree: [],
        leader: null,
        learner: null,
        fsyncScheduled: false,
        life: 0,
        fle: null,
        fleTickToken: 0,
        halfTicks: 0,
      });
    }
  }

  peer(sid: number): Peer {
    return this.peers[sid - 1];
  }

  at(dt: number, e: Ev): void {
    this.q.push(this.now + dt, e);
  }

  trace(s: string): void {
    if (!this.traceOn) return;
    this.traceLines.push(`${this.now}ms ${s}`);
    if (this.traceLines.length > 3000) this.traceLines.shift();
  }

  fail(msg: string): never {
    throw new CheckFailed(msg);
  }

  run(): ZabSimResult {
    let error: string | null = null;
    try {
      for (const p of this.peers) this.lookAgain(p, this.rng.int(0, 50));
      for (const p of this.peers) {
        this.at(this.rng.int(0, TICK / 2), { k: "tick", p: p.sid, role: -1 });
      }
      const writes = this.rng.int(5, this.rng.chance(0.2) ? 80 : 30);
      for (let i = 1; i <= writes; i++) {
        this.at(this.rng.int(0, this.faultEnd), { k: "write", id: i });
      }
      this.at(this.rng.int(100, 800), { k: "fault" });
      this.at(this.faultEnd, { k: "heal" });
      for (;;) {
        const ev = this.q.pop();
        if (ev === undefined) this.fail("END: the event queue ran dry");
        this.now = ev.t;
        this.stats.events++;
        this.handle(ev.e);
        this.check();
        if (this.settled) break;
        if (this.now > this.faultEnd + SETTLE_MS) this.fail(`END: not settled: ${this.describe()}`);
      }
    } catch (e) {
      if (!(e instanceof CheckFailed)) {
        error = `CRASH: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
      } else error = e.message;
      this.trace(`FAIL ${error}`);
    }
    return {
      seed: this.o.seed,
      n: this.n,
      observers: this.observers,
      election: this.election,
      error,
      stats: this.stats,
      committed: this.committed.length,
      trace: this.traceLines,
    };
  }

  describe(): string {
    return this.peers.map((p) =>
      `${p.sid}:${p.state}${p.leader?.established ? "*" : ""}${
        p.learner ? `(${p.learner.core.phase}→${p.learner.leader})` : ""
      } tree ${p.tree.length} last ${
        zxidHex(lastZxid(p.tree))
      } ep ${p.disk.currentEpoch}/${p.disk.acceptedEpoch}`
    ).join("; ") + `; committed ${this.committed.length}`;
  }

  // ---- events ----

  handle(e: Ev): void {
    switch (e.k) {
      case "deliver":
        return this.deliver(e.conn, e.dir);
      case "closed": {
        const c = e.conn;
        if (e.side === "learner") {
          const p = this.peer(c.learner);
          if (p.learner?.conn === c) {
            this.trace(`${p.sid} hears conn ${c.id} closed (${e.reason})`);
            this.runLearner(p, p.learner.core.close(e.reason));
          }
        } else {
          const l = this.peer(c.leader);
          if (l.leader?.conns.get(c.learner) === c) {
            this.trace(`leader ${l.sid} hears conn ${c.id} from ${c.learner} closed`);
            this.learnerGone(l, c.learner);
          }
        }
        return;
      }
      case "connect":
        return this.connect(e.p, e.role, e.leader, e.tries);
      case "fleStart": {
        const p = this.peer(e.p);
        if (!p.alive || p.role !== e.role || p.state !== "LOOKING") return;
        p.fle!.stopRole();
        this.runFle(p, p.fle!.startElection(this.now, lastZxid(p.tree), p.disk.currentEpoch));
        return;
      }
      case "fleDeliver": {
        const p = this.peer(e.to);
        if (!p.alive || p.life !== e.life || !this.linkOk(e.from, e.to)) return;
        this.runFle(p, p.fle!.receive(this.now, BigInt(e.from), e.n));
        return;
      }
      case "fleTick": {
        const p = this.peer(e.p);
        if (!p.alive || p.fleTickToken !== e.token) return;
        this.runFle(p, p.fle!.tick(this.now, true));
        return;
      }
      case "tick":
        return this.tick(e.p, e.role);
      case "elect":
        return this.elect(e.p, e.role);
      case "fsync":
        return this.fsync(e.p, e.role);
      case "disk": {
        const p = this.peer(e.p);
        if (p.role !== e.role || !p.alive) return;
        this.trace(`${p.sid} disk done: ${e.what}`);
        e.then();
        return;
      }
      case "writeback": {
        const p = this.peer(e.p);
        if (p.disk.pendingSnap === e.snap) {
          p.disk.snaps.push(e.snap);
          p.disk.pendingSnap = null;
          p.diskVer++;
        }
        return;
      }
      case "restart":
        return this.restart(this.peer(e.p));
      case "write":
        return this.write(e.id);
      case "fault":
        return this.fault();
      case "healLinks":
        for (const k of e.pairs) this.cut.delete(k);
        return;
      case "heal":
        this.faulting = false;
        this.cut.clear();
        this.trace("heal: links restored, every peer restarts");
        for (const p of this.peers) {
          if (!p.alive) this.at(this.rng.int(1, 200), { k: "restart", p: p.sid });
        }
        this.at(TICK, { k: "settle" });
        return;
      case "settle":
        if (this.isSettled()) this.settled = true;
        else {
          this.unstick();
          this.at(TICK, { k: "settle" });
        }
        return;
    }
  }

  /**
   * A peer that accepted epoch e (as a leader that gave up) cannot join an
   * established leader of a lower epoch — 3.8's learner refuses ("Leaders
   * epoch, 3 is less than accepted epoch, 4"), and so does LearnerCore — and
   * the leader never steps down for it: it stays out until the leader fails
   * (random seed 31632). After the heal, once, the simulation restarts such a
   * leader, as an operator would, and still requires convergence.
   */
  unstick(): void {
    if (this.unstuck || this.now < this.faultEnd + 15_000) return;
    const l = this.peers.find((p) => p.alive && p.leader?.established);
    if (l === undefined) return;
    const epoch = l.leader!.disc.epoch;
    if (!this.peers.some((p) => p.alive && p.disk.acceptedEpoch > epoch)) return;
    this.unstuck = true;
    this.stats.stuckAcceptedEpoch++;
    this.trace(`leader ${l.sid} of epoch ${epoch} restarted: a peer accepted a later epoch`);
    this.crash(l);
  }

  isSettled(): boolean {
    const leaders = this.peers.filter((p) => p.state === "LEADING" && p.leader?.established);
    if (leaders.length !== 1) return false;
    const l = leaders[0];
    if (l.leader!.bc!.outstanding().length !== 0) return false;
    for (const p of this.peers) {
      if (p === l) continue;
      if (!p.alive || p.learner?.leader !== l.sid || p.learner.core.phase !== "broadcast") {
        return false;
      }
      if (!sameSeq(p.tree, l.tree)) return false;
    }
    if (!sameSeq(l.tree, this.committed)) {
      this.fail(`END: settled leader ${l.sid}'s history is not the committed sequence`);
    }
    return true;
  }

  linkOk(a: number, b: number): boolean {
    return !this.cut.has(a < b ? `${a}-${b}` : `${b}-${a}`);
  }

  // ---- network ----

  delay(): number {
    return this.rng.chance(0.08) ? this.rng.int(20, 250) : this.rng.int(1, 10);
  }

  sendDown(c: Conn, p: QuorumPacket, image?: T[]): void {
    if (!c.open) return;
    if (c.dead || !this.linkOk(c.learner, c.leader)) {
      c.dead = true;
      return;
    }
    c.downAt = Math.max(c.downAt, this.now + this.delay());
    c.down.push({ p, image });
    this.q.push(c.downAt, { k: "deliver", conn: c, dir: "down" });
  }

  sendUp(c: Conn, p: QuorumPacket): void {
    if (!c.open) return;
    if (c.dead || !this.linkOk(c.learner, c.leader)) {
      c.dead = true;
      return;
    }
    c.upAt = Math.max(c.upAt, this.now + this.delay());
    c.up.push(p);
    this.q.push(c.upAt, { k: "deliver", conn: c, dir: "up" });
  }

  /** Closes a connection from one side; the other side hears it unless the link is cut. */
  closeConn(c: Conn, by: "learner" | "leader" | "both", reason: string): void {
    if (!c.open) return;
    c.open = false;
    c.up = [];
    c.down = [];
    if (c.dead || !this.linkOk(c.learner, c.leader)) return;
    if (by !== "learner") {
      this.at(this.delay(), { k: "closed", conn: c, side: "learner", reason });
    }
    if (by !== "leader") {
      this.at(this.delay(), { k: "closed", conn: c, side: "leader", reason });
    }
  }

  deliver(c: Conn, dir: "up" | "down"): void {
    if (!c.open || c.dead) return;
    if (!this.linkOk(c.learner, c.leader)) {
      // Cut while in flight: lost, and the connection with it.
      c.dead = true;
      return;
    }
    if (dir === "down") {
      const m = c.down.shift();
      if (m === undefined) return;
      const p = this.peer(c.learner);
      const ls = p.learner;
      if (ls === null || ls.conn !== c) return;
      if (m.p.type !== PacketType.PING) {
        this.trace(`${p.sid} <- ${packetName(m.p.type)} ${zxidHex(m.p.zxid)}`);
      }
      this.learnerSaw(p, ls, m.p, m.image);
      this.runLearner(p, ls.core.receive(m.p));
    } else {
      const pkt = c.up.shift();
      if (pkt === undefined) return;
      const l = this.peer(c.leader);
      if (l.leader?.conns.get(c.learner) !== c) return;
      if (pkt.type !== PacketType.PING) {
        this.trace(`leader ${l.sid} <- ${c.learner} ${packetName(pkt.type)} ${zxidHex(pkt.zxid)}`);
      }
      this.leaderReceive(l, c.learner, pkt);
    }
  }

  // ---- election stand-in and roles ----

  key(p: Peer): [bigint, bigint, number] {
    return [p.disk.currentEpoch, lastZxid(p.tree), p.sid];
  }

  isVoter(p: Peer): boolean {
    return this.qv.votingMembers.has(p.sid);
  }

  lookAgain(p: Peer, dt: number): void {
    if (this.election === "fle") {
      p.fle ??= this.newFle(p);
      this.at(dt, { k: "fleStart", p: p.sid, role: p.role });
    } else this.at(dt, { k: "elect", p: p.sid, role: p.role });
  }

  newFle(p: Peer): FastLeaderElection {
    return new FastLeaderElection({
      myid: BigInt(p.sid),
      qv: this.qv,
      learnerType: this.isVoter(p) ? "participant" : "observer",
      // A lower back-off cap than 3.8's 60 s keeps the settle phase short.
      timing: { maxNotificationInterval: 1_600 },
    });
  }

  /** Carries out what the FLE core asked: notifications (FIFO per link), its next deadline, a decision. */
  runFle(p: Peer, out: FleOutput): void {
    const fle = p.fle!;
    for (const { to, n } of out.send) {
      const t = Number(to);
      if (t === p.sid) {
        this.at(0, { k: "fleDeliver", from: p.sid, to: t, life: p.life, n });
        continue;
      }
      const q = this.peers[t - 1];
      if (q === undefined || !q.alive || !this.linkOk(p.sid, t)) continue;
      const k = `${p.sid}>${t}`;
      const at = Math.max(this.fleLinkAt.get(k) ?? 0, this.now + this.delay());
      this.fleLinkAt.set(k, at);
      this.q.push(at, { k: "fleDeliver", from: p.sid, to: t, life: q.life, n });
    }
    const wait = fle.untilDeadline(this.now);
    if (wait !== null) this.at(wait, { k: "fleTick", p: p.sid, token: ++p.fleTickToken });
    const v = out.decided;
    if (v === undefined || p.state !== "LOOKING") return;
    this.stats.elections++;
    this.trace(`${p.sid} FLE decides leader ${v.leader} (round ${v.electionEpoch})`);
    if (Number(v.leader) === p.sid) this.lead(p);
    else this.follow(p, Number(v.leader));
  }

  elect(sid: number, role: number): void {
    const p = this.peer(sid);
    if (!p.alive || p.role !== role || p.state !== "LOOKING") return;
    const reach = this.peers.filter((q) => q.alive && (q === p || this.linkOk(p.sid, q.sid)));
    const leading = reach.filter((q) => q.state === "LEADING");
    if (leading.length > 0) {
      this.follow(p, this.rng.pick(leading).sid);
      return;
    }
    // Observers only join a leader; they neither vote nor lead.
    if (!this.isVoter(p)) {
      this.lookAgain(p, this.rng.int(100, 400));
      return;
    }
    const looking = reach.filter((q) => q.state === "LOOKING" && this.isVoter(q));
    if (looking.length < this.quorumSize) {
      this.lookAgain(p, this.rng.int(100, 400));
      return;
    }
    // A random quorum of the reachable LOOKING peers; its greatest vote leads.
    const pool = looking.slice();
    const size = this.rng.int(this.quorumSize, looking.length);
    const qset: Peer[] = [];
    while (qset.length < size) qset.push(pool.splice(this.rng.int(0, pool.length - 1), 1)[0]);
    let w = qset[0];
    const sign = this.plant === "electLowest" ? -1 : 1;
    for (const q of qset) if (sign * cmpKey(this.key(q), this.key(w)) > 0) w = q;
    this.stats.elections++;
    this.trace(
      `election among [${qset.map((q) => q.sid)}]: ${w.sid} leads (${this.key(w).map(String)})`,
    );
    this.lead(w);
    for (const q of qset) if (q !== w) this.follow(q, w.sid);
    if (!qset.includes(p)) this.lookAgain(p, this.rng.int(100, 400));
  }

  /** The role ends: connections close, the log writer drains, memory comes from the disk. */
  endRole(p: Peer, reason: string): void {
    this.trace(`${p.sid} ${p.state} ends: ${reason}`);
    if (p.leader) {
      for (const c of p.leader.conns.values()) this.closeConn(c, "leader", reason);
    }
    if (p.learner) this.closeConn(p.learner.conn, "learner", reason);
    p.leader = null;
    p.learner = null;
    p.role++;
    p.state = "LOOKING";
    this.drain(p);
    p.tree = recover(p.disk, true);
    this.lookAgain(p, this.rng.int(10, 200));
  }

  drain(p: Peer): void {
    if (p.disk.pending.length) {
      p.disk.log.push(...p.disk.pending);
      p.disk.pending = [];
      p.diskVer++;
    }
    p.fsyncScheduled = false;
  }

  follow(p: Peer, leader: number): void {
    p.role++;
    p.state = "FOLLOWING";
    this.at(this.rng.int(1, 5), { k: "connect", p: p.sid, role: p.role, leader, tries: 1 });
  }

  connect(sid: number, role: number, leaderSid: number, tries: number): void {
    const p = this.peer(sid);
    if (!p.alive || p.role !== role) return;
    const l = this.peer(leaderSid);
    if (!l.alive || l.state !== "LEADING" || !this.linkOk(sid, leaderSid)) {
      // 3.8's learner tries five times, 100 ms apart (the leader may not have decided yet).
      if (tries < 5) {
        this.stats.connectRetries++;
        this.at(100, { k: "connect", p: sid, role, leader: leaderSid, tries: tries + 1 });
        return;
      }
      this.endRole(p, `cannot connect to leader ${leaderSid}`);
      return;
    }
    const old = l.leader!.conns.get(sid);
    if (old) {
      this.closeConn(old, "leader", "replaced by a new connection");
      this.learnerGone(l, sid);
    }
    const conn: Conn = {
      id: this.nextConn++,
      learner: sid,
      leader: leaderSid,
      open: true,
      dead: false,
      up: [],
      down: [],
      upAt: 0,
      downAt: 0,
    };
    l.leader!.conns.set(sid, conn);
    const core = new LearnerCore({
      sid: BigInt(sid),
      observer: !this.isVoter(p),
      acceptedEpoch: p.disk.acceptedEpoch,
      currentEpoch: p.disk.currentEpoch,
      lastLoggedZxid: lastZxid(p.tree),
      initLimit: INIT_LIMIT,
      syncLimit: SYNC_LIMIT,
    });
    p.learner = {
      core,
      conn,
      leader: leaderSid,
      serving: false,
      sawNewLeader: false,
      syncSeq: [],
      image: null,
      unsynced: [],
    };
    this.trace(`${sid} connects to ${leaderSid} (conn ${conn.id})`);
    this.runLearner(p, core.start());
  }

  lead(p: Peer): void {
    p.role++;
    p.state = "LEADING";
    const myid = BigInt(p.sid);
    const disc = new LeaderDiscovery({
      myid,
      qv: this.qv,
      acceptedEpoch: p.disk.acceptedEpoch,
      currentEpoch: p.disk.currentEpoch,
      lastZxid: lastZxid(p.tree),
      initLimit: INIT_LIMIT,
    });
    const live = new LeaderLiveness({
      myid,
      qv: this.qv,
      initLimit: INIT_LIMIT,
      syncLimit: SYNC_LIMIT,
      tickTime: TICK,
    });
    p.leader = { disc, live, bc: null, established: false, conns: new Map(), ownUnsynced: [] };
    this.runDiscovery(p, disc.start(this.tickNo()));
  }

  /** How long one disk operation takes. */
  diskTime(): number {
    return this.rng.int(1, this.diskMs);
  }

  tickNo(): number {
    return Math.floor(this.now / TICK);
  }

  tick(sid: number, _role: number): void {
    const p = this.peer(sid);
    this.at(TICK / 2, { k: "tick", p: sid, role: -1 });
    if (!p.alive) return;
    p.halfTicks++;
    const full = p.halfTicks % 2 === 0;
    const L = p.leader;
    if (L) {
      if (L.bc) {
        this.runLiveness(p, L.live.halfTick(this.now, L.bc.lastProposed, L.bc.oldestUnacked()));
      }
      if (!full || p.leader !== L) return;
      if (!L.established) this.runDiscovery(p, L.disc.tick(this.tickNo()));
      else this.runLiveness(p, L.live.tick(this.tickNo()));
    } else if (p.learner && full) {
      this.runLearner(p, p.learner.core.tick());
    }
  }

  // ---- the leader's shell ----

  leaderReceive(l: Peer, sid: number, pkt: QuorumPacket): void {
    const L = l.leader!;
    const tick = this.tickNo();
    const bsid = BigInt(sid);
    L.live.heard(bsid, tick);
    switch (pkt.type) {
      case PacketType.FOLLOWERINFO:
      case PacketType.OBSERVERINFO: {
        const h = parseLearnerInfo(pkt);
        L.live.connected(bsid, tick);
        this.runDiscovery(
          l,
          L.disc.learnerInfo(bsid, {
            observer: h.observer,
            acceptedEpoch: h.acceptedEpoch,
            configVersion: h.configVersion,
          }, tick),
        );
        return;
      }
      case PacketType.ACKEPOCH: {
        const ack = parseAckEpoch(pkt);
        if (this.plant === "electLowest" && ack.epoch !== -1) ack.epoch = 0;
        this.runDiscovery(l, L.disc.ackEpoch(bsid, ack, tick));
        return;
      }
      case PacketType.ACK:
        this.runDiscovery(l, L.disc.ack(bsid, pkt.zxid));
        if (l.leader === L && L.bc) this.runBroadcast(l, L.bc.ack(bsid, pkt.zxid));
        return;
      case PacketType.PING:
        return;
      default:
        this.fail(`SHELL: leader ${l.sid} got unexpected ${packetName(pkt.type)} from ${sid}`);
    }
  }

  learnerGone(l: Peer, sid: number): void {
    const L = l.leader!;
    const c = L.conns.get(sid);
    if (c) this.closeConn(c, "leader", "learner gone");
    L.conns.delete(sid);
    const b = BigInt(sid);
    L.disc.learnerGone(b);
    L.bc?.removeLearner(b);
    L.live.gone(b);
  }

  sendTo(l: Peer, sid: bigint, p: QuorumPacket, image?: T[]): void {
    const c = l.leader!.conns.get(Number(sid));
    if (c) this.sendDown(c, p, image);
  }

  runDiscovery(l: Peer, actions: DiscoveryAction[]): void {
    const L = l.leader!;
    for (const a of actions) {
      if (l.leader !== L) return;
      switch (a.kind) {
        case "writeAcceptedEpoch":
          l.disk.acceptedEpoch = a.epoch;
          l.diskVer++;
          break;
        case "writeCurrentEpoch": {
          l.disk.currentEpoch = a.epoch;
          l.diskVer++;
          const bcQv = this.plant === "commitOnMinority" ? anyOneIsAQuorum(this.qv) : this.qv;
          L.bc = new Broadcast({
            myid: BigInt(l.sid),
            qv: bcQv,
            epoch: a.epoch,
            lastCommitted: lastZxid(l.tree),
            window: l.tree,
            windowSize: this.rng.int(3, 40),
          });
          break;
        }
        case "send":
          this.sendTo(l, a.to, a.packet);
          if (a.packet.type === PacketType.UPTODATE) {
            L.bc?.upToDate(a.to, this.now);
            L.live.upToDate(a.to, this.tickNo());
          }
          break;
        case "startSync": {
          const bc = L.bc!;
          let plan = bc.syncLearner(a.sid, {
            observer: a.observer,
            peerZxid: a.peerZxid,
            quorumVerifier: "",
          });
          if (this.plant === "diffAcrossGap") plan = diffAcross(plan, a.peerZxid, bc);
          this.stats[plan.mode]++;
          this.trace(`leader ${l.sid} syncs ${a.sid}: ${plan.mode} (${plan.reason})`);
          const image = plan.mode === "snap"
            ? l.tree.filter((t) => t.zxid <= bc.lastCommitted)
            : undefined;
          plan.packets.forEach((p, i) => this.sendTo(l, a.sid, p, i === 0 ? image : undefined));
          L.live.syncing(a.sid);
          break;
        }
        case "refuse":
          this.stats.refused++;
          this.trace(`leader ${l.sid} refuses ${a.sid}: ${a.reason}`);
          this.learnerGone(l, Number(a.sid));
          break;
        case "established":
          this.established(l, a.epoch);
          break;
        case "giveUp":
          this.stats.gaveUp++;
          this.endRole(l, a.reason);
          return;
      }
    }
  }

  runBroadcast(l: Peer, actions: BroadcastAction[]): void {
    const L = l.leader!;
    for (const a of actions) {
      if (l.leader !== L) return;
      switch (a.kind) {
        case "send":
          this.sendTo(l, a.to, a.packet);
          break;
        case "log":
          l.disk.pending.push(toT(a.txn.zxid, a.txn.entry));
          l.diskVer++;
          this.scheduleFsync(l);
          if (this.plant === "leaderAckBeforeFsync") {
            this.runBroadcast(l, L.bc!.ack(BigInt(l.sid), a.txn.zxid));
          } else L.ownUnsynced.push(a.txn.zxid);
          break;
        case "apply":
          this.leaderApply(l, toT(a.txn.zxid, a.txn.entry));
          break;
        case "stepDown":
          this.stats.stepDowns++;
          this.endRole(l, a.reason);
          return;
      }
    }
  }

  runLiveness(l: Peer, actions: LivenessAction[]): void {
    const L = l.leader!;
    for (const a of actions) {
      if (l.leader !== L) return;
      if (a.kind === "send") this.sendTo(l, a.to, a.packet);
      else if (a.kind === "drop") {
        this.stats.drops++;
        this.trace(`leader ${l.sid} drops ${a.sid}: ${a.reason}`);
        this.learnerGone(l, Number(a.sid));
      } else {
        this.stats.stepDowns++;
        this.endRole(l, a.reason);
        return;
      }
    }
  }

  write(id: number): void {
    const leaders = this.peers.filter((p) => p.alive && p.leader?.established);
    if (leaders.length === 0) {
      if (this.faulting) this.at(this.rng.int(50, 300), { k: "write", id });
      return;
    }
    const l = this.rng.pick(leaders);
    const bc = l.leader!.bc!;
    const zxid = bc.nextZxid;
    this.stats.writes++;
    this.trace(`client write #${id} to leader ${l.sid} as ${zxidHex(zxid)}`);
    this.runBroadcast(l, bc.propose({ zxid, entry: txnEntry(zxid, id) }, this.now));
  }

  scheduleFsync(p: Peer): void {
    if (p.fsyncScheduled) return;
    p.fsyncScheduled = true;
    this.at(this.diskTime(), { k: "fsync", p: p.sid, role: p.role });
  }

  fsync(sid: number, role: number): void {
    const p = this.peer(sid);
    if (!p.alive || p.role !== role || !p.fsyncScheduled) return;
    p.fsyncScheduled = false;
    const flushed = p.disk.pending;
    p.disk.log.push(...flushed);
    p.disk.pending = [];
    p.diskVer++;
    if (p.leader) {
      const L = p.leader;
      const own = L.ownUnsynced;
      L.ownUnsynced = [];
      for (const z of own) {
        if (p.leader !== L) return;
        this.runBroadcast(p, L.bc!.ack(BigInt(p.sid), z));
      }
    } else if (p.learner && p.learner.unsynced.length) {
      const ls = p.learner;
      const last = ls.unsynced[ls.unsynced.length - 1];
      ls.unsynced = [];
      this.runLearner(p, ls.core.persisted(last));
    }
  }

  // ---- the learner's shell ----

  /** Tracks what this link hands the learner before NEWLEADER (for C6). */
  learnerSaw(p: Peer, ls: LearnerState, pkt: QuorumPacket, image?: T[]): void {
    if (image) ls.image = image;
    if (ls.sawNewLeader) return;
    switch (pkt.type) {
      case PacketType.DIFF:
        ls.syncSeq = p.tree.slice();
        break;
      case PacketType.TRUNC:
        ls.syncSeq = p.tree.filter((t) => t.zxid <= pkt.zxid);
        break;
      case PacketType.SNAP:
        ls.syncSeq = (image ?? []).slice();
        break;
      case PacketType.PROPOSAL: {
        const t = toT(pkt.zxid, pkt.data!);
        if (t.zxid > lastZxid(ls.syncSeq)) ls.syncSeq.push(t);
        break;
      }
      case PacketType.NEWLEADER:
        ls.sawNewLeader = true;
        break;
    }
  }

  runLearner(p: Peer, actions: LearnerAction[]): void {
    const ls = p.learner;
    if (ls === null) return;
    const queue = actions.slice();
    while (queue.length) {
      const a = queue.shift()!;
      if (p.learner !== ls) return;
      const more = (f: () => LearnerAction[]) => queue.push(...f());
      const diskOp = (what: string, dt: number, then: () => void) =>
        this.at(dt, { k: "disk", p: p.sid, role: p.role, what, then });
      switch (a.kind) {
        case "send":
          if (a.packet.type === PacketType.ACK && counterOf(a.packet.zxid) !== 0n) {
            if (!this.isVoter(p)) this.fail(`C5: observer ${p.sid} ACKs ${zxidHex(a.packet.zxid)}`);
            this.checkAckDurable(p, a.packet.zxid);
          }
          this.sendUp(ls.conn, a.packet);
          break;
        case "writeAcceptedEpoch": {
          const e = a.epoch;
          diskOp(`acceptedEpoch ${e}`, this.diskTime(), () => {
            p.disk.acceptedEpoch = e;
            p.diskVer++;
            this.runLearner(p, ls.core.acceptedEpochWritten());
          });
          break;
        }
        case "truncate": {
          const z = a.zxid;
          diskOp(`truncate after ${zxidHex(z)}`, this.diskTime(), () => {
            this.truncateLog(p, z);
            p.tree = recover(p.disk, true);
            if (lastZxid(p.tree) !== z) {
              // The target was only inside a snapshot now dropped (a SNAP from a
              // leader that never established, seed 14): the disk cannot be
              // put at z. Java keeps the newer snapshot and silently diverges
              // (zab-3.8.md trap 11); the shell fails the step, the link ends,
              // and the learner rejoins from what its disk really holds.
              this.stats.truncBelowSnapshot++;
              this.runLearner(
                p,
                ls.core.diskFailed(
                  `TRUNC to ${zxidHex(z)}: the disk holds it only in a newer snapshot; ` +
                    `now at ${zxidHex(lastZxid(p.tree))}`,
                ),
              );
              return;
            }
            this.runLearner(p, ls.core.truncated());
          });
          break;
        }
        case "loadSnapshot": {
          const img = ls.image;
          if (img === null || lastZxid(img) !== a.zxid) {
            this.fail(`SHELL: ${p.sid} has no image at ${zxidHex(a.zxid)} to load`);
          }
          p.tree = img.slice();
          // The shell's part of a SNAP: the old log's txns past the image are not
          // the leader's (it would have sent DIFF/TRUNC); recovery must never
          // replay them on top of this snapshot (seeds 377, 698 fail C2 without it).
          this.truncateLog(p, a.zxid);
          diskOp(`snapshot ${zxidHex(a.zxid)} loaded`, this.diskTime(), () => {
            this.runLearner(p, ls.core.snapshotLoaded());
          });
          break;
        }
        case "takeSnapshot": {
          if (lastZxid(p.tree) !== a.zxid) {
            this.fail(
              `SHELL: ${p.sid} snapshot at ${zxidHex(a.zxid)} but its tree is at ${
                zxidHex(lastZxid(p.tree))
              }`,
            );
          }
          const snap: Snap = { zxid: a.zxid, seq: p.tree.slice() };
          const fsync = a.fsync;
          diskOp(`snapshot ${zxidHex(a.zxid)} written`, this.diskTime(), () => {
            if (fsync) p.disk.snaps.push(snap);
            else {
              p.disk.pendingSnap = snap;
              this.at(this.rng.int(1_000, 5_000), { k: "writeback", p: p.sid, snap });
            }
            p.diskVer++;
            this.runLearner(p, ls.core.snapshotWritten());
          });
          break;
        }
        case "append": {
          for (const x of a.txns) p.disk.pending.push(toT(x.zxid, x.entry));
          p.diskVer++;
          const last = a.txns[a.txns.length - 1].zxid;
          const lie = this.plant === "ackBeforeFsync" ||
            (this.plant === "epochBeforeTxns" && ls.core.phase === "syncing");
          if (lie) more(() => ls.core.persisted(last));
          else {
            ls.unsynced.push(last);
            this.scheduleFsync(p);
          }
          break;
        }
        case "writeCurrentEpoch": {
          this.checkSyncDurable(p, ls);
          const e = a.epoch;
          diskOp(`currentEpoch ${e}`, this.diskTime(), () => {
            p.disk.currentEpoch = e;
            p.diskVer++;
            this.runLearner(p, ls.core.currentEpochWritten());
          });
          break;
        }
        case "apply":
          this.learnerApply(p, toT(a.txn.zxid, a.txn.entry));
          break;
        case "startServing":
          ls.serving = true;
          p.fle?.updateElectionVote(a.epoch);
          this.checkPrefix(p, "starts serving");
          break;
        case "leave":
          this.stats.learnerLeaves++;
          this.endRole(p, `learner leaves: ${a.reason}`);
          return;
        case "syncDone":
        case "revalidated":
        case "warn":
          break;
      }
    }
  }

  /** Durably drops log txns (and snapshots) past z. */
  truncateLog(p: Peer, z: bigint): void {
    const d = p.disk;
    d.log = d.log.filter((t) => t.zxid <= z);
    d.pending = d.pending.filter((t) => t.zxid <= z);
    d.snaps = d.snaps.filter((s) => s.zxid <= z);
    if (d.pendingSnap && d.pendingSnap.zxid > z) d.pendingSnap = null;
    p.diskVer++;
  }

  // ---- faults ----

  fault(): void {
    if (!this.faulting) return;
    this.at(this.rng.int(100, 1_200), { k: "fault" });
    const r = this.rng.next();
    const alive = this.peers.filter((p) => p.alive);
    if (r < 0.3) {
      if (alive.length === 0) return;
      this.crash(this.rng.pick(alive));
    } else if (r < 0.55) {
      const open: Conn[] = [];
      for (const p of this.peers) if (p.learner?.conn.open) open.push(p.learner.conn);
      if (open.length === 0) return;
      const c = this.rng.pick(open);
      this.stats.breaks++;
      this.trace(`conn ${c.id} (${c.learner}->${c.leader}) breaks`);
      this.closeConn(c, "both", "connection reset");
    } else if (r < 0.8) {
      // Partition: one peer (or two) cut off from some or all others for a while.
      const a = this.rng.int(1, this.n);
      const pairs: string[] = [];
      for (let b = 1; b <= this.n; b++) {
        if (b === a || !this.rng.chance(0.75)) continue;
        const k = a < b ? `${a}-${b}` : `${b}-${a}`;
        if (!this.cut.has(k)) pairs.push(k);
      }
      if (pairs.length === 0) return;
      for (const k of pairs) this.cut.add(k);
      this.stats.partitions++;
      this.trace(`partition: cut ${pairs.join(" ")}`);
      this.at(this.rng.int(300, 4_000), { k: "healLinks", pairs });
    }
    // else: a quiet spell.
  }

  crash(p: Peer): void {
    this.stats.crashes++;
    const d = p.disk;
    // The OS may have written any prefix of the unfsynced appends, maybe with a torn record after it.
    const keep = this.rng.int(0, d.pending.length);
    if (keep < d.pending.length && this.rng.chance(0.5)) this.stats.tornTails++;
    d.log.push(...d.pending.slice(0, keep));
    d.pending = [];
    if (d.pendingSnap) {
      // Lost, or it had reached the disk: then it is as durable as any file.
      if (this.rng.chance(0.5)) this.stats.lostSnapshots++;
      else d.snaps.push(d.pendingSnap);
      d.pendingSnap = null;
    }
    p.diskVer++;
    this.trace(`${p.sid} CRASHES (${p.state}); kept ${keep} unfsynced appends`);
    const reset = this.rng.chance(0.7);
    const conns: Conn[] = [];
    if (p.leader) conns.push(...p.leader.conns.values());
    if (p.learner) conns.push(p.learner.conn);
    for (const c of conns) {
      if (reset) this.closeConn(c, c.leader === p.sid ? "leader" : "learner", "peer crashed");
      else {
        c.open = false;
        c.dead = true;
      }
    }
    p.alive = false;
    p.state = "DOWN";
    p.leader = null;
    p.learner = null;
    p.role++;
    p.fsyncScheduled = false;
    p.tree = [];
    this.at(this.rng.int(200, 3_000), { k: "restart", p: p.sid });
  }

  restart(p: Peer): void {
    if (p.alive) return;
    p.alive = true;
    p.life++;
    p.role++;
    p.state = "LOOKING";
    p.tree = recover(p.disk, true);
    p.fle = null;
    this.trace(`${p.sid} restarts at ${zxidHex(lastZxid(p.tree))}, epoch ${p.disk.currentEpoch}`);
    this.lookAgain(p, this.rng.int(10, 200));
  }

  // ---- the checker ----

  durable(p: Peer): Map<bigint, number> {
    const c = this.durableCache.get(p.sid);
    if (c && c.ver === p.diskVer) return c.byZxid;
    const byZxid = new Map<bigint, number>();
    for (const t of recover(p.disk, false)) byZxid.set(t.zxid, t.id);
    this.durableCache.set(p.sid, { ver: p.diskVer, byZxid });
    return byZxid;
  }

  /** Voters holding txn t durably. */
  holders(t: T): number[] {
    return this.peers.filter((p) => this.durable(p).get(t.zxid) === t.id).map((p) => p.sid);
  }

  established(l: Peer, epoch: bigint): void {
    this.stats.established++;
    const who = `${l.sid}/${l.life}`;
    const prev = this.establishedBy.get(epoch);
    if (prev !== undefined && prev !== who) {
      this.fail(`C1: epoch ${epoch} established by ${prev} and again by ${who}`);
    }
    this.establishedBy.set(epoch, who);
    l.leader!.established = true;
    l.fle?.updateElectionVote(epoch);
    this.trace(`leader ${l.sid} ESTABLISHED epoch ${epoch} with ${l.tree.length} txns`);
    const h = l.tree;
    for (let i = 0; i < this.committed.length; i++) {
      const c = this.committed[i];
      if (i >= h.length || h[i].zxid !== c.zxid || h[i].id !== c.id) {
        this.fail(
          `C3: leader ${l.sid} established epoch ${epoch} without committed txn ${tstr(c)} ` +
            `(its history has ${i < h.length ? tstr(h[i]) : "nothing"} there)`,
        );
      }
    }
    // Establishment commits the leader's whole history.
    if (h.length > this.committed.length) {
      this.committed = h.slice();
      this.committedVer++;
    }
  }

  /**
   * C2 for one applied txn: it lands at its place in the committed sequence,
   * or (only a leader's commit) extends it.
   */
  placeApplied(p: Peer, t: T, mayExtend: boolean): void {
    const i = p.tree.length;
    if (t.zxid <= lastZxid(p.tree)) {
      this.fail(`C2: ${p.sid} applies ${tstr(t)} after ${tstr(p.tree[i - 1])} (out of order)`);
    }
    p.tree.push(t);
    if (i < this.committed.length) {
      const c = this.committed[i];
      if (c.zxid !== t.zxid || c.id !== t.id) {
        this.fail(`C2: ${p.sid} applies ${tstr(t)} as its txn #${i}; committed has ${tstr(c)}`);
      }
      return;
    }
    if (i > this.committed.length || !mayExtend) {
      this.fail(`C2: ${p.sid} applies ${tstr(t)} past the committed sequence's end`);
    }
    if (t.zxid <= lastZxid(this.committed)) {
      this.fail(`C2: committed out of zxid order at ${tstr(t)}`);
    }
    this.committed.push(t);
    this.committedVer++;
  }

  leaderApply(l: Peer, t: T): void {
    const h = this.holders(t);
    if (!this.qv.containsQuorum(h)) {
      this.fail(`C4: leader ${l.sid} commits ${tstr(t)} durable only on [${h}]`);
    }
    this.stats.committed++;
    this.trace(`leader ${l.sid} commits ${tstr(t)} (durable on [${h}])`);
    this.placeApplied(l, t, true);
  }

  learnerApply(p: Peer, t: T): void {
    // After a SNAP a txn may already be in the tree (apply is idempotent).
    const i = p.tree.findIndex((x) => x.zxid === t.zxid);
    if (i >= 0) {
      if (p.tree[i].id !== t.id) {
        this.fail(`C2: ${p.sid} applies ${tstr(t)} over its ${tstr(p.tree[i])}`);
      }
      return;
    }
    if (p.learner?.serving) {
      this.placeApplied(p, t, false);
      return;
    }
    // Synchronizing: the leader's history, not yet committed by this epoch
    // (nothing is served before UPTODATE, when the prefix check runs).
    if (t.zxid <= lastZxid(p.tree)) {
      this.fail(`C2: ${p.sid} applies ${tstr(t)} after ${tstr(p.tree[p.tree.length - 1])}`);
    }
    p.tree.push(t);
  }

  checkPrefix(p: Peer, what: string): void {
    const c = this.committed;
    p.tree.forEach((t, i) => {
      if (i >= c.length || c[i].zxid !== t.zxid || c[i].id !== t.id) {
        this.fail(
          `C2: ${p.sid} ${what} with ${tstr(t)} as txn #${i}; committed has ${
            i < c.length ? tstr(c[i]) : "nothing"
          }`,
        );
      }
    });
  }

  checkAckDurable(p: Peer, zxid: bigint): void {
    if (!this.durable(p).has(zxid)) {
      this.fail(`C5: ${p.sid} ACKs ${zxidHex(zxid)}, which is not fsynced`);
    }
  }

  checkSyncDurable(p: Peer, ls: LearnerState): void {
    const d = this.durable(p);
    for (const t of ls.syncSeq) {
      if (d.get(t.zxid) !== t.id) {
        this.fail(
          `C6: ${p.sid} writes currentEpoch before ${
            tstr(t)
          } (synced in ${ls.core.syncMode}) is durable`,
        );
      }
    }
  }

  /** After every event: every committed txn is durable on a quorum (C3). */
  check(): void {
    const ver = `${this.committedVer}:${this.peers.map((p) => p.diskVer).join(",")}`;
    if (ver === this.checkedVer) return;
    this.checkedVer = ver;
    for (const t of this.committed) {
      const h = this.holders(t);
      if (!this.qv.containsQuorum(h)) {
        this.fail(`C3: committed ${tstr(t)} is durable only on [${h}]`);
      }
    }
  }
}

function toT(zxid: bigint, entry: Uint8Array): T {
  const id = new DataView(entry.buffer, entry.byteOffset, entry.byteLength).getInt32(8);
  return { zxid, id, entry };
}

function sameSeq(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((t, i) => t.zxid === b[i].zxid && t.id === b[i].id);
}

function cmpKey(a: [bigint, bigint, number], b: [bigint, bigint, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** Planted bug: a verifier for which any one voter is a quorum. */
function anyOneIsAQuorum(qv: QuorumVerifier): QuorumVerifier {
  return {
    kind: qv.kind,
    allMembers: qv.allMembers,
    votingMembers: qv.votingMembers,
    observingMembers: qv.observingMembers,
    version: qv.version,
    weight: (id) => qv.weight(id),
    toConfigString: () => qv.toConfigString(),
    containsQuorum: (ids) => [...ids].some((id) => qv.votingMembers.has(id)),
  };
}

/** Planted bug: where planSync chose SNAP, DIFF with whatever history follows the peer's zxid. */
function diffAcross(plan: SyncPlan, peerZxid: bigint, bc: Broadcast): SyncPlan {
  if (plan.mode !== "snap") return plan;
  const pairs: QuorumPacket[] = [];
  for (const x of bc.window()) {
    if (x.zxid > peerZxid) pairs.push(proposalPacket(x.zxid, x.entry), commitPacket(x.zxid));
  }
  return {
    ...plan,
    mode: "diff",
    zxid: bc.lastCommitted,
    reason: `PLANTED: DIFF from ${zxidHex(peerZxid)} across a gap`,
    packets: [diffPacket(bc.lastCommitted), ...pairs, ...plan.packets.slice(1)],
  };
}
