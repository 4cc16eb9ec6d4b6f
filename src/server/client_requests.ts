// A client's requests once its session exists: writes are prepared against
// the committed tree plus the outstanding overlay and answered at their
// commit; reads are answered from the committed tree in the session's order;
// on a learner, writes, syncs and closes go to the leader instead (answered
// when their txn commits here). And the leader's side: a request a learner
// forwarded becomes exactly one txn, owned by that learner.
import type { AuthId } from "./acl.ts";
import type { ClientCnxn } from "./cnxn.ts";
import type * as codec from "./codec.ts";
import { DecodeError } from "../jute/errors.ts";
import { Reader } from "../jute/reader.ts";
import { logger } from "../log/logger.ts";
import { OP_NAMES, READ_OPS, WRITE_OPS } from "./op_classes.ts";
import type { LearnerFront } from "./pipeline/learner.ts";
import {
  Err,
  errorTxn,
  Op,
  prepareCloseSession,
  type PreparedTxn,
  type PrepContext,
} from "./prep.ts";
import { readOp } from "./read_ops.ts";
import type { Committed } from "./pipeline/commit.ts";
import { txnFires } from "./txn_events.ts";
import type { ServerCore } from "./server_core.ts";
import type { SessionFlow } from "./session_flow.ts";
import { hexId } from "./session_id.ts";
import type { SessionOwner } from "./session_tracker.ts";
import { LOCAL_OWNER } from "./sessions/leader_tracker.ts";
import { answeredWithoutTxn, prepareRequest, writeReply } from "./write_ops.ts";

const log = logger("ZooKeeperServer");

/** A client request a learner forwarded to this leader (zab's REQUEST, decoded). */
export interface ForwardedWrite {
  sessionId: bigint;
  cxid: number;
  type: number;
  /** The request record after the RequestHeader. */
  body: Uint8Array;
  /** The client connection's auth ids (with its ip: id). */
  authInfo: AuthId[];
}

/** Writes, reads and forwards of one server's clients; learners' requests on a leader. */
export class ClientRequests {
  constructor(
    private readonly s: ServerCore,
    private readonly sessions: SessionFlow,
    /** An auth packet (the handshake's). */
    private readonly auth: (cnxn: ClientCnxn, xid: number, r: Reader) => void,
  ) {}

  /** A request of a connected client (after the server's serving check): dispatched by type. */
  packet(cnxn: ClientCnxn, payload: Uint8Array, startMs: number): void {
    const s = this.s;
    const r = new Reader(payload, s.cfg.juteMaxBuffer);
    let xid: number;
    let type: number;
    try {
      xid = r.int();
      type = r.int();
    } catch {
      log.warn(`Closing connection from ${cnxn.remote}: truncated request header`);
      cnxn.close();
      return;
    }
    cnxn.outstanding++;
    if (type === Op.auth) {
      this.auth(cnxn, xid, r);
      return;
    }
    if (!cnxn.initialized) {
      // A request before the session exists; 3.8 would not read it yet.
      cnxn.requestDone();
      return;
    }
    if (!this.sessions.touch(cnxn)) {
      // 3.8's MissingSessionException: a learner drops a request of a session it does not know.
      log.debug(`Dropping request of unknown session ${hexId(cnxn.sessionId)}`);
      cnxn.requestDone();
      return;
    }
    s.requestQueued();
    if (type === Op.sasl) {
      s.answer(cnxn, () => {
        s.replies.reply(cnxn, xid, type, s.lastZxid, Err.Unimplemented, null, startMs);
      });
      return;
    }
    const learner = s.learner;
    // A local session closes here (3.8 forwards no local closeSession).
    if (type === Op.closeSession && (!learner || this.sessions.sessions.isLocal(cnxn.sessionId))) {
      this.sessions.close(cnxn.sessionId, cnxn, xid, startMs);
      return;
    }
    if (learner && (type === Op.closeSession || type === Op.sync || WRITE_OPS.has(type))) {
      this.forward(learner, cnxn, xid, type, payload, startMs);
      return;
    }
    if (WRITE_OPS.has(type)) {
      this.write(cnxn, xid, type, r, payload, startMs);
      return;
    }
    if (READ_OPS.has(type)) {
      this.read(cnxn, xid, type, r, startMs);
      return;
    }
    log.warn(`Received packet at server of unknown type ${type}`);
    // UnimplementedRequestProcessor: reply, then close the connection.
    s.answer(cnxn, () => {
      s.replies.reply(cnxn, xid, type, s.lastZxid, Err.Unimplemented, null, startMs);
      cnxn.closeAfterFlush();
    });
  }

