// FastLeaderElection (ZooKeeper 3.8 rules) as a pure state machine: no sockets,
// no timers, no clock. The shell feeds it received notifications and the time,
// and carries out what it returns (notifications to send, "connect to all",
// the decided vote). It covers both halves of 3.8's FLE: the receiver that
// answers non-voters, lagging LOOKING peers and LOOKING peers while this peer
// leads or follows; and lookForLeader's vote loop (logical clock, received-vote
// set, out-of-election set, finalize wait, notification-interval back-off).
import type { QuorumVerifier } from "../config/types.ts";
import { LONG_MIN, type Notification, type PeerState, stateCode, stateOf } from "./notification.ts";

/** A vote as FLE compares it (3.8's Vote). */
export interface Vote {
  leader: bigint;
  zxid: bigint;
  electionEpoch: bigint;
  peerEpoch: bigint;
  /** The sender's state; "looking" for votes made during an election. */
  state: PeerState;
  /** Message format version it came with (0 for votes built locally). */
  version: number;
}

/** A notification to send: `to` is a sid. */
export interface Outgoing {
  to: bigint;
  n: Notification;
}

/** What the shell must do after one input. */
export interface Output {
  send: Outgoing[];
  /** Nothing was delivered since the last timeout: (re)connect to every voter. */
  connectAll: boolean;
  /** Set when this input ended the election. */
  decided?: Vote;
}

/** Timing knobs, in milliseconds (3.8 defaults). */
export interface FleTiming {
  finalizeWait: number;
  minNotificationInterval: number;
  maxNotificationInterval: number;
}

/** 3.8's defaults: finalizeWait 200, notification interval 200 → 60 000 ms. */
export const DEFAULT_TIMING: FleTiming = {
  finalizeWait: 200,
  minNotificationInterval: 200,
  maxNotificationInterval: 60_000,
};

/** Options of one peer's election. */
export interface FleOptions {
  myid: bigint;
  qv: QuorumVerifier;
  learnerType: "participant" | "observer";
  timing?: Partial<FleTiming>;
}

/** (peerEpoch, zxid, sid) order: true when the new vote beats the current one (3.8's totalOrderPredicate). */
export function beats(
  qv: QuorumVerifier,
  newId: bigint,
  newZxid: bigint,
  newEpoch: bigint,
  curId: bigint,
  curZxid: bigint,
  curEpoch: bigint,
): boolean {
  if (qv.weight(Number(newId)) === 0) return false;
  if (newEpoch !== curEpoch) return newEpoch > curEpoch;
  if (newZxid !== curZxid) return newZxid > curZxid;
  return newId > curId;
}

