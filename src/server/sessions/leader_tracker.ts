// The leader's sessions (3.8's LeaderSessionTracker): every global session of the ensemble with
// its deadline and owner. Only the leader expires global sessions; learners report touches in
// their PING replies and ask with REVALIDATE when a client reconnects to them. A new leader
// tracks every committed session afresh with its full timeout, so clients have all of it to
// reconnect. Pure: every method takes `now` (monotonic ms) from the caller.
import { ErrorCode, OpCode } from "../../jute/constants.ts";
import { type SessionInfo, type SessionOwner, SessionTracker } from "../session_tracker.ts";
import { serverIdOfSession } from "./ids.ts";
import {
  type SessionAction,
  type SessionTrackerOptions,
  UpgradeableSessions,
} from "./upgradeable.ts";

/** The owner of sessions whose client is on the leader's own port (3.8's ServerCnxn.me). */
export const LOCAL_OWNER: SessionOwner = "local";

/** Ops whose prep makes no session check in 3.8 (server-made, or the session's own txns). */
const UNCHECKED: ReadonlySet<number> = new Set([
  OpCode.createSession,
  OpCode.closeSession,
  OpCode.deleteContainer,
]);
const CREATES: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
]);

/**
 * Which check 3.8's prep makes for one op (each op of a multi on its own): none for
 * createSession, closeSession and deleteContainer; checkGlobalSession for an ephemeral create
 * (a local session must be upgraded first); checkSession for every other op.
 */
export function prepSessionCheck(type: number, ephemeral: boolean): "none" | "global" | "session" {
  if (UNCHECKED.has(type)) return "none";
  return CREATES.has(type) && ephemeral ? "global" : "session";
}

/** Global (and, when enabled, local) sessions on the leader. */
export class LeaderSessionTracker extends UpgradeableSessions {
  private readonly global: SessionTracker;
  /** Committed global sessions (3.8's sessionsWithTimeout): set at commit, gone at close. */
  private readonly committed = new Map<bigint, number>();
  private readonly serverId: bigint;

  constructor(o: SessionTrackerOptions) {
    super(o);
    this.serverId = BigInt(o.serverId);
    this.global = new SessionTracker(o.tickMs, o.serverId, o.idClockMs ?? o.now);
    this.global.rebase(o.now);
    for (const [id, to] of o.sessions ?? []) {
      this.committed.set(id, to);
      this.global.add(id, to, o.now);
    }
  }

  /** Tracked by the global tracker (from prep on, before its createSession commits). */
  isGlobalSession(id: bigint): boolean {
    return this.global.get(id) !== undefined;
  }

  protected trackUpgraded(id: bigint, timeoutMs: number, now: number): void {
    this.trackSession(id, timeoutMs, now);
  }

  /** The global session's state, if tracked. */
  get(id: bigint): SessionInfo | undefined {
    return this.global.get(id);
  }

  /** Number of tracked global sessions. */
  get size(): number {
    return this.global.size;
  }

  /** Ids of the tracked global sessions. */
  globalIds(): bigint[] {
    return this.global.ids();
  }

  /** Committed global sessions, id → timeout. */
  committedSessions(): ReadonlyMap<bigint, number> {
    return this.committed;
  }

  /** A session for a client of the leader's own port: local when enabled, else global. */
  createSession(timeoutMs: number, now: number): bigint {
    const t = this.local ?? this.global;
    const id = t.allocateId();
    t.add(id, timeoutMs, now);
    return id;
  }

  /** Starts (or refreshes) tracking a global session; true when it was new. */
  trackSession(id: bigint, timeoutMs: number, now: number): boolean {
    // 3.8 re-buckets an existing session with this timeout even when it is closing.
    const added = this.global.get(id) === undefined;
    this.global.add(id, timeoutMs, now);
    return added;
  }

  /**
   * Prep of a createSession (the leader's own or a learner's REQUEST): track it and make the
   * requester its owner. SessionExpired when the session is already closing (an error txn).
   */
  prepCreateSession(id: bigint, timeoutMs: number, owner: SessionOwner, now: number): number {
    this.trackSession(id, timeoutMs, now);
    return this.setOwner(id, owner);
  }

