// The session tracker a server's role uses, behind one face (3.8 builds a
// SessionTrackerImpl, a LeaderSessionTracker or a LearnerSessionTracker with
// each role's ZooKeeperServer): standalone keeps every session global and
// expires it; a leader tracks global sessions with owners and, with
// localSessionsEnabled, its own local ones; a learner keeps a touch table for
// the leader and its local sessions. The server asks the questions below and
// never which role it is in. Pure: `now` (monotonic ms) comes from the caller.
import { ErrorCode, OpCode } from "../../jute/constants.ts";
import { type SessionInfo, type SessionOwner, SessionTracker } from "../session_tracker.ts";
import { LeaderSessionTracker, LOCAL_OWNER } from "./leader_tracker.ts";
import type { LearnerSessionTracker } from "./learner_tracker.ts";
import type { SessionAction, SessionTrackerOptions, UpgradeQuery } from "./upgradeable.ts";

/** What a reconnect gets: valid or not here, or a question for the leader (REVALIDATE). */
export type Reopen = boolean | "revalidate";

/** One role's sessions as the client-port server uses them. */
export interface ServerSessions {
  /** New sessions are local (no createSession txn) until an ephemeral create upgrades them. */
  readonly localSessionsEnabled: boolean;
  /** A new session for a client of this server's port. */
  create(timeoutMs: number, now: number): { id: bigint; local: boolean };
  /** A client packet touched its session; false: 3.8 drops the request (MissingSessionException). */
  touch(id: bigint, timeoutMs: number, now: number): boolean;
  /** A client reconnects here with a good password. */
  reopen(id: bigint, timeoutMs: number, now: number): Reopen;
  /** Ok, SessionExpired (closing) or UnknownSession, for a read. */
  readState(id: bigint): number;
  /** 3.8's checkSession (or checkGlobalSession for an ephemeral create) for a write of `owner`. */
  check(id: bigint, owner: SessionOwner, ephemeral: boolean): number;
  /** Only this server knows the session. */
  isLocal(id: bigint): boolean;
  /** 3.8's checkUpgradeSession: an upgrade or a refusal before the request goes on. */
  checkUpgrade(q: UpgradeQuery, now: number): SessionAction[];
  /** Prep of a createSession for `owner`: Ok, or SessionExpired when the session is closing. */
  prepCreate(id: bigint, timeoutMs: number, owner: SessionOwner, now: number): number;
  /** Prep of a closeSession: the session is closing. */
  setClosing(id: bigint): void;
  /** A session is gone (its closeSession committed, or a local one closed). */
  remove(id: bigint): void;
  /** A createSession or closeSession committed. */
  committed(type: number, id: bigint, timeoutMs: number): void;
  /** Milliseconds until the next expiry bucket is due. */
  waitTime(now: number): number;
  /** Sessions whose deadline passed, marked closing. */
  poll(now: number): SessionAction[];
  /** Global sessions tracked here (mntr's global_sessions). */
  readonly globalCount: number;
  /** Local sessions (mntr's local_sessions). */
  readonly localCount: number;
  /** Sessions with a deadline here (dump), and their state. */
  ids(): bigint[];
  get(id: bigint): SessionInfo | undefined;
}

function stateOf(s: SessionInfo | undefined): number {
  if (!s) return ErrorCode.UnknownSession;
  return s.closing ? ErrorCode.SessionExpired : ErrorCode.Ok;
}

/** Standalone (3.8's SessionTrackerImpl): every session global, removed when its close is prepared. */
export class StandaloneSessions implements ServerSessions {
  readonly localSessionsEnabled = false;
  readonly tracker: SessionTracker;

  constructor(o: SessionTrackerOptions) {
    this.tracker = new SessionTracker(o.tickMs, o.serverId, o.idClockMs ?? o.now);
    this.tracker.rebase(o.now);
    for (const [id, to] of o.sessions ?? []) this.tracker.add(id, to, o.now);
  }

  create(timeoutMs: number, now: number) {
    const id = this.tracker.allocateId();
    this.tracker.add(id, timeoutMs, now);
    return { id, local: false };
  }
  touch(id: bigint, _timeoutMs: number, now: number): boolean {
    // zkt standalone answers a closing session's requests with SessionExpired (never drops them).
    this.tracker.touch(id, now);
    return true;
  }
  reopen(id: bigint, timeoutMs: number, now: number): Reopen {
    const alive = this.tracker.touch(id, now, timeoutMs);
    if (alive) this.tracker.setOwner(id, LOCAL_OWNER);
    return alive;
  }
  readState(id: bigint): number {
    return stateOf(this.tracker.get(id));
  }
  check(id: bigint, owner: SessionOwner): number {
    return this.tracker.check(id, owner);
  }
  isLocal(): boolean {
    return false;
  }
  checkUpgrade(): SessionAction[] {
    return [];
  }
  prepCreate(id: bigint, timeoutMs: number, owner: SessionOwner, now: number): number {
    this.tracker.add(id, timeoutMs, now);
    this.tracker.setOwner(id, owner);
    return ErrorCode.Ok;
  }
  setClosing(id: bigint): void {
    this.tracker.setClosing(id);
  }
  remove(id: bigint): void {
    this.tracker.remove(id);
  }
  committed(): void {}
  waitTime(now: number): number {
    return this.tracker.waitTime(now);
  }
  poll(now: number): SessionAction[] {
    return this.tracker.poll(now).map((id) => ({
      kind: "expire",
      id,
      timeoutMs: this.tracker.get(id)!.timeoutMs,
      local: false,
    }));
  }
  get globalCount(): number {
    return this.tracker.size;
  }
  get localCount(): number {
    return 0;
  }
  ids(): bigint[] {
    return this.tracker.ids();
  }
  get(id: bigint): SessionInfo | undefined {
    return this.tracker.get(id);
  }
}