/** 3.8's Vote.equals: full match while either is LOOKING, else leader (+ peerEpoch when versions agree). */
export function sameVote(a: Vote, b: Vote): boolean {
  if (a.state === "looking" || b.state === "looking") {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch &&
      a.peerEpoch === b.peerEpoch;
  }
  if ((a.version > 0) !== (b.version > 0)) return a.leader === b.leader;
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

function lookingVote(leader: bigint, zxid: bigint, electionEpoch: bigint, peerEpoch: bigint): Vote {
  return { leader, zxid, electionEpoch, peerEpoch, state: "looking", version: 0 };
}

/** One peer's FastLeaderElection. */
export class FastLeaderElection {
  readonly myid: bigint;
  qv: QuorumVerifier;
  readonly learnerType: "participant" | "observer";
  readonly timing: FleTiming;

  /** This peer's role. */
  state: PeerState = "looking";
  /** The vote this peer reports (QuorumPeer's currentVote): the last result, or its own at boot. */
  currentVote: Vote;
  logicalClock = 0n;
  proposedLeader = -1n;
  proposedZxid = -1n;
  proposedEpoch = -1n;

  /** Inputs of the running election. */
  private lastZxid = -1n;
  private currentEpoch = -1n;
  private recvset = new Map<bigint, Vote>();
  private outOfElection = new Map<bigint, Vote>();
  private notTimeout: number;
  private finalizing = false;
  /** When the current poll times out, on this core's own timeline (see `clock`); null when not looking. */
  deadline: number | null = null;
  /** The largest `now` seen, and how far the caller's clock has stepped back in total. */
  private lastNow: number | null = null;
  private stepBack = 0;

  constructor(opts: FleOptions) {
    this.myid = opts.myid;
    this.qv = opts.qv;
    this.learnerType = opts.learnerType;
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.notTimeout = this.timing.minNotificationInterval;
    this.currentVote = lookingVote(opts.myid, -1n, -1n, -1n);
  }

  /**
   * The caller's `now` on a timeline that never runs backwards: a clock that steps
   * back (a wall clock set back) counts as no time passing, so a deadline already
   * set still falls due after its interval instead of stalling for the step.
   */
  private clock(now: number): number {
    if (this.lastNow !== null && now < this.lastNow) this.stepBack += this.lastNow - now;
    this.lastNow = now;
    return now + this.stepBack;
  }

  /** Milliseconds from `now` until the current deadline (never negative); null when none. */
  untilDeadline(now: number): number | null {
    const t = this.clock(now);
    return this.deadline === null ? null : Math.max(0, this.deadline - t);
  }

  /** True when sid votes in the current config. */
  isVoter(sid: bigint): boolean {
    return sid >= 0n && sid <= BigInt(Number.MAX_SAFE_INTEGER) &&
      this.qv.votingMembers.has(Number(sid));
  }

  /** Voters, ascending: whom sendNotifications addresses. */
  voters(): bigint[] {
    return [...this.qv.votingMembers.keys()].map(BigInt);
  }

  /** Sets the vote reported before any election (QuorumPeer: myid, last zxid, current epoch). */
  setBootVote(lastZxid: bigint, currentEpoch: bigint): void {
    this.currentVote = lookingVote(this.myid, lastZxid, -1n, currentEpoch);
  }

  private get initId(): bigint {
    return this.isVoter(this.myid) ? this.myid : LONG_MIN;
  }
  private get initZxid(): bigint {
    return this.learnerType === "participant" ? this.lastZxid : LONG_MIN;
  }
  private get initEpoch(): bigint {
    return this.learnerType === "participant" ? this.currentEpoch : LONG_MIN;
  }

  private propose(leader: bigint, zxid: bigint, epoch: bigint): void {
    this.proposedLeader = leader;
    this.proposedZxid = zxid;
    this.proposedEpoch = epoch;
  }

  /**
   * A LOOKING notification carrying the decided vote, which a learner's shell
   * sends its leader to learn the leader's state (any peer that is not
   * LOOKING answers a LOOKING voter with its own state and vote).
   */
  leaderQuery(): Notification {
    const c = this.currentVote;
    return this.note("looking", c.leader, c.zxid, c.electionEpoch, c.peerEpoch);
  }

  private note(
    state: PeerState,
    leader: bigint,
    zxid: bigint,
    electionEpoch: bigint,
    peerEpoch: bigint,
  ): Notification {
    return {
      state: stateCode(state),
      leader,
      zxid,
      electionEpoch,
      peerEpoch,
      version: 2,
      config: this.configText(),
    };
  }

  private cachedQv: QuorumVerifier | null = null;
  private cachedConfig = "";

  /** The config text sent in notifications, computed once per verifier. */
  configText(): string {
    if (this.cachedQv !== this.qv) {
      this.cachedQv = this.qv;
      this.cachedConfig = this.qv.toConfigString();
    }
    return this.cachedConfig;
  }

  private notifyAll(out: Output): void {
    for (const to of this.voters()) {
      out.send.push({
        to,
        n: this.note(
          "looking",
          this.proposedLeader,
          this.proposedZxid,
          this.logicalClock,
          this.proposedEpoch,
        ),
      });
    }
  }

  /** Starts an election (lookForLeader) with this peer's last zxid and current epoch. */
  startElection(nowIn: number, lastZxid: bigint, currentEpoch: bigint): Output {
    const now = this.clock(nowIn);
    this.state = "looking";
    this.lastZxid = lastZxid;
    this.currentEpoch = currentEpoch;
    this.recvset = new Map();
    this.outOfElection = new Map();
    this.notTimeout = this.timing.minNotificationInterval;
    this.finalizing = false;
    this.logicalClock++;
    this.propose(this.initId, this.initZxid, this.initEpoch);
    const out: Output = { send: [], connectAll: false };
    this.notifyAll(out);
    this.deadline = now + this.notTimeout;
    return out;
  }

  /**
   * Records the epoch Zab established (3.8's updateElectionVote): the leader and its
   * learners then all report (leader, newEpoch), so LOOKING peers can join them.
   */
  updateElectionVote(newEpoch: bigint): void {
    this.currentVote = { ...this.currentVote, peerEpoch: newEpoch };
  }

  /** Leaves the role (leader lost its quorum, follower lost its leader); call startElection next. */
  stopRole(): void {
    this.state = "looking";
  }

  /** Handles one notification from sid (already decoded). */
  receive(nowIn: number, sid: bigint, n: Notification): Output {
    const now = this.clock(nowIn);
    const out: Output = { send: [], connectAll: false };
    if (!this.isVoter(sid)) {
      // Non-voters (observers, probes) get our current vote and state, nothing more.
      const c = this.currentVote;
      out.send.push({
        to: sid,
        n: this.note(this.state, c.leader, c.zxid, this.logicalClock, c.peerEpoch),
      });
      return out;
    }
    const st = stateOf(n.state);
    if (st === undefined) return out;
    if (this.state !== "looking") {
      if (st === "looking") {
        const c = this.currentVote;
        out.send.push({
          to: sid,
          n: this.note(this.state, c.leader, c.zxid, c.electionEpoch, c.peerEpoch),
        });
      }
      return out;
    }
    if (st === "looking" && n.electionEpoch < this.logicalClock) {
      // A peer with a lagging clock learns our proposal and round.
      out.send.push({
        to: sid,
        n: this.note(
          "looking",
          this.proposedLeader,
          this.proposedZxid,
          this.logicalClock,
          this.proposedEpoch,
        ),
      });
    }
    if (this.deadline === null) return out;
    if (this.finalizing) {
      if (
        !beats(
          this.qv,
          n.leader,
          n.zxid,
          n.peerEpoch,
          this.proposedLeader,
          this.proposedZxid,
          this.proposedEpoch,
        )
      ) {
        // Not better than what we are about to settle on: 3.8 drops it and waits again.
        this.deadline = now + this.timing.finalizeWait;
        return out;
      }
      this.finalizing = false;
    }
    this.process(now, sid, n, st, out);
    if (this.state === "looking" && !this.finalizing) this.deadline = now + this.notTimeout;
    return out;
  }

  private process(now: number, sid: bigint, n: Notification, st: PeerState, out: Output): void {
    if (!this.isVoter(n.leader)) return;
    switch (st) {
      case "looking": {
        if (this.initZxid === -1n || n.zxid === -1n) return;
        if (n.electionEpoch > this.logicalClock) {
          this.logicalClock = n.electionEpoch;
          this.recvset.clear();
          if (
            beats(
              this.qv,
              n.leader,
              n.zxid,
              n.peerEpoch,
              this.initId,
              this.initZxid,
              this.initEpoch,
            )
          ) {
            this.propose(n.leader, n.zxid, n.peerEpoch);
          } else {
            this.propose(this.initId, this.initZxid, this.initEpoch);
          }
          this.notifyAll(out);
        } else if (n.electionEpoch < this.logicalClock) {
          return;
        } else if (
          beats(
            this.qv,
            n.leader,
            n.zxid,
            n.peerEpoch,
            this.proposedLeader,
            this.proposedZxid,
            this.proposedEpoch,
          )
        ) {
          this.propose(n.leader, n.zxid, n.peerEpoch);
          this.notifyAll(out);
        }
        this.recvset.set(sid, lookingVote(n.leader, n.zxid, n.electionEpoch, n.peerEpoch));
        const mine = lookingVote(
          this.proposedLeader,
          this.proposedZxid,
          this.logicalClock,
          this.proposedEpoch,
        );
        if (this.hasQuorum(this.recvset, mine)) {
          this.finalizing = true;
          this.deadline = now + this.timing.finalizeWait;
        }
        return;
      }
      case "observing":
        return;
      case "following":
      case "leading": {
        const v: Vote = {
          leader: n.leader,
          zxid: n.zxid,
          electionEpoch: n.electionEpoch,
          peerEpoch: n.peerEpoch,
          state: st,
          version: n.version,
        };
        if (n.electionEpoch === this.logicalClock) {
          // 3.8 stores this one without its version, so it matches by leader alone.
          this.recvset.set(sid, { ...v, version: 0 });
          if (this.hasQuorum(this.recvset, v) && this.leaderChecks(this.recvset, n)) {
            this.decide(v, out);
            return;
          }
        }
        this.outOfElection.set(sid, v);
        if (this.hasQuorum(this.outOfElection, v) && this.leaderChecks(this.outOfElection, n)) {
          this.logicalClock = n.electionEpoch;
          this.decide(v, out);
        }
        return;
      }
    }
  }

  private hasQuorum(votes: Map<bigint, Vote>, v: Vote): boolean {
    const acks: number[] = [];
    for (const [sid, vote] of votes) if (sameVote(v, vote)) acks.push(Number(sid));
    return this.qv.containsQuorum(acks);
  }

  /** 3.8's checkLeader: someone else must be seen LEADING; ourselves only in the same round. */
  private leaderChecks(votes: Map<bigint, Vote>, n: Notification): boolean {
    if (n.leader !== this.myid) return votes.get(n.leader)?.state === "leading";
    return this.logicalClock === n.electionEpoch;
  }

  private decide(v: Vote, out: Output): void {
    this.state = v.leader === this.myid
      ? "leading"
      : this.learnerType === "participant"
      ? "following"
      : "observing";
    this.currentVote = lookingVote(v.leader, v.zxid, v.electionEpoch, v.peerEpoch);
    this.deadline = null;
    this.finalizing = false;
    this.recvset = new Map();
    this.outOfElection = new Map();
    out.decided = this.currentVote;
  }

  /** Advances the clock: ends a finalize wait, or re-sends / asks to reconnect on a quiet poll. */
  tick(nowIn: number, haveDelivered: boolean): Output {
    const now = this.clock(nowIn);
    const out: Output = { send: [], connectAll: false };
    if (this.deadline === null || now < this.deadline || this.state !== "looking") return out;
    if (this.finalizing) {
      this.decide(
        lookingVote(this.proposedLeader, this.proposedZxid, this.logicalClock, this.proposedEpoch),
        out,
      );
      return out;
    }
    if (haveDelivered) this.notifyAll(out);
    else out.connectAll = true;
    this.notTimeout = Math.min(this.notTimeout * 2, this.timing.maxNotificationInterval);
    this.deadline = now + this.notTimeout;
    return out;
  }
}
