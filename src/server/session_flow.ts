// Sessions through the pipeline, whichever role the server has: the role's
// tracker (sessions/server_sessions.ts), a global session's createSession
// (a new session, or the upgrade of a local one by its first ephemeral
// create), closeSession txns and local closes, expiry, reconnects, and what a
// leader hears from learners about sessions (PING touches, REVALIDATE).
import { Reader } from "../jute/reader.ts";
import { logger } from "../log/logger.ts";
import type { ClientCnxn } from "./cnxn.ts";
import type { Committed } from "./pipeline/commit.ts";
import { Err, errorTxn, Op, prepareCloseSession, type PreparedTxn } from "./prep.ts";
import type { ServerCore } from "./server_core.ts";
import { hexId } from "./session_id.ts";
import type { SessionOwner } from "./session_tracker.ts";
import { LOCAL_OWNER } from "./sessions/leader_tracker.ts";
import {
  LeaderSessions,
  type LearnerSessions,
  type ServerSessions,
  StandaloneSessions,
} from "./sessions/server_sessions.ts";
import type { SessionTrackerOptions } from "./sessions/upgradeable.ts";
import { requestCreateFlags } from "./write_ops.ts";

const log = logger("ZooKeeperServer");

/** The session lifecycle of one server. */
export class SessionFlow {
  /** The sessions of the current role (standalone's until a role sets its own). */
  private role: ServerSessions;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly s: ServerCore, private readonly serverId: number) {
    // Sessions restored from the snapshot + log keep running with fresh deadlines.
    this.role = new StandaloneSessions(this.options());
  }

  /** The current role's tracker. */
  get sessions(): ServerSessions {
    return this.role;
  }

  /** What a role's session tracker starts from: the config, the clocks, the tree's sessions. */
  options(): SessionTrackerOptions {
    const s = this.s;
    return {
      tickMs: s.cfg.tickTime,
      serverId: this.serverId,
      // Ids take wall-clock bits (unique across restarts); deadlines a monotonic clock,
      // so a wall-clock jump does not expire every session at once.
      now: s.mono(),
      idClockMs: s.now(),
      localSessionsEnabled: s.cfg.localSessionsEnabled,
      localSessionsUpgradingEnabled: s.cfg.localSessionsUpgradingEnabled,
      sessions: s.db.tree.sessions,
    };
  }

  /** A new leader's tracker (3.8's LeaderSessionTracker): the tree's sessions afresh. */
  lead(): void {
    this.role = new LeaderSessions(this.options());
  }

  /** A learner's tracker is its front's (3.8's LearnerSessionTracker). */
  learn(sessions: LearnerSessions): void {
    this.role = sessions;
  }

  private get leader(): LeaderSessions {
    if (!(this.role instanceof LeaderSessions)) throw new Error("not leading");
    return this.role;
  }

  // ------------------------------------------------------------ client port

  /** A new session for a connect here; a local one needs no createSession txn. */
  newSession(timeout: number): { id: bigint; local: boolean } {
    return this.role.create(timeout, this.s.mono());
  }

  /** A reconnect with a good password: judged here, or by the leader's REVALIDATE. */
  reopen(id: bigint, timeout: number, then: (valid: boolean) => void): void {
    const r = this.role.reopen(id, timeout, this.s.mono());
    if (r !== "revalidate") return then(r);
    this.s.learner!.revalidate(id, timeout, then);
  }

  /** A client packet touched its session; false: drop the request (3.8's MissingSessionException). */
  touch(cnxn: ClientCnxn): boolean {
    return this.role.touch(cnxn.sessionId, cnxn.timeoutMs, this.s.mono());
  }

  /** The txn a createSession prepares to (an error txn when the session is closing). */
  prepCreate(id: bigint, timeOut: number, owner: SessionOwner): PreparedTxn {
    const err = this.role.prepCreate(id, timeOut, owner, this.s.mono());
    if (err !== Err.Ok) return errorTxn(err);
    return { type: Op.createSession, record: { timeOut } };
  }

  /** A global session's createSession (a new session, or an upgrade): `done` runs at its commit. */
  createGlobal(
    id: bigint,
    timeout: number,
    done: (c: Committed) => void,
    /** False for an upgrade: no client waits for it. */
    client = true,
  ): void {
    const s = this.s;
    s.requestQueued();
    if (s.learner) {
      const body = new Uint8Array(4);
      new DataView(body.buffer).setInt32(0, timeout);
      const req = { sessionId: id, cxid: 0, type: Op.createSession, body, authinfo: null };
      s.learner.forward(req, done, client);
      return;
    }
    const t = s.submit(id, 0, this.prepCreate(id, timeout, LOCAL_OWNER));
    s.chain.final.awaitCommit(id, t.header.zxid, done);
  }

  /**
   * 3.8's checkUpgradeSession, before a create, create2 or multi of a local session
   * goes on: an ephemeral create upgrades the session first (its createSession is
   * submitted now, ahead of the request), or is refused. Returns the refusal or Ok.
   */
  upgradeIfNeeded(id: bigint, type: number, body: Uint8Array): number {
    const role = this.role;
    if (!role.isLocal(id) || (type !== Op.create && type !== Op.create2 && type !== Op.multi)) {
      return Err.Ok;
    }
    let createFlags: number[];
    try {
      createFlags = requestCreateFlags(type, new Reader(body, this.s.cfg.juteMaxBuffer));
    } catch {
      return Err.Ok; // prep (or the leader) answers the malformed request
    }
    for (const a of role.checkUpgrade({ sessionId: id, type, createFlags }, this.s.mono())) {
      if (a.kind === "refuse") return a.err;
      if (a.kind !== "upgrade") continue;
      log.info(`Upgrading session ${hexId(id)}`);
      this.createGlobal(id, a.timeoutMs, () => {}, false);
    }
    return Err.Ok;
  }

  /** A client's closeSession, or an expiry: local sessions close here, global ones by a txn. */
  close(id: bigint, cnxn: ClientCnxn | null, xid: number, startMs: number): void {
    if (this.role.isLocal(id)) this.closeLocal(id, cnxn, xid, startMs);
    else this.closeGlobal(id, cnxn, xid, startMs);
  }

  /** Closes a local session: no txn, as 3.8. */
  private closeLocal(id: bigint, cnxn: ClientCnxn | null, xid: number, startMs: number): void {
    const s = this.s;
    log.info(`Submitting local closeSession request for session ${hexId(id)}`);
    this.role.remove(id);
    const live = cnxn ?? s.bySession.get(id) ?? null;
    s.bySession.delete(id);
    if (!cnxn) return void live?.closeAfterFlush();
    s.answer(cnxn, () => {
      s.replies.reply(cnxn, xid, Op.closeSession, s.lastZxid, 0, null, startMs);
      cnxn.closeAfterFlush();
    });
  }

  /** Closes a global session (client request, expiry): one txn, then the connection goes. */
  private closeGlobal(id: bigint, cnxn: ClientCnxn | null, xid: number, startMs: number): void {
    const s = this.s;
    if (this.role.readState(id) === Err.UnknownSession) {
      if (cnxn) {
        s.answer(cnxn, () => {
          s.replies.reply(cnxn, xid, Op.closeSession, s.lastZxid, 0, null, startMs);
          cnxn.closeAfterFlush();
        });
      }
      return;
    }
    this.role.setClosing(id);
    const p0 = performance.now();
    const t = prepareCloseSession(s.chain.overlay, id);
    s.metrics.percentiles.close_session_prep_time.add(Math.round(performance.now() - p0));
    const { header } = s.submit(id, cnxn ? xid : 0, t, cnxn ? startMs : undefined);
    const live = cnxn ?? s.bySession.get(id) ?? null;
    s.bySession.delete(id);
    // The connection goes once the txn is applied (3.8's FinalRequestProcessor).
    s.chain.final.awaitCommit(id, header.zxid, () => {
      if (cnxn) {
        s.replies.reply(cnxn, xid, Op.closeSession, header.zxid, 0, null, startMs, header.time);
      }
      live?.closeAfterFlush();
    });
    log.info(`Closed session ${hexId(id)}`);
  }

  /** A createSession or closeSession was applied (the leader's and standalone's commit). */
  committed(c: Committed): void {
    const t = c.txn;
    this.role.committed(
      t.type,
      c.header.clientId,
      t.type === Op.createSession ? t.record.timeOut : 0,
    );
  }

  // ----------------------------------------------------------------- expiry

  /** Starts the expiry timer: each due bucket's sessions are closed (locally or by a txn). */
  startExpiry(): void {
    if (this.stopped) return;
    // A learner's tracker has no global deadlines (only the leader expires those).
    const wait = Math.min(Math.max(1, this.role.waitTime(this.s.mono())), this.s.cfg.tickTime);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      if (this.stopped) return;
      if (this.s.serving()) this.expireDue();
      this.startExpiry();
    }, wait);
  }

  private expireDue(): void {
    const s = this.s;
    for (const a of this.role.poll(s.mono())) {
      if (a.kind !== "expire") continue;
      log.info(`Expiring session ${hexId(a.id)}, timeout of ${a.timeoutMs}ms exceeded`);
      s.metrics.counters.stale_sessions_expired++;
      s.requestQueued();
      if (a.local) this.closeLocal(a.id, null, 0, s.now());
      else this.closeGlobal(a.id, null, 0, s.now());
    }
  }

  /** Stops the expiry timer. */
  stop(): void {
    this.stopped = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
  }

  // ------------------------------------------------ leader: what learners say

  /** A learner's PING table: each session it saw activity on is touched. */
  touchAll(touches: Iterable<{ sessionId: bigint; timeout: number }>): void {
    this.leader.tracker.touchAll(touches, this.s.mono());
  }

  /** A learner's REVALIDATE (3.8's checkIfValidGlobalSession): a live global session moves to it. */
  revalidate(owner: bigint, id: bigint, timeout: number): boolean {
    return this.leader.tracker.revalidate(id, timeout, owner, this.s.mono());
  }
}
