// What the leader's and the learners' session trackers share (3.8's UpgradeableSessionTracker):
// with localSessionsEnabled, new sessions live on one server only (created, touched and
// expired there, never a txn), until the first ephemeral create upgrades the session: it
// leaves the local tracker and a createSession goes to the leader under the same id.
import { CreateMode, ErrorCode, OpCode } from "../../jute/constants.ts";
import { type SessionInfo, SessionTracker } from "../session_tracker.ts";

/** What a tracker asks its shell to do. */
export type SessionAction =
  /** The session's deadline passed: close it (a closeSession txn, or locally when `local`). */
  | { kind: "expire"; id: bigint; timeoutMs: number; local: boolean }
  /** Submit createSession(id, cxid 0, timeout) ahead of the request that needed it. */
  | { kind: "upgrade"; id: bigint; timeoutMs: number }
  /** Answer the request with this error (the session cannot become global). */
  | { kind: "refuse"; id: bigint; err: number };

/** The part of a client request the upgrade rule reads. */
export interface UpgradeQuery {
  sessionId: bigint;
  /** The request's op code. */
  type: number;
  /** The flags of its create/create2 ops in order (one for a create, any number for a multi). */
  createFlags: readonly number[];
}

/** Settings of a tracker (3.8: tickTime, myid, localSessionsEnabled, ...UpgradingEnabled). */
export interface SessionTrackerOptions {
  tickMs: number;
  serverId: number | bigint;
  /** Monotonic ms for deadlines. */
  now: number;
  /** Clock bits for the first session id (3.8 uses its elapsed-time clock; any ms clock works). */
  idClockMs?: number;
  localSessionsEnabled?: boolean;
  /** Default true, as 3.8's localSessionsUpgradingEnabled. */
  localSessionsUpgradingEnabled?: boolean;
  /** Committed global sessions (id → timeout ms), e.g. the tree's after load or sync. */
  sessions?: Iterable<readonly [bigint, number]>;
}

const EPHEMERAL_FLAGS: ReadonlySet<number> = new Set([
  CreateMode.EPHEMERAL,
  CreateMode.EPHEMERAL_SEQUENTIAL,
]);
const VALID_FLAGS: ReadonlySet<number> = new Set(Object.values(CreateMode));

/** True when a create flag asks for an ephemeral node before any unknown flag. */
function wantsEphemeral(flags: readonly number[]): boolean {
  for (const f of flags) {
    // 3.8's CreateMode.fromFlag throws on an unknown flag: no upgrade, the leader refuses it.
    if (!VALID_FLAGS.has(f)) return false;
    if (EPHEMERAL_FLAGS.has(f)) return true;
  }
  return false;
}

/** Local sessions and their upgrade to global ones; subclasses own the global sessions. */
export abstract class UpgradeableSessions {
  /** Sessions only this server knows (null when localSessionsEnabled is off). */
  protected readonly local: SessionTracker | null;
  /** Upgraded sessions whose createSession has not committed yet (id → timeout). */
  private readonly upgrading = new Map<bigint, number>();
  readonly localSessionsEnabled: boolean;
  readonly localSessionsUpgradingEnabled: boolean;

  constructor(o: SessionTrackerOptions) {
    this.localSessionsEnabled = o.localSessionsEnabled ?? false;
    this.localSessionsUpgradingEnabled = o.localSessionsUpgradingEnabled ?? true;
    if (this.localSessionsEnabled) {
      this.local = new SessionTracker(o.tickMs, o.serverId, o.idClockMs ?? o.now);
      this.local.rebase(o.now);
    } else this.local = null;
  }

  /** True for a committed (learner) or tracked (leader) global session. */
  abstract isGlobalSession(id: bigint): boolean;

  /** Starts tracking an upgraded session as global (the leader does; a learner cannot). */
  protected abstract trackUpgraded(id: bigint, timeoutMs: number, now: number): void;

  /** True while only this server knows the session (closing ones included, as in 3.8). */
  isLocalSession(id: bigint): boolean {
    return this.local?.get(id) !== undefined;
  }

  /** True between an upgrade and the commit of its createSession. */
  isUpgradingSession(id: bigint): boolean {
    return this.upgrading.has(id);
  }

  /** Local or global. */
  isTrackingSession(id: bigint): boolean {
    return this.isLocalSession(id) || this.isGlobalSession(id);
  }

  /** Number of local sessions. */
  get localCount(): number {
    return this.local?.size ?? 0;
  }

  /** A local session's state, if this server tracks it. */
  localInfo(id: bigint): SessionInfo | undefined {
    return this.local?.get(id);
  }

  /** Ids of the local sessions. */
  localSessions(): bigint[] {
    return this.local?.ids() ?? [];
  }

  /**
   * Takes a session out of the local tracker to make it global; its timeout, or -1 when it is
   * not local. The caller submits the createSession.
   */
  upgradeSession(id: bigint, now: number): number {
    const s = this.local?.get(id);
    if (!s) return -1;
    this.trackUpgraded(id, s.timeoutMs, now);
    this.upgrading.set(id, s.timeoutMs);
    this.local!.remove(id);
    return s.timeoutMs;
  }

  /**
   * 3.8's checkUpgradeSession: a create, create2 or multi of a local session that creates an
   * ephemeral node first upgrades the session (or, with upgrading off, is refused with
   * EphemeralOnLocalSession). Empty when nothing is to be done.
   */
  checkUpgrade(q: UpgradeQuery, now: number): SessionAction[] {
    if (q.type !== OpCode.create && q.type !== OpCode.create2 && q.type !== OpCode.multi) {
      return [];
    }
    if (!this.isLocalSession(q.sessionId) || !wantsEphemeral(q.createFlags)) return [];
    if (!this.localSessionsUpgradingEnabled) {
      return [{ kind: "refuse", id: q.sessionId, err: ErrorCode.EphemeralOnLocalSession }];
    }
    const timeoutMs = this.upgradeSession(q.sessionId, now);
    return [{ kind: "upgrade", id: q.sessionId, timeoutMs }];
  }

  /** A committed createSession: the session is global now, local no more. */
  protected committedGlobal(id: bigint): void {
    if (!this.localSessionsEnabled) return;
    // It may have been made local again if it moved before its upgrade committed (3.8).
    this.local!.remove(id);
    this.upgrading.delete(id);
  }

  /** Local sessions whose bucket is due (marked closing); the caller closes them locally. */
  protected pollLocal(now: number): SessionAction[] {
    if (!this.local) return [];
    return this.local.poll(now).map((id) => ({
      kind: "expire",
      id,
      timeoutMs: this.local!.get(id)!.timeoutMs,
      local: true,
    }));
  }
}
