// The server's half of the follower and observer chains: client write →
// REQUEST to the leader; the leader's COMMIT (or INFORM), applied by the
// learner link in zxid order → final. A learner prepares nothing: it forwards
// each write, sync, createSession and closeSession, keeps them in one FIFO of
// pending local requests, and when a committed txn's (sessionId, cxid) is the
// head of that FIFO, answers that client from the txn's ApplyResult (3.8's
// CommitProcessor matching against queuedWriteRequests). A txn that is not
// the head came from another server (or the leader's expiry) and is only
// applied. A sync is answered when the leader's SYNC releases the oldest
// pending sync, after every COMMIT before it. Reads wait, through final, for
// their session's earlier forwarded requests. One front per role: it is
// dropped (with its pending requests) when the role ends.
import { LearnerSessionTracker } from "../sessions/learner_tracker.ts";
import type { SessionTrackerOptions } from "../sessions/upgradeable.ts";
import type { Committed } from "./commit.ts";
import { FinalStage } from "./final.ts";

/** A request as it goes to the leader (zab's ForwardedRequest, structurally). */
export interface ForwardRequest {
  sessionId: bigint;
  cxid: number;
  type: number;
  body: Uint8Array;
  /** The connection's auth ids (ip: first-class); null for createSession (3.8 sends none). */
  authinfo: { scheme: string; id: string }[] | null;
}

/** The leader link as the front sees it (LearnerShell's forward/revalidate). */
export interface LeaderLink {
  forward(req: ForwardRequest): void;
  revalidate(sessionId: bigint, timeout: number): void;
}

interface PendingLocal {
  sessionId: bigint;
  cxid: number;
  sync: boolean;
  /** A client waits for it (not a session upgrade's createSession). */
  client: boolean;
}

const OP_SYNC = 9;
const OP_CREATE_SESSION = -10;
const OP_CLOSE_SESSION = -11;

/** Options of a learner front: its session tracker's (sessions: the tree's committed ones). */
export type LearnerFrontOptions = SessionTrackerOptions;

/** Forwarded requests waiting for their commit, the touch table, pending revalidations. */
export class LearnerFront {
  /** The per-session reply order for this role (reads wait on forwarded writes here). */
  readonly final = new FinalStage();
  readonly sessions: LearnerSessionTracker;
  /** Synced with the leader (UPTODATE): clients may be served. */
  serving = false;
  private readonly pending: PendingLocal[] = [];
  private readonly revalidating = new Map<bigint, ((valid: boolean) => void)[]>();
  /** Synthetic (negative) zxids that release syncs through final. */
  private syncSeq = 0n;

  constructor(private readonly link: LeaderLink, o: LearnerFrontOptions) {
    this.sessions = new LearnerSessionTracker(o);
  }

  /** Client requests forwarded and not yet committed (or released): stat's Outstanding. */
  get outstanding(): number {
    let n = 0;
    for (const p of this.pending) if (p.client) n++;
    return n;
  }

  /**
   * Forwards a write (or createSession/closeSession); `done` runs when its txn commits here.
   * A session upgrade's createSession has no client (`client` false).
   */
  forward(req: ForwardRequest, done: (c: Committed) => void, client = true): void {
    this.pending.push({ sessionId: req.sessionId, cxid: req.cxid, sync: false, client });
    this.final.awaitCommit(req.sessionId, null, done);
    this.link.forward(req);
  }

  /** Forwards a sync; `done` runs once the leader's SYNC releases it and the session's turn comes. */
  sync(req: ForwardRequest, done: () => void): void {
    this.pending.push({ sessionId: req.sessionId, cxid: req.cxid, sync: true, client: true });
    this.final.awaitCommit(req.sessionId, null, () => done());
    this.link.forward(req);
  }

  /** The touch table for a PING reply (swapped for an empty one). */
  takeTouches(): { sessionId: bigint; timeout: number }[] {
    return this.sessions.snapshot();
  }

  /**
   * A committed txn was applied: global session bookkeeping, then, when it is
   * the head of the pending local requests, its client's answer. Returns true
   * when the txn was a local request.
   */
  committed(c: Committed): boolean {
    const h = c.header;
    if (c.txn.type === OP_CREATE_SESSION) {
      this.sessions.commitSession(h.clientId, c.txn.record.timeOut);
    } else if (c.txn.type === OP_CLOSE_SESSION) this.sessions.removeSession(h.clientId);
    const head = this.pending[0];
    if (!head || head.sync || head.sessionId !== h.clientId || head.cxid !== h.cxid) return false;
    this.pending.shift();
    this.final.assign(h.clientId, h.zxid);
    this.final.committed(c);
    return true;
  }

  /** The leader's SYNC: releases the oldest pending sync (FIFO, 3.8's pendingSyncs). */
  syncDone(req: { sessionId: bigint; cxid: number }): boolean {
    const i = this.pending.findIndex((p) => p.sync);
    if (i < 0) return false;
    const p = this.pending[i];
    if (p.sessionId !== req.sessionId || p.cxid !== req.cxid) return false;
    this.pending.splice(i, 1);
    const zxid = --this.syncSeq;
    this.final.assign(p.sessionId, zxid);
    this.final.committed({
      header: { clientId: p.sessionId, cxid: p.cxid, zxid, time: 0, type: OP_SYNC },
      txn: { type: -1, record: { err: 0 } },
      rc: { type: OP_SYNC, zxid, err: 0, events: [] },
    });
    return true;
  }

  /** Asks the leader whether a reconnecting session is valid; `then` gets the answer. */
  revalidate(sessionId: bigint, timeoutMs: number, then: (valid: boolean) => void): void {
    const waiting = this.revalidating.get(sessionId);
    if (waiting) waiting.push(then);
    else this.revalidating.set(sessionId, [then]);
    this.link.revalidate(sessionId, timeoutMs);
  }

  /** The leader's REVALIDATE answer: every waiting reconnect of that session hears it. */
  revalidated(sessionId: bigint, valid: boolean): void {
    const waiting = this.revalidating.get(sessionId);
    if (!waiting) return;
    const then = waiting.shift()!;
    if (waiting.length === 0) this.revalidating.delete(sessionId);
    then(valid);
  }
}