  /** A createSession committed; true when the session was not committed before. */
  commitSession(id: bigint, timeoutMs: number): boolean {
    const added = !this.committed.has(id);
    this.committed.set(id, timeoutMs);
    this.committedGlobal(id);
    return added;
  }

  /** A touch (a client packet here, or a learner's PING table); false when unknown or closing. */
  touchSession(id: bigint, timeoutMs: number, now: number): boolean {
    if (this.local?.touch(id, now, timeoutMs)) return true;
    return this.global.touch(id, now, timeoutMs);
  }

  /** Every entry of a learner's PING touch table. */
  touchAll(touches: Iterable<{ sessionId: bigint; timeout: number }>, now: number): void {
    for (const t of touches) this.touchSession(t.sessionId, t.timeout, now);
  }

  /**
   * A learner's REVALIDATE (3.8's Leader.revalidateSession): valid only for a live global
   * session, which is touched and moves to that learner's link.
   */
  revalidate(id: bigint, timeoutMs: number, owner: SessionOwner, now: number): boolean {
    if (this.localSessionsEnabled && !this.isGlobalSession(id)) return false;
    const valid = this.touchSession(id, timeoutMs, now);
    if (valid) this.setOwner(id, owner);
    return valid;
  }

  /** A client reconnects on the leader's own port: touched, and owned here when alive. */
  reconnect(id: bigint, timeoutMs: number, now: number): boolean {
    const valid = this.touchSession(id, timeoutMs, now);
    this.setOwner(id, LOCAL_OWNER);
    return valid;
  }

  /**
   * 3.8's checkSession for a request in prep: Ok, SessionExpired (unknown or closing) or
   * SessionMoved (another server owns it). With local sessions, a session the leader does not
   * know passes unless this server made it: it may be a local session of another server.
   */
  checkSession(id: bigint, owner: SessionOwner): number {
    if (this.local) {
      const err = this.local.check(id, owner);
      if (err === ErrorCode.Ok && !this.isGlobalSession(id)) return err;
      if (err !== ErrorCode.Ok && err !== ErrorCode.UnknownSession) return err;
    }
    const err = this.global.check(id, owner);
    if (err !== ErrorCode.UnknownSession) return err;
    if (!this.localSessionsEnabled || serverIdOfSession(id) === this.serverId) {
      return ErrorCode.SessionExpired;
    }
    return ErrorCode.Ok;
  }

  /** 3.8's checkGlobalSession (an ephemeral create): unknown is SessionExpired. */
  checkGlobalSession(id: bigint, owner: SessionOwner): number {
    const err = this.global.check(id, owner);
    return err === ErrorCode.UnknownSession ? ErrorCode.SessionExpired : err;
  }

  /** Moves a session to `owner`: Ok, or SessionExpired when unknown or closing. */
  setOwner(id: bigint, owner: SessionOwner): number {
    if (this.local?.setOwner(id, owner)) return ErrorCode.Ok;
    return this.global.setOwner(id, owner) ? ErrorCode.Ok : ErrorCode.SessionExpired;
  }

  /** Marks a session closing (its closeSession is in prep). */
  setSessionClosing(id: bigint): void {
    this.local?.setClosing(id);
    this.global.setClosing(id);
  }

  /** A closeSession committed (or a local session closed): forget it everywhere. */
  removeSession(id: bigint): void {
    this.local?.remove(id);
    this.global.remove(id);
    this.committed.delete(id);
  }

  /** Milliseconds until the next bucket (local or global) is due. */
  waitTime(now: number): number {
    const g = this.global.waitTime(now);
    return this.local ? Math.min(g, this.local.waitTime(now)) : g;
  }

  /** Sessions past their deadline, marked closing: global ones become closeSession txns. */
  poll(now: number): SessionAction[] {
    const out = this.pollLocal(now);
    for (const id of this.global.poll(now)) {
      out.push({ kind: "expire", id, timeoutMs: this.global.get(id)!.timeoutMs, local: false });
    }
    return out;
  }
}
