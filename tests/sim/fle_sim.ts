// Deterministic simulation of FastLeaderElection ensembles: the pure FLE core of
// every peer on a virtual network (seeded delay, loss, duplication, partitions,
// crashes and restarts) and a virtual clock. After election a tiny stand-in for
// Zab keeps a leader only while a quorum follows it, so that a cluster either
// settles or re-elects, as real peers do. Everything is driven by one seed.
import { MajorityQuorum } from "../../src/config/quorum_verifier.ts";
import type { QuorumServer } from "../../src/config/types.ts";
import { FastLeaderElection, type Output } from "../../src/election/fle.ts";
import { decodeNotification, encodeNotification } from "../../src/election/notification.ts";

/** A small fast PRNG (mulberry32) so runs replay from a seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

type Event =
  | {
    t: number;
    seq: number;
    kind: "msg";
    from: number;
    to: number;
    bytes: Uint8Array;
    gen: number;
  }
  | { t: number; seq: number; kind: "tick"; peer: number; gen: number }
  | { t: number; seq: number; kind: "role"; peer: number; gen: number }
  | { t: number; seq: number; kind: "fault" };

class Heap {
  private a: Event[] = [];
  get size(): number {
    return this.a.length;
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i], y = this.a[j];
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }
  push(e: Event): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Event | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.less(l, m)) m = l;
        if (r < a.length && this.less(r, m)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** (peerEpoch, zxid, sid) a ≤ b, written independently of the core's comparison. */
function tupleAtMost(a: [bigint, bigint, bigint], b: [bigint, bigint, bigint]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return true;
}

/** One simulated peer: the FLE core plus its "disk" (epoch, zxid) and role bookkeeping. */
interface SimPeer {
  sid: number;
  fle: FastLeaderElection;
  alive: boolean;
  /** Bumped on crash so stale timers of an old incarnation are ignored. */
  gen: number;
  currentEpoch: bigint;
  acceptedEpoch: bigint;
  zxid: bigint;
  /**
   * The least vote (peerEpoch, zxid, sid) it started any election with: a winner may
   * count an older vote of a peer that has since moved on (restarted, synced).
   */
  initVote: [bigint, bigint, bigint];
  decidedAt: number;
  /** Leader: established in this epoch (0n = not yet); follower: joined that epoch. */
  epoch: bigint;
  followers: Set<number>;
}

/** Options of one run; all derived from the seed by `scenario`. */
export interface SimOptions {
  n: number;
  seed: number;
  /** No faults and a simultaneous boot: the winner must be the greatest vote of all. */
  calm?: boolean;
}

/** The outcome of one run; `error` is set when an invariant broke. */
export interface SimResult {
  seed: number;
  n: number;
  leader?: number;
  epoch?: bigint;
  events: number;
  error?: string;
}

const INIT_LIMIT = 2000;
const HEARTBEAT = 500;
const FAULT_PHASE = 15_000;
const SETTLE_LIMIT = 400_000;

function server(id: number): QuorumServer {
  return {
    id,
    addrs: [{ host: "127.0.0.1", port: 2000 + id }],
    electionAddrs: [{ host: "127.0.0.1", port: 3000 + id }],
    type: "participant",
  };
}