/** A leader (3.8's LeaderSessionTracker): global sessions with owners, local ones when enabled. */
export class LeaderSessions implements ServerSessions {
  readonly tracker: LeaderSessionTracker;

  constructor(o: SessionTrackerOptions) {
    this.tracker = new LeaderSessionTracker(o);
  }

  get localSessionsEnabled(): boolean {
    return this.tracker.localSessionsEnabled;
  }
  create(timeoutMs: number, now: number) {
    const id = this.tracker.createSession(timeoutMs, now);
    return { id, local: this.tracker.isLocalSession(id) };
  }
  touch(id: bigint, timeoutMs: number, now: number): boolean {
    // The leader answers an unknown or closing session with SessionExpired in prep.
    this.tracker.touchSession(id, timeoutMs, now);
    return true;
  }
  reopen(id: bigint, timeoutMs: number, now: number): Reopen {
    return this.tracker.reconnect(id, timeoutMs, now);
  }
  readState(id: bigint): number {
    return stateOf(this.tracker.localInfo(id) ?? this.tracker.get(id));
  }
  check(id: bigint, owner: SessionOwner, ephemeral: boolean): number {
    return ephemeral
      ? this.tracker.checkGlobalSession(id, owner)
      : this.tracker.checkSession(id, owner);
  }
  isLocal(id: bigint): boolean {
    return this.tracker.isLocalSession(id);
  }
  checkUpgrade(q: UpgradeQuery, now: number): SessionAction[] {
    return this.tracker.checkUpgrade(q, now);
  }
  prepCreate(id: bigint, timeoutMs: number, owner: SessionOwner, now: number): number {
    return this.tracker.prepCreateSession(id, timeoutMs, owner, now);
  }
  setClosing(id: bigint): void {
    this.tracker.setSessionClosing(id);
  }
  remove(id: bigint): void {
    this.tracker.removeSession(id);
  }
  committed(type: number, id: bigint, timeoutMs: number): void {
    if (type === OpCode.createSession) this.tracker.commitSession(id, timeoutMs);
    else if (type === OpCode.closeSession) this.tracker.removeSession(id);
  }
  waitTime(now: number): number {
    return this.tracker.waitTime(now);
  }
  poll(now: number): SessionAction[] {
    return this.tracker.poll(now);
  }
  get globalCount(): number {
    return this.tracker.size;
  }
  get localCount(): number {
    return this.tracker.localCount;
  }
  ids(): bigint[] {
    return [...this.tracker.localSessions(), ...this.tracker.globalIds()];
  }
  get(id: bigint): SessionInfo | undefined {
    return this.tracker.localInfo(id) ?? this.tracker.get(id);
  }
}

/** A follower or observer (3.8's LearnerSessionTracker): the leader judges global sessions. */
export class LearnerSessions implements ServerSessions {
  constructor(readonly tracker: LearnerSessionTracker) {}

  get localSessionsEnabled(): boolean {
    return this.tracker.localSessionsEnabled;
  }
  create(timeoutMs: number, now: number) {
    const id = this.tracker.createSession(timeoutMs, now);
    return { id, local: this.tracker.isLocalSession(id) };
  }
  touch(id: bigint, timeoutMs: number, now: number): boolean {
    return this.tracker.touchSession(id, timeoutMs, now);
  }
  reopen(id: bigint, timeoutMs: number, now: number): Reopen {
    // 3.8's LearnerZooKeeperServer.revalidateSession: only a local session is judged here.
    if (!this.tracker.needsRevalidate(id)) return this.tracker.reconnectLocal(id, timeoutMs, now);
    return "revalidate";
  }
  readState(): number {
    // A learner runs no prep: a request that passed touch() is served (3.8).
    return ErrorCode.Ok;
  }
  check(): number {
    // Writes are checked by the leader's prep.
    return ErrorCode.Ok;
  }
  isLocal(id: bigint): boolean {
    return this.tracker.isLocalSession(id);
  }
  checkUpgrade(q: UpgradeQuery, now: number): SessionAction[] {
    return this.tracker.checkUpgrade(q, now);
  }
  prepCreate(): number {
    return ErrorCode.Ok;
  }
  setClosing(id: bigint): void {
    this.tracker.setSessionClosing(id);
  }
  remove(id: bigint): void {
    this.tracker.removeSession(id);
  }
  committed(): void {
    // LearnerFront.committed keeps the tracker's global sessions.
  }
  waitTime(now: number): number {
    return this.tracker.waitTime(now);
  }
  poll(now: number): SessionAction[] {
    return this.tracker.poll(now);
  }
  get globalCount(): number {
    return this.tracker.globalSessions().size;
  }
  get localCount(): number {
    return this.tracker.localCount;
  }
  ids(): bigint[] {
    return this.tracker.localSessions();
  }
  get(id: bigint): SessionInfo | undefined {
    return this.tracker.localInfo(id);
  }
}
