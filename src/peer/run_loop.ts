// The peer's run loop as a pure core (3.8's QuorumPeer.run): LOOKING → an
// election result → LEADING | FOLLOWING | OBSERVING → the role ends → LOOKING
// again. It decides what the shell does at each step and in which order; the
// shell (quorum_peer.ts) does it and reports back. No I/O, no clock, no
// randomness of its own: the observer's jitter comes in as a number.
//
// Leaving a role is two steps because the last logged zxid is known only once
// the log writer has drained: roleEnded() returns the leave actions ending in
// "look"; the shell performs them in order, reads its disk and calls looking().

/** A role an election gives this peer. */
export type Role = "leading" | "following" | "observing";

/** Where the loop is: "leaving" between a role's end and the next election. */
export type RunState = "idle" | "looking" | Role | "leaving" | "stopped";

/** Why a role ended. */
export type EndReason =
  /** A leader whose synced learners (and itself) are no longer a quorum. */
  | "lost_quorum"
  /** A learner whose leader's socket closed or that is no longer leading. */
  | "leader_gone"
  /** A packet out of place or malformed on the quorum port. */
  | "bad_packet"
  /** A wait bounded by initLimit or syncLimit ticks ran out. */
  | "timeout"
  /** The zxid counter (low 32 bits) ran out: a new epoch is needed. */
  | "counter_rollover"
  /** The peer is shutting down. */
  | "stop";

/** What the disk says when an election starts. */
export interface DiskFacts {
  /** The last zxid in the txn log (memory is brought to it before looking). */
  lastLoggedZxid: bigint;
  /** The currentEpoch file's value. */
  currentEpoch: bigint;
}

/** What the shell must do, in the order given. */
export type RunAction =
  /** Start FastLeaderElection with this vote's zxid and epoch. */
  | { kind: "startElection"; lastLoggedZxid: bigint; currentEpoch: bigint }
  /** Start the role (leader: bind the quorum port at once; learner: connect to `leader`). */
  | { kind: "startRole"; role: Role; leader: bigint; roleId: number }
  /** Zab established the new epoch: report it as the vote's peerEpoch (ZOOKEEPER-1732). */
  | { kind: "updateElectionVote"; peerEpoch: bigint }
  /** Stop accepting Zab traffic: close the quorum port's listener or the leader link. */
  | { kind: "stopZab"; role: Role }
  /** Wait until every txn handed to the log writer is written (ZOOKEEPER-4712). */
  | { kind: "drainLog" }
  /** Bring memory to the last logged zxid by applying the logged txns not yet applied. */
  | { kind: "fastForward" }
  /** A SNAP was half received: discard memory; it is restored from disk (ZOOKEEPER-3642). */
  | { kind: "discardSnap" }
  /** Drop the outstanding changes (the overlay of txns prepared but not committed). */
  | { kind: "dropOutstanding" }
  /** Close every client connection. */
  | { kind: "closeClients" }
  /** Wait this long before looking (an observer's jitter, zookeeper.observer.election.DelayMs). */
  | { kind: "wait"; ms: number }
  /** The leave is done: read the disk (last logged zxid, currentEpoch) and call looking(). */
  | { kind: "look" };

/** 3.8's default zookeeper.observer.election.DelayMs. */
export const OBSERVER_ELECTION_DELAY_MS = 200;

/** Options of the run loop. */
export interface RunLoopOptions {
  /** An observer's upper bound for its random wait before looking; 0 turns it off. */
  observerElectionDelayMs?: number;
}

/** What the shell knows when a role ends. */
export interface RoleEndFacts {
  /** A uniform random number in [0, 1): the observer's jitter. */
  random: number;
  /** A learner was inside a SNAP sync (memory cleared, image not complete). */
  snapIncomplete?: boolean;
}

/** The peer's run loop: the state and the actions each transition takes. */
export class RunLoop {
  private _state: RunState = "idle";
  private _roleId = 0;
  private voteUpdated = false;
  private readonly observerDelayMs: number;