/** Runs one seeded scenario to the end and checks FLE's promises. */
export function runSim(opts: SimOptions): SimResult {
  const rng = new Rng(opts.seed);
  const n = opts.n;
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const qv = new MajorityQuorum(ids.map(server));
  const quorum = Math.floor(n / 2) + 1;
  const heap = new Heap();
  let seq = 0;
  let now = 0;
  let events = 0;
  const configBytes = new TextEncoder().encode(qv.toConfigString());
  const configText = qv.toConfigString();

  // Network state during the fault phase.
  let loss = 0, dup = 0, maxDelay = 5;
  let group = new Map<number, number>(); // sid → partition side; empty = connected
  const linkFree = new Map<number, number>(); // per directed link: FIFO delivery time
  const connected = (a: number, b: number) => group.size === 0 || group.get(a) === group.get(b);

  const peers = new Map<number, SimPeer>();
  const leaderOfEpoch = new Map<bigint, number>();
  let failure: string | undefined;
  const fail = (msg: string) => {
    if (!failure) failure = `t=${now}: ${msg}`;
  };

  for (const sid of ids) {
    const epoch = BigInt(rng.int(0, 2));
    const zxid = (epoch << 32n) + BigInt(rng.int(0, 3));
    const fle = new FastLeaderElection({
      myid: BigInt(sid),
      qv,
      learnerType: "participant",
    });
    fle.setBootVote(zxid, epoch);
    peers.set(sid, {
      sid,
      fle,
      alive: true,
      gen: 0,
      currentEpoch: epoch,
      acceptedEpoch: epoch,
      zxid,
      initVote: [epoch, zxid, BigInt(sid)],
      decidedAt: 0,
      epoch: 0n,
      followers: new Set(),
    });
  }

  // deno-lint-ignore no-explicit-any
  const push = (e: any) => heap.push({ ...e, seq: seq++ } as Event);

  function deliverAll(p: SimPeer, out: Output): void {
    for (const s of out.send) {
      const to = Number(s.to);
      if (to === p.sid) continue;
      if (!connected(p.sid, to)) continue;
      if (rng.chance(loss)) continue;
      const bytes = encodeNotification({ ...s.n, config: configBytes });
      const copies = rng.chance(dup) ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const key = p.sid * 64 + to;
        const t = Math.max(linkFree.get(key) ?? 0, now + rng.int(0, maxDelay));
        linkFree.set(key, t);
        push({ t, kind: "msg", from: p.sid, to, bytes, gen: peers.get(to)!.gen });
      }
    }
    if (out.decided) onDecided(p);
    scheduleTick(p);
  }

  function scheduleTick(p: SimPeer): void {
    if (p.fle.deadline !== null) push({ t: p.fle.deadline, kind: "tick", peer: p.sid, gen: p.gen });
  }

  function startElection(p: SimPeer): void {
    p.fle.stopRole();
    p.epoch = 0n;
    p.followers.clear();
    const v: [bigint, bigint, bigint] = [p.currentEpoch, p.zxid, BigInt(p.sid)];
    if (tupleAtMost(v, p.initVote)) p.initVote = v;
    deliverAll(p, p.fle.startElection(now, p.zxid, p.currentEpoch));
  }

  function onDecided(p: SimPeer): void {
    p.decidedAt = now;
    if (p.fle.state === "leading") {
      // The winner's vote must be at least the first vote of each member of a quorum.
      const v = p.fle.currentVote;
      const mine: [bigint, bigint, bigint] = [v.peerEpoch, v.zxid, v.leader];
      const below = [...peers.values()].filter((q) => tupleAtMost(q.initVote, mine));
      if (below.length < quorum) {
        fail(
          `leader ${p.sid} vote (${v.peerEpoch},${v.zxid}) beats no quorum of election-start votes`,
        );
      }
    }
    p.epoch = 0n;
    p.followers.clear();
    push({ t: now + HEARTBEAT, kind: "role", peer: p.sid, gen: p.gen });
  }

  const reachable = (a: SimPeer, b: SimPeer) => b.alive && connected(a.sid, b.sid);

  /** The Zab stand-in: leaders establish with a quorum or give up; followers need a live leader. */
  function roleCheck(p: SimPeer): void {
    const st = p.fle.state;
    if (st === "looking") return;
    if (st === "leading") {
      const f = [...peers.values()].filter((q) =>
        q !== p && reachable(p, q) && q.fle.state === "following" &&
        q.fle.currentVote.leader === BigInt(p.sid)
      );
      if (p.epoch === 0n) {
        if (f.length + 1 >= quorum) {
          const members = [p, ...f];
          let e = 0n;
          for (const q of members) if (q.acceptedEpoch > e) e = q.acceptedEpoch;
          e += 1n;
          const prev = leaderOfEpoch.get(e);
          if (prev !== undefined && prev !== p.sid) {
            fail(`two leaders in epoch ${e}: ${prev} and ${p.sid}`);
          }
          leaderOfEpoch.set(e, p.sid);
          p.epoch = e;
          for (const q of members) join(q, p);
        } else if (now - p.decidedAt >= INIT_LIMIT) {
          startElection(p);
          return;
        }
      } else {
        for (const sid of [...p.followers]) {
          const q = peers.get(sid)!;
          if (
            !reachable(p, q) || q.fle.state !== "following" ||
            q.fle.currentVote.leader !== BigInt(p.sid)
          ) p.followers.delete(sid);
        }
        if (p.followers.size + 1 < quorum) {
          startElection(p);
          return;
        }
      }
    } else {
      const l = peers.get(Number(p.fle.currentVote.leader));
      const ok = l !== undefined && l !== p && reachable(p, l) && l.fle.state === "leading";
      if (!ok) {
        startElection(p);
        return;
      }
      if (l.epoch !== 0n && p.epoch !== l.epoch) join(p, l);
      else if (p.epoch === 0n && now - p.decidedAt >= INIT_LIMIT) {
        startElection(p);
        return;
      }
    }
    push({ t: now + HEARTBEAT, kind: "role", peer: p.sid, gen: p.gen });
  }

  /** q syncs with leader l: it takes l's epoch and history (as a DIFF/SNAP would). */
  function join(q: SimPeer, l: SimPeer): void {
    q.acceptedEpoch = l.epoch;
    q.currentEpoch = l.epoch;
    q.zxid = l.epoch << 32n;
    q.epoch = l.epoch;
    q.fle.updateElectionVote(l.epoch);
    if (q !== l) l.followers.add(q.sid);
  }

  function crash(p: SimPeer): void {
    p.alive = false;
    p.gen++;
  }

  function restart(p: SimPeer): void {
    p.alive = true;
    booted.add(p.sid);
    p.gen++;
    p.fle = new FastLeaderElection({ myid: BigInt(p.sid), qv, learnerType: "participant" });
    p.fle.setBootVote(p.zxid, p.currentEpoch);
    startElection(p);
  }

  // Fault schedule: a handful of events during the fault phase.
  const faults = opts.calm ? 0 : rng.int(0, 16);
  for (let i = 0; i < faults; i++) push({ t: rng.int(0, FAULT_PHASE), kind: "fault" });
  push({ t: FAULT_PHASE, kind: "fault" }); // the heal

  function applyFault(): void {
    if (now >= FAULT_PHASE) {
      // Heal: every peer up, one network, no loss.
      loss = 0;
      dup = 0.05;
      maxDelay = 5;
      group = new Map();
      for (const p of peers.values()) if (!p.alive) restart(p);
      return;
    }
    const k = rng.int(0, 4);
    if (k === 0) {
      group = new Map(ids.map((id) => [id, rng.int(0, 1)]));
    } else if (k === 1) {
      group = new Map();
    } else if (k === 2) {
      loss = rng.chance(0.5) ? 0 : rng.next() * 0.3;
      dup = rng.next() * 0.2;
      maxDelay = rng.chance(0.8) ? rng.int(1, 20) : rng.int(100, 1500);
    } else {
      const p = peers.get(rng.int(1, n))!;
      if (p.alive) crash(p);
      else restart(p);
    }
  }

  // Peers boot in a random order within the first second.
  const bootSpread = opts.calm ? 5 : 1000;
  const booted = new Set<number>();
  const early = new Map<number, { from: number; bytes: Uint8Array }[]>();
  const bootVotes = new Map(ids.map((id) => [id, peers.get(id)!.initVote]));
  for (const sid of ids) push({ t: rng.int(0, bootSpread), kind: "role", peer: sid, gen: -1 });

  while (heap.size > 0 && !failure && now <= SETTLE_LIMIT) {
    const e = heap.pop()!;
    now = e.t;
    events++;
    if (e.kind === "fault") {
      applyFault();
      continue;
    }
    if (e.kind === "role" && e.gen === -1) {
      const p = peers.get(e.peer)!;
      if (p.alive && !booted.has(p.sid)) {
        booted.add(p.sid);
        startElection(p);
        // What arrived before boot waited in the senders' QCM (last message re-sent on connect).
        for (const m of early.get(p.sid) ?? []) {
          deliverAll(p, p.fle.receive(now, BigInt(m.from), decodeNotification(m.bytes)));
        }
        early.delete(p.sid);
      }
      continue;
    }
    const p = peers.get(e.kind === "msg" ? e.to : e.peer)!;
    if (!p.alive || e.gen !== p.gen) continue;
    if (e.kind === "msg") {
      if (!connected(e.from, e.to)) continue;
      if (!booted.has(p.sid)) {
        const list = early.get(p.sid) ?? [];
        early.set(p.sid, [...list.filter((m) => m.from !== e.from), e]);
        continue;
      }
      let note;
      try {
        note = decodeNotification(e.bytes);
      } catch (err) {
        fail(`decode: ${(err as Error).message}`);
        break;
      }
      if (note.config !== configText) fail("config text changed in transit");
      deliverAll(p, p.fle.receive(now, BigInt(e.from), note));
    } else if (e.kind === "tick") {
      const haveDelivered = ids.some((id) => id !== p.sid && reachable(p, peers.get(id)!));
      deliverAll(p, p.fle.tick(now, haveDelivered));
    } else {
      roleCheck(p);
    }
    if (now > FAULT_PHASE && settled()) break;
  }

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

  const result: SimResult = { seed: opts.seed, n, events };
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
    for (const v of bootVotes.values()) if (tupleAtMost(best, v)) best = v;
    if (best[2] !== BigInt(l.sid)) {
      return { ...result, error: `calm run elected ${l.sid}, not the greatest vote ${best}` };
    }
  }
  return { ...result, leader: l.sid, epoch: l.epoch };
}