  /**
   * What prep checks a request against. With an owner (a write), the session
   * check is 3.8's checkSession: another server's session is SessionMoved.
   */
  ctx(
    sessionId: bigint,
    authInfo: AuthId[],
    owner?: SessionOwner,
    /** The error an ephemeral create gets instead (the upgrade was refused). */
    refused: number = Err.Ok,
  ): PrepContext {
    const role = this.sessions.sessions;
    return {
      sessionId,
      authInfo,
      sessionState: owner === undefined
        ? role.readState(sessionId)
        : role.check(sessionId, owner, false),
      // 3.8's checkGlobalSession for ephemeral creates: a local session must be upgraded first.
      globalSessionState: owner === undefined || !role.localSessionsEnabled
        ? undefined
        : refused !== Err.Ok
        ? refused
        : role.check(sessionId, owner, true),
      // The tree was built with zookeeper.extendedTypesEnabled: one place to read it.
      extendedTypes: this.s.db.tree.extendedTypes,
    };
  }

  /** A write of a client here: prepared, submitted, answered at its commit. */
  write(
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    r: Reader,
    payload: Uint8Array,
    startMs: number,
  ): void {
    const s = this.s;
    const sid = cnxn.sessionId;
    const refused = this.sessions.upgradeIfNeeded(sid, type, payload.subarray(8));
    let t: PreparedTxn;
    try {
      t = prepareRequest(
        s.chain.overlay,
        type,
        r,
        this.ctx(sid, cnxn.authInfo, LOCAL_OWNER, refused),
        s.cfg.reconfigEnabled,
      );
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      log.warn(`Failed to decode ${OP_NAMES[type] ?? type} from ${cnxn.remote}: ${e.message}`);
      t = errorTxn(Err.MarshallingError);
    }
    if (answeredWithoutTxn(type, t)) {
      s.answer(cnxn, () => s.replies.reply(cnxn, xid, type, s.lastZxid, 0, null, startMs));
      return;
    }
    const { header } = s.submit(sid, xid, t, startMs);
    s.chain.final.awaitCommit(sid, header.zxid, (c) => {
      const { err, body } = writeReply(s.db.tree, type, c.txn, c.rc);
      s.replies.reply(cnxn, xid, type, header.zxid, err, body, startMs, header.time);
    });
  }

  /** A read (or ping), answered in the session's order. */
  read(cnxn: ClientCnxn, xid: number, type: number, r: Reader, startMs: number): void {
    this.s.answer(cnxn, () => this.answerRead(cnxn, xid, type, r, startMs));
  }

  /** Answers a read from the committed tree; its watches are set now. */
  private answerRead(
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    r: Reader,
    startMs: number,
  ): void {
    const s = this.s;
    const zxid = s.lastZxid;
    if (type === Op.ping) {
      s.replies.reply(cnxn, -2, type, zxid, 0, null, startMs);
      return;
    }
    // 3.8's prep checks a read's session as a write's (checkSession): an unowned
    // session becomes this server's, another server's is SessionMoved (a stale
    // connection after the client moved to a learner). A learner runs no prep.
    const state = this.sessions.sessions.check(cnxn.sessionId, LOCAL_OWNER, false);
    if (state !== Err.Ok) {
      s.replies.reply(cnxn, xid, type, zxid, state, null, startMs);
      return;
    }
    let err = 0;
    let body: codec.Body | null = null;
    try {
      const res = readOp(s.reads, cnxn, type, r);
      err = res.err;
      body = res.body;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      log.warn(`Failed to decode ${OP_NAMES[type] ?? type} from ${cnxn.remote}: ${e.message}`);
      err = Err.MarshallingError;
    }
    s.replies.reply(cnxn, xid, type, zxid, err, body, startMs);
  }

