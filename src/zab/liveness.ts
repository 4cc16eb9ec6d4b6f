// Zab's timer rules as pure cores (zab-3.8.md §5 step 12, §10). The leader's
// side: every learner has a tick deadline for its next packet (initLimit +
// syncLimit from connect, syncLimit after each packet once it is up to date);
// each tick the leader and the voters within their deadline must be a quorum or
// the leader steps down; every half tick each learner is pinged, or dropped if
// a proposal it was sent has gone unacknowledged for syncLimit ticks. The
// learner's side: nothing heard for initLimit ticks (syncLimit from NEWLEADER
// on) ends the link. The shell owns the timers and calls in; nothing here reads
// a clock.
import type { QuorumVerifier } from "../config/types.ts";
import { pingPacket, type QuorumPacket } from "./packets.ts";

/** What the leader's shell must do, in list order. */
export type LivenessAction =
  | { kind: "send"; to: bigint; packet: QuorumPacket }
  /** Close this learner's connection. */
  | { kind: "drop"; sid: bigint; reason: string }
  /** Stop leading (back to LOOKING). */
  | { kind: "stepDown"; reason: string };

/** The limits, as zoo.cfg gives them. */
export interface LivenessOptions {
  myid: bigint;
  qv: QuorumVerifier;
  initLimit: number;
  syncLimit: number;
  /** Milliseconds per tick (for the proposal age check, which runs on `now`). */
  tickTime: number;
}

interface LearnerTimes {
  deadline: number;
  /** Sync packets have started to go out: PINGs are allowed (never before the first). */
  pingable: boolean;
  /** UPTODATE sent: each packet now moves the deadline. */
  upToDate: boolean;
}

/** The leader's tick and half-tick checks. */
export class LeaderLiveness {
  #o: LivenessOptions;
  #learners = new Map<bigint, LearnerTimes>();

  constructor(o: LivenessOptions) {
    this.#o = o;
  }

  /** A learner connected (FOLLOWERINFO/OBSERVERINFO) at `tick`. */
  connected(sid: bigint, tick: number): void {
    this.#learners.set(sid, {
      deadline: tick + this.#o.initLimit + this.#o.syncLimit,
      pingable: false,
      upToDate: false,
    });
  }

  /** Its first sync packet (DIFF/TRUNC/SNAP) went out: from now on it may be pinged. */
  syncing(sid: bigint): void {
    const l = this.#learners.get(sid);
    if (l) l.pingable = true;
  }

  /** UPTODATE went out to it at `tick`. */
  upToDate(sid: bigint, tick: number): void {
    const l = this.#learners.get(sid);
    if (!l) return;
    l.upToDate = true;
    l.deadline = tick + this.#o.syncLimit;
  }

  /** A packet came from it at `tick` (3.8 moves the deadline only once it is up to date). */
  heard(sid: bigint, tick: number): void {
    const l = this.#learners.get(sid);
    if (l?.upToDate) l.deadline = tick + this.#o.syncLimit;
  }

  /** It left. */
  gone(sid: bigint): void {
    this.#learners.delete(sid);
  }

  /** Sids within their deadline at `tick` (3.8's LearnerHandler.synced), the leader not included. */
  synced(tick: number): bigint[] {
    return [...this.#learners].filter(([, l]) => tick <= l.deadline).map(([sid]) => sid)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Once per tick after the epoch is established: the leader plus the learners
   * within their deadline must hold a quorum of voters, else step down.
   */
  tick(tick: number): LivenessAction[] {
    const ids = [this.#o.myid, ...this.synced(tick)];
    if (this.#o.qv.containsQuorum(ids.map(Number))) return [];
    const shown = ids.filter((s) => this.#o.qv.votingMembers.has(Number(s)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [{
      kind: "stepDown",
      reason: `Not sufficient followers synced, only synced with sids: [ [${shown.join(", ")}] ]`,
    }];
  }

  /**
   * Every half tick: drop a learner whose oldest unacknowledged proposal was
   * sent syncLimit ticks ago or more (`oldestUnacked`: sid → send time, from
   * broadcast), else PING it with the last proposed zxid.
   */
  halfTick(
    now: number,
    lastProposed: bigint,
    oldestUnacked: ReadonlyMap<bigint, number>,
  ): LivenessAction[] {
    const out: LivenessAction[] = [];
    const limit = this.#o.syncLimit * this.#o.tickTime;
    const ping = pingPacket(lastProposed);
    for (const [sid, l] of this.#learners) {
      if (!l.pingable) continue;
      const sentAt = oldestUnacked.get(sid);
      if (sentAt !== undefined && now - sentAt >= limit) {
        out.push({
          kind: "drop",
          sid,
          reason: "Closing connection to peer due to transaction timeout",
        });
        continue;
      }
      out.push({ kind: "send", to: sid, packet: ping });
    }
    return out;
  }
}

/** What the learner's shell must do. */
export type LearnerTimerAction = { kind: "leave"; reason: string };

/** The learner's read timeout in ticks: initLimit until NEWLEADER, syncLimit from then on. */
export class LearnerTimer {
  #initLimit: number;
  #syncLimit: number;
  #lastHeard: number;
  #afterNewLeader = false;

  /** Starts when the learner connects at `tick`. */
  constructor(o: { initLimit: number; syncLimit: number }, tick: number) {
    this.#initLimit = o.initLimit;
    this.#syncLimit = o.syncLimit;
    this.#lastHeard = tick;
  }

  /** Any packet from the leader at `tick`. */
  heard(tick: number): void {
    this.#lastHeard = tick;
  }

  /** NEWLEADER arrived at `tick`: the limit becomes syncLimit. */
  newLeader(tick: number): void {
    this.#afterNewLeader = true;
    this.#lastHeard = tick;
  }

  /** The limit in force, in ticks. */
  get limit(): number {
    return this.#afterNewLeader ? this.#syncLimit : this.#initLimit;
  }

  /** Leave once more than `limit` ticks passed with nothing heard. */
  tick(tick: number): LearnerTimerAction[] {
    if (tick - this.#lastHeard <= this.limit) return [];
    return [{
      kind: "leave",
      reason: `nothing from the leader for ${tick - this.#lastHeard} ticks (limit ${this.limit})`,
    }];
  }
}
