// Who a connection is: the connect handshake (new session, reconnect with id +
// password, refusals) and auth packets. The rules are admission.ts's and
// acl.ts's; this room acts on them for a live connection, answering in the
// session's order: a new session's ConnectResponse waits for its createSession
// txn to commit, and nothing overtakes a session's earlier writes.
import type { ZkConfig } from "../config/types.ts";
import { ErrorCode } from "../jute/constants.ts";
import type { Reader } from "../jute/reader.ts";
import { logger } from "../log/logger.ts";
import { authenticate } from "./acl.ts";
import { admit } from "./admission.ts";
import type { ClientCnxn } from "./cnxn.ts";
import * as codec from "./codec.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import { Err, Op } from "./prep.ts";
import { hexId, sessionPassword } from "./session_id.ts";

const log = logger("ZooKeeperServer");

/** What the handshake needs from the server. */
export interface HandshakeHost {
  readonly cfg: ZkConfig;
  readonly metrics: ServerMetrics;
  /** The connection serving each session (a reconnect takes it over). */
  readonly bySession: Map<bigint, ClientCnxn>;
  /** The superDigest of `super` (zookeeper.DigestAuthenticationProvider.superDigest). */
  readonly superDigest: string | null;
  /** The last zxid the tree reflects. */
  lastZxid(): bigint;
  now(): number;
  /** Runs `run` once the connection's session has no earlier write waiting (now if none). */
  inOrder(cnxn: ClientCnxn, run: () => void): void;
  /** Queues a frame to a live connection; false when it is gone. */
  send(cnxn: ClientCnxn, bytes: Uint8Array): boolean;
  /** Sends a reply (the caller orders it). */
  reply(
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    zxid: bigint,
    err: number,
    startMs: number,
  ): void;
  /** A new session's id; a local one needs no createSession txn (localSessionsEnabled). */
  newSession(timeout: number): { id: bigint; local: boolean };
  /**
   * Submits a global session's createSession txn; `then` runs with its header
   * time once it is committed (null: the txn failed, the session is not valid).
   */
  createSession(id: bigint, timeout: number, then: (time: number | null) => void): void;
  /** Counts a failed authentication (ServerStats' auth failures). */
  authFailed(): void;
  /**
   * A reconnect with a good password: `then` gets whether the session is
   * valid, judged here or (a learner's global session) by the leader's REVALIDATE.
   */
  reopen(id: bigint, timeout: number, then: (valid: boolean) => void): void;
}

/** The connect handshake and auth packets of one server. */
export class Handshake {
  constructor(private readonly host: HandshakeHost) {}

  /** Handles a ConnectRequest: a new session, a reconnect, or a refusal. */
  connect(cnxn: ClientCnxn, payload: Uint8Array): void {
    const h = this.host;
    let req: codec.ConnectReq;
    try {
      req = codec.readConnectRequest(payload, h.cfg.juteMaxBuffer);
    } catch (e) {
      log.warn(
        `Closing connection from ${cnxn.remote}: bad connect request: ${(e as Error).message}`,
      );
      cnxn.close();
      return;
    }
    cnxn.oldClient = req.readOnly === null;
    const a = admit(req, {
      lastZxid: h.lastZxid(),
      minSessionTimeout: h.cfg.minSessionTimeout,
      maxSessionTimeout: h.cfg.maxSessionTimeout,
    }, cnxn.remote);
    if (a.kind === "refuse") {
      log.info(a.why);
      cnxn.close();
      return;
    }
    const timeout = a.timeout;
    cnxn.timeoutMs = timeout;
    if (a.kind === "new") {
      const { id, local } = h.newSession(timeout);
      log.info(
        `Client attempting to establish new session: session = ${hexId(id)}, zxid = ` +
          `${hexId(req.lastZxidSeen)}, timeout = ${req.timeOut}, address = ${cnxn.remote}`,
      );
      cnxn.sessionId = id;
      h.bySession.set(id, cnxn);
      if (local) {
        // 3.8: a local session's createSession makes no txn; it is answered at once.
        h.inOrder(cnxn, () => this.finish(cnxn, true));
        return;
      }
      h.createSession(id, timeout, (time) => {
        if (time === null) return this.finish(cnxn, false);
        // createSession is an update in 3.8's latency stats (FinalRequestProcessor).
        const lat = h.now() - time;
        if (lat >= 0) {
          h.metrics.percentiles.updatelatency.add(lat);
          h.metrics.percentiles.propagation_latency.add(lat);
        }
        this.finish(cnxn, true);
      });
      return;
    }
    // Reconnect: the password must match and the session must still be alive.
    const id = a.sessionId;
    const other = h.bySession.get(id);
    if (other && other !== cnxn) {
      log.info(`Closing connection to ${other.remote}: client reconnected on session ${hexId(id)}`);
      other.close();
    }
    cnxn.sessionId = id;
    if (!a.passwordOk) {
      log.warn(`Incorrect password from ${cnxn.remote} for session ${hexId(id)}`);
      h.inOrder(cnxn, () => this.finish(cnxn, false));
      return;
    }
    // Its writes come from here now when valid (a leader answers others with SessionMoved).
    h.reopen(id, timeout, (valid) => {
      if (valid) h.bySession.set(id, cnxn);
      h.inOrder(cnxn, () => this.finish(cnxn, valid));
    });
  }

  /** Handles an auth packet: adds the ids it proves, or answers AuthFailed and closes. */
  auth(cnxn: ClientCnxn, xid: number, r: Reader): void {
    const h = this.host;
    let out: ReturnType<typeof authenticate> = { ok: false };
    let scheme = "?";
    try {
      const pkt = codec.readAuthPacket(r);
      scheme = pkt.scheme;
      out = authenticate(pkt.scheme, pkt.auth ?? new Uint8Array(0), cnxn.remoteIp, h.superDigest);
    } catch (e) {
      log.warn(`Bad auth packet from ${cnxn.remote}: ${(e as Error).message}`);
    }
    if (out.ok) {
      for (const id of out.ids) cnxn.addAuthId(id);
      log.info(
        `Session ${
          hexId(cnxn.sessionId)
        }: auth success for scheme ${scheme} and address ${cnxn.remote}`,
      );
      h.inOrder(cnxn, () => h.reply(cnxn, xid, Op.auth, 0n, Err.Ok, h.now()));
    } else {
      h.authFailed();
      log.warn(`Authentication failed for scheme: ${scheme}`);
      h.inOrder(cnxn, () => {
        h.reply(cnxn, xid, Op.auth, 0n, ErrorCode.AuthFailed, h.now());
        cnxn.closeAfterFlush();
      });
    }
  }

  /** Sends the ConnectResponse: the session, or zeros (and a close) when it is not valid. */
  private finish(cnxn: ClientCnxn, valid: boolean): void {
    const id = cnxn.sessionId;
    const bytes = codec.connectResponseBytes(
      valid ? cnxn.timeoutMs : 0,
      valid ? id : 0n,
      valid ? sessionPassword(id) : new Uint8Array(16),
      // zkt has no read-only mode: a client that asked for one gets a read-write session.
      cnxn.oldClient ? null : false,
    );
    if (!this.host.send(cnxn, bytes)) return;
    if (valid) {
      cnxn.markInitialized();
      log.info(
        `Established session ${
          hexId(id)
        } with negotiated timeout ${cnxn.timeoutMs} for client ${cnxn.remote}`,
      );
    } else {
      log.info(`Invalid session ${hexId(id)} for client ${cnxn.remote}, probably expired`);
      cnxn.closeAfterFlush();
    }
  }
}
