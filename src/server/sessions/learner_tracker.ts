// A follower's or observer's sessions (3.8's LearnerSessionTracker). The learner never expires
// a global session: it records which ones its clients touched and hands that touch table to
// the next PING reply, and learns of global sessions from committed createSession and
// closeSession txns. With localSessionsEnabled its new sessions are local: created, touched
// and expired here, until an ephemeral create upgrades them (upgradeable.ts).
import { ErrorCode } from "../../jute/constants.ts";
import type { SessionOwner } from "../session_tracker.ts";
import { SessionIdGenerator } from "./ids.ts";
import {
  type SessionAction,
  type SessionTrackerOptions,
  UpgradeableSessions,
} from "./upgradeable.ts";

/** One entry of a PING reply's touch table (the shape of zab's SessionTouch). */
export interface TouchEntry {
  sessionId: bigint;
  timeout: number;
}

/** Global sessions as committed, the touch table, and local sessions when enabled. */
export class LearnerSessionTracker extends UpgradeableSessions {
  /** Committed global sessions, id → timeout ms. */
  private readonly global = new Map<bigint, number>();
  /** Sessions touched since the last PING reply, id → timeout ms. */
  private touchTable = new Map<bigint, number>();
  private readonly ids: SessionIdGenerator;

  constructor(o: SessionTrackerOptions) {
    super(o);
    this.ids = new SessionIdGenerator(o.serverId, o.idClockMs ?? o.now);
    for (const [id, to] of o.sessions ?? []) this.global.set(id, to);
  }

  /** True once the session's createSession committed, until its closeSession does. */
  isGlobalSession(id: bigint): boolean {
    return this.global.has(id);
  }

  /** Synced with the leader (UPTODATE): the global sessions are the synced tree's (3.8 builds its tracker then). */
  syncedSessions(sessions: Iterable<readonly [bigint, number]>): void {
    this.global.clear();
    for (const [id, to] of sessions) this.global.set(id, to);
  }

  /** A learner does not track global sessions: the leader's createSession txn will. */
  protected trackUpgraded(): void {}

  /** Committed global sessions, id → timeout. */
  globalSessions(): ReadonlyMap<bigint, number> {
    return this.global;
  }

  /**
   * A new session for a client here: local and tracked when local sessions are on; otherwise
   * only an id (with this server's sid) for the createSession forwarded to the leader.
   */
  createSession(timeoutMs: number, now: number): bigint {
    if (!this.local) return this.ids.allocate();
    const id = this.local.allocateId();
    this.local.add(id, timeoutMs, now);
    return id;
  }

  /** A createSession committed: global now, and in the touch table; true when new. */
  commitSession(id: bigint, timeoutMs: number): boolean {
    const added = !this.global.has(id);
    this.global.set(id, timeoutMs);
    this.committedGlobal(id);
    this.touchTable.set(id, timeoutMs);
    return added;
  }

  /**
   * A client packet touches its session. Without local sessions every touch is recorded for
   * the leader to judge; with them, a session that is neither local, global nor upgrading is
   * refused (false: the request is dropped).
   */
  touchSession(id: bigint, timeoutMs: number, now: number): boolean {
    if (this.local) {
      if (this.local.touch(id, now, timeoutMs)) return true;
      if (!this.isGlobalSession(id) && !this.isUpgradingSession(id)) return false;
    }
    this.touchTable.set(id, timeoutMs);
    return true;
  }

  /** The touch table for a PING reply, swapped for an empty one (3.8's snapshot()). */
  snapshot(): TouchEntry[] {
    const t = this.touchTable;
    this.touchTable = new Map();
    return [...t].map(([sessionId, timeout]) => ({ sessionId, timeout }));
  }

  /** A reconnect here: a local session is judged locally, any other one by REVALIDATE. */
  needsRevalidate(id: bigint): boolean {
    return !this.isLocalSession(id);
  }

  /** A reconnect of a local session: touched here; false when unknown or closing. */
  reconnectLocal(id: bigint, timeoutMs: number, now: number): boolean {
    return this.local?.touch(id, now, timeoutMs) ?? false;
  }

  /**
   * 3.8's learner checkSession: only local sessions are checked here (owner and closing);
   * global ones are the leader's to check, and anything else has expired. (3.8 itself calls
   * it only from prep, which learners do not run: a learner gates requests by touchSession.)
   */
  checkSession(id: bigint, owner: SessionOwner): number {
    if (!this.local) return ErrorCode.Ok;
    const err = this.local.check(id, owner);
    if (err !== ErrorCode.UnknownSession) return err;
    return this.isGlobalSession(id) ? ErrorCode.Ok : ErrorCode.SessionExpired;
  }

  /** Moves a local session to `owner`; Ok for global ones (the leader's), else SessionExpired. */
  setOwner(id: bigint, owner: SessionOwner): number {
    if (!this.local || this.local.setOwner(id, owner)) return ErrorCode.Ok;
    return this.isGlobalSession(id) ? ErrorCode.Ok : ErrorCode.SessionExpired;
  }

  /** Marks a local session closing (global ones close through the leader). */
  setSessionClosing(id: bigint): void {
    this.local?.setClosing(id);
  }

  /** A closeSession committed (or a local session closed): forget it everywhere. */
  removeSession(id: bigint): void {
    this.local?.remove(id);
    this.global.delete(id);
    this.touchTable.delete(id);
  }

  /** Milliseconds until the next local bucket is due (Infinity without local sessions). */
  waitTime(now: number): number {
    return this.local ? this.local.waitTime(now) : Infinity;
  }

  /** Local sessions past their deadline, marked closing; global ones never expire here. */
  poll(now: number): SessionAction[] {
    return this.pollLocal(now);
  }
}