  /** A learner forwards a client write, sync or close to the leader; the answer comes at its commit. */
  forward(
    learner: LearnerFront,
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    payload: Uint8Array,
    startMs: number,
  ): void {
    const s = this.s;
    const sid = cnxn.sessionId;
    const req = {
      sessionId: sid,
      cxid: xid,
      type,
      body: payload.subarray(8),
      authinfo: cnxn.authInfo,
    };
    // 3.8's follower answers with the refusal whatever the leader's txn says.
    const refused = this.sessions.upgradeIfNeeded(sid, type, req.body);
    if (type === Op.sync) {
      learner.sync(req, () => this.answerRead(cnxn, xid, type, new Reader(req.body), startMs));
      return;
    }
    learner.forward(req, (c) => {
      const { err, body } = refused !== Err.Ok
        ? { err: refused, body: null }
        : writeReply(s.db.tree, type, c.txn, c.rc);
      s.replies.reply(cnxn, xid, type, c.header.zxid, err, body, startMs, c.header.time);
      if (type === Op.closeSession) cnxn.closeAfterFlush();
    });
  }

  /**
   * A learner applied a committed txn: its watches fire here, the session it
   * closes loses its connection here, and a request of ours is answered.
   */
  learnerCommitted(c: Committed): void {
    const s = this.s;
    s.replies.deliver(txnFires(s.reads, c.rc.events));
    const id = c.header.clientId;
    // The front keeps the learner's session tracker (global sessions as committed).
    const local = s.learner?.committed(c) ?? false;
    if (c.txn.type === Op.closeSession) {
      s.order.sessionClosed(id);
      const live = s.bySession.get(id);
      s.bySession.delete(id);
      if (!local) live?.closeAfterFlush();
    }
  }

  /**
   * A request a learner forwarded: every one becomes exactly one txn with its
   * session and cxid (an error txn when prep refuses it), owned by `owner`.
   * No reply leaves here: the learner answers its client when the txn commits.
   */
  forwarded(owner: bigint, r: ForwardedWrite): void {
    const s = this.s;
    s.requestQueued();
    const id = r.sessionId;
    if (r.type === Op.createSession) {
      // The learner chose the id (a new session or an upgrade); the body is the timeout alone.
      const timeOut = r.body.length >= 4
        ? new DataView(r.body.buffer, r.body.byteOffset, 4).getInt32(0)
        : s.cfg.tickTime * 2;
      s.submit(id, r.cxid, this.sessions.prepCreate(id, timeOut, owner));
      return;
    }
    if (r.type === Op.closeSession) {
      this.sessions.sessions.setClosing(id);
      s.submit(id, r.cxid, prepareCloseSession(s.chain.overlay, id));
      log.info(`Closed session ${hexId(id)} (from sid ${owner})`);
      return;
    }
    let t: PreparedTxn;
    try {
      t = prepareRequest(
        s.chain.overlay,
        r.type,
        new Reader(r.body, s.cfg.juteMaxBuffer),
        this.ctx(id, r.authInfo, owner),
        s.cfg.reconfigEnabled,
      );
    } catch (e) {
      log.warn(
        `Failed to prepare ${OP_NAMES[r.type] ?? r.type} forwarded by sid ${owner}: ${
          (e as Error).message
        }`,
      );
      t = errorTxn(Err.MarshallingError);
    }
    s.submit(id, r.cxid, t);
  }
}
