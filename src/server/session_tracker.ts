// Session expiry in tick buckets (as ZooKeeper's ExpiryQueue): a session's
// deadline is rounded up to the next tick boundary, so one timer per tick
// expires a whole bucket. Pure: every method takes `now` (ms) from the caller.
import { ErrorCode } from "../jute/constants.ts";
import { initialSessionId } from "./session_id.ts";

/**
 * Who serves a session's requests (3.8's session owner): the server's own client port, or one
 * learner link on a leader. Compared with ===, so a shell passes one token per learner link.
 */
export type SessionOwner = string | bigint | number | object;

/** What the tracker knows about one session. */
export interface SessionInfo {
  id: bigint;
  timeoutMs: number;
  /** Bucket (ms) the session expires in. */
  expiresAt: number;
  /** Set once expiry or close began; a closing session cannot be touched alive. */
  closing: boolean;
  /** Set by the first checked request, or moved by setOwner (a reconnect elsewhere). */
  owner?: SessionOwner;
}

/** Tracks live sessions and hands out expired ones, a tick bucket at a time. */
export class SessionTracker {
  private readonly sessions = new Map<bigint, SessionInfo>();
  private readonly buckets = new Map<number, Set<bigint>>();
  private nextId: bigint;
  private nextExpiry: number;

  constructor(readonly tickMs: number, serverId: number | bigint, now: number) {
    this.nextId = initialSessionId(serverId, now);
    this.nextExpiry = this.roundUp(now);
  }

  private roundUp(t: number): number {
    return (Math.floor(t / this.tickMs) + 1) * this.tickMs;
  }

  /** Restarts the bucket clock at `now` (when deadlines use another clock than the id bits). */
  rebase(now: number): void {
    this.nextExpiry = this.roundUp(now);
  }

  /** Number of live sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Allocates a fresh session id (not yet tracked: add() it when its createSession is applied). */
  allocateId(): bigint {
    return this.nextId++;
  }

  /** Starts tracking a session (new, restored, or applied from a createSession txn). */
  add(id: bigint, timeoutMs: number, now: number): void {
    const existing = this.sessions.get(id);
    if (existing) {
      existing.timeoutMs = timeoutMs;
      this.move(existing, now);
      return;
    }
    const s: SessionInfo = { id, timeoutMs, expiresAt: -1, closing: false };
    this.sessions.set(id, s);
    this.move(s, now);
  }

  private move(s: SessionInfo, now: number): void {
    const at = this.roundUp(now + s.timeoutMs);
    if (at === s.expiresAt) return;
    if (s.expiresAt >= 0) this.buckets.get(s.expiresAt)?.delete(s.id);
    let b = this.buckets.get(at);
    if (!b) this.buckets.set(at, b = new Set());
    b.add(s.id);
    s.expiresAt = at;
  }

  /** Pushes a session's deadline out by its timeout; false when unknown or closing. */
  touch(id: bigint, now: number, timeoutMs?: number): boolean {
    const s = this.sessions.get(id);
    if (!s || s.closing) return false;
    if (timeoutMs !== undefined) s.timeoutMs = timeoutMs;
    this.move(s, now);
    return true;
  }

  /** The session, if tracked. */
  get(id: bigint): SessionInfo | undefined {
    return this.sessions.get(id);
  }

  /** True when the session is tracked and not closing. */
  isAlive(id: bigint): boolean {
    const s = this.sessions.get(id);
    return s !== undefined && !s.closing;
  }

  /** Marks a session closing (its close txn is on the way). */
  setClosing(id: bigint): void {
    const s = this.sessions.get(id);
    if (s) s.closing = true;
  }

  /**
   * 3.8's checkSession: UnknownSession, SessionExpired when closing, SessionMoved when another
   * owner holds it; the first owner to ask claims it.
   */
  check(id: bigint, owner: SessionOwner): number {
    const s = this.sessions.get(id);
    if (!s) return ErrorCode.UnknownSession;
    if (s.closing) return ErrorCode.SessionExpired;
    if (s.owner === undefined) s.owner = owner;
    else if (s.owner !== owner) return ErrorCode.SessionMoved;
    return ErrorCode.Ok;
  }

  /** Moves a session to a new owner; false (3.8: SessionExpired) when unknown or closing. */
  setOwner(id: bigint, owner: SessionOwner): boolean {
    const s = this.sessions.get(id);
    if (!s || s.closing) return false;
    s.owner = owner;
    return true;
  }

  /** Stops tracking a session. */
  remove(id: bigint): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.buckets.get(s.expiresAt)?.delete(id);
  }

  /** Every tracked session id. */
  ids(): bigint[] {
    return [...this.sessions.keys()];
  }

  /** Milliseconds until the next bucket is due (0 when one is due now). */
  waitTime(now: number): number {
    return Math.max(0, this.nextExpiry - now);
  }

  /** Sessions whose bucket is due at `now`, marked closing; the caller closes them. */
  poll(now: number): bigint[] {
    const out: bigint[] = [];
    while (this.nextExpiry <= now) {
      const b = this.buckets.get(this.nextExpiry);
      this.buckets.delete(this.nextExpiry);
      this.nextExpiry += this.tickMs;
      if (!b) continue;
      for (const id of b) {
        const s = this.sessions.get(id);
        if (!s || s.closing) continue; // already being closed
        s.closing = true;
        s.expiresAt = -1;
        out.push(id);
      }
    }
    return out;
  }
}