  constructor(opts: RunLoopOptions = {}) {
    this.observerDelayMs = Math.max(0, opts.observerElectionDelayMs ?? OBSERVER_ELECTION_DELAY_MS);
  }

  /** Where the loop is. */
  get state(): RunState {
    return this._state;
  }

  /** The current (or last) role's number; reports about an older role are stale. */
  get roleId(): number {
    return this._roleId;
  }

  /** The peer has loaded its data dir: look for a leader. */
  start(disk: DiskFacts): RunAction[] {
    if (this._state !== "idle") return [];
    return this.look(disk);
  }

  /** The election decided this peer's role. Ignored outside LOOKING. */
  elected(role: Role, leader: bigint): RunAction[] {
    if (this._state !== "looking") return [];
    this._state = role;
    this._roleId++;
    this.voteUpdated = false;
    return [{ kind: "startRole", role, leader, roleId: this._roleId }];
  }

  /**
   * Zab established `newEpoch` in role `roleId` (a leader's quorum of NEWLEADER
   * ACKs, a learner's UPTODATE): the vote reports it once, so that LOOKING peers
   * can join this ensemble (ZOOKEEPER-1732).
   */
  established(roleId: number, newEpoch: bigint): RunAction[] {
    if (!this.inRole(roleId) || this.voteUpdated) return [];
    this.voteUpdated = true;
    return [{ kind: "updateElectionVote", peerEpoch: newEpoch }];
  }

  /** Role `roleId` ended: the leave actions, then (unless stopping) "look". Stale ids are ignored. */
  roleEnded(roleId: number, reason: EndReason, facts: RoleEndFacts): RunAction[] {
    if (!this.inRole(roleId)) return [];
    const role = this._state as Role;
    const out = leaveActions(role, facts.snapIncomplete === true);
    if (reason === "stop") {
      this._state = "stopped";
      return out;
    }
    this._state = "leaving";
    if (role === "observing" && this.observerDelayMs > 0) {
      // 3.8 sleeps delayMs * Math.random(), truncated: 0 up to delayMs - 1.
      const ms = Math.floor(Math.min(Math.max(facts.random, 0), 1) * this.observerDelayMs);
      out.push({ kind: "wait", ms: Math.min(ms, this.observerDelayMs - 1) });
    }
    out.push({ kind: "look" });
    return out;
  }

  /** The leave is done and the disk read: start the election. Ignored unless leaving. */
  looking(disk: DiskFacts): RunAction[] {
    if (this._state !== "leaving") return [];
    return this.look(disk);
  }

  /** The peer shuts down: a role in progress is left (no jitter, no election). */
  stop(): RunAction[] {
    if (this.isRole(this._state)) {
      return this.roleEnded(this._roleId, "stop", { random: 0 });
    }
    this._state = "stopped";
    return [];
  }

  private look(disk: DiskFacts): RunAction[] {
    this._state = "looking";
    return [{
      kind: "startElection",
      lastLoggedZxid: disk.lastLoggedZxid,
      currentEpoch: disk.currentEpoch,
    }];
  }

  private inRole(roleId: number): boolean {
    return roleId === this._roleId && this.isRole(this._state);
  }

  private isRole(s: RunState): s is Role {
    return s === "leading" || s === "following" || s === "observing";
  }
}

/**
 * Leaving a role, in order: no more Zab traffic in; every txn handed to the
 * log writer on disk before memory is brought to the log (ZOOKEEPER-4712); a
 * half-received SNAP discarded rather than fast-forwarded (ZOOKEEPER-3642);
 * changes never committed dropped; then the clients, who must reconnect to a
 * server that serves.
 */
function leaveActions(role: Role, snapIncomplete: boolean): RunAction[] {
  const halfSnap = snapIncomplete && role !== "leading";
  return [
    { kind: "stopZab", role },
    { kind: "drainLog" },
    halfSnap ? { kind: "discardSnap" } : { kind: "fastForward" },
    { kind: "dropOutstanding" },
    { kind: "closeClients" },
  ];
}
