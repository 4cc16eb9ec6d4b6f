// The client-port server: connections → the standalone chain
// (pipeline/standalone.ts: prep → sync → commit → final). A write is prepared
// (prep.ts) against the committed tree plus the outstanding changes, given the
// next zxid, logged with the open group-commit batch, and applied through the
// one applyTxn only once that batch is durable; then its watches fire and its
// reply goes. A read waits only for its own session's earlier writes and is
// answered from the committed tree, so a session sees replies in xid order and
// no client ever sees a txn that is not yet durable.
import { logger } from "../log/logger.ts";
import { ExitCode, fatal } from "../log/fatal.ts";
import { VERSION } from "../version.ts";
import type { ZkConfig } from "../config/types.ts";
import { Reader } from "../jute/reader.ts";
import { DecodeError } from "../jute/errors.ts";
import { serveTcp, type TcpServer } from "../net/listener.ts";
import type { AuthId } from "./acl.ts";
import { ClientCnxn, type CnxnHandler } from "./cnxn.ts";
import * as codec from "./codec.ts";
import {
  fourLetterReply,
  type FourLetterView,
  MinAvgMax,
  notWhitelisted,
  wordEnabled,
} from "./four_letter.ts";
import { reapCandidates } from "./container_reaper.ts";
import { meteredCommit } from "./commit_metrics.ts";
import { type Chain, standaloneChain } from "./pipeline/standalone.ts";
import type { ChainTxn, Committed } from "./pipeline/commit.ts";
import type { FinalStage } from "./pipeline/final.ts";
import type { LearnerFront } from "./pipeline/learner.ts";
import { txnFires } from "./txn_events.ts";
import { JavaSetOrder } from "./java_set_order.ts";
import { OP_NAMES, READ_OPS, WRITE_OPS } from "./op_classes.ts";
import { type ReadContext, readOp } from "./read_ops.ts";
import { FsFacts } from "./metrics/fs_facts.ts";
import { buildFourLetterView } from "./server_view.ts";
import {
  Err,
  errorTxn,
  Op,
  prepareCloseSession,
  type PreparedTxn,
  prepareWrite,
  type PrepContext,
} from "./prep.ts";
import { answeredWithoutTxn, prepareRequest, requestCreateFlags, writeReply } from "./write_ops.ts";
import { hexId } from "./session_id.ts";
import { Handshake } from "./handshake.ts";
import type { SessionOwner } from "./session_tracker.ts";
import { LOCAL_OWNER } from "./sessions/leader_tracker.ts";
import {
  LeaderSessions,
  LearnerSessions,
  type ServerSessions,
  StandaloneSessions,
} from "./sessions/server_sessions.ts";
import type { SessionTrackerOptions } from "./sessions/upgradeable.ts";

export { LOCAL_OWNER };

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
import { WatchManager } from "../data/watch_manager.ts";
import type { ServerDatabase } from "./database.ts";
import { ServerMetrics, summaryLines } from "./metrics/server_metrics.ts";

import type { ServerMode, ZkServerOptions } from "./server_options.ts";
import type { DataTree } from "../data/tree.ts";

/** What the server gives the chain of its role. */
export interface ServerChainWiring {
  tree: DataTree;
  /** A session's committed ephemerals in 3.8's order. */
  ephemerals(sessionId: bigint): string[];
  now(): number;
  /** A txn was applied: fire its watches (before any reply). */
  fire(c: Committed): void;
  /** A txn was applied and answered: close, snapshot count. */
  after(c: Committed): void;
  mismatch(zxid: bigint, logged: bigint, tree: bigint): void;
  /** The log could not be written: nothing may be answered any more. */
  fatal(e: Error): void;
}

const log = logger("ZooKeeperServer");

/** The client-port ZooKeeper server. */
export class ZkServer implements CnxnHandler {
  readonly cfg: ZkConfig;
  readonly db: ServerDatabase;
  private readonly zxidSource: (() => bigint) | undefined;
  /** The sessions of the current role (standalone's until a role sets its own). */
  private roleSessions: ServerSessions;
  private readonly serverId: number;
  readonly watches = new WatchManager<ClientCnxn>();
  readonly cnxns = new Set<ClientCnxn>();
  private readonly bySession = new Map<bigint, ClientCnxn>();
  /** prep → sync → commit → final (standalone); a quorum peer sets its role's chain. */
  private chain: Chain;
  private readonly modeOf: () => ServerMode;
  private readonly clientRequests: () => boolean;
  private readonly now: () => number;
  private readonly mono: () => number;
  private readonly superDigest: string | null;
  private readonly sessionlessMs: number;
  private readonly containerCheckMs: number;
  readonly version: string;
  private readonly extra4lw: ZkServerOptions["extraFourLetter"];
  private hzxid: bigint;
  private listener: TcpServer | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private containerTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  /** A txn log write failed: nothing is answered any more. */
  private failed = false;
  private readonly startedMs: number;
  // ServerStats
  readonly latency = new MinAvgMax();
  /** 3.8's ServerMetrics: the one source of mntr, AdminServer monitor and /metrics. */
  readonly metrics = new ServerMetrics();
  /** Txns per group commit (3.8's sync_processor_batch_size). */
  readonly batchSize = this.metrics.summaries.sync_processor_batch_size;
  /** Milliseconds per log write + fsync (3.8's fsynctime). */
  readonly fsyncTime = this.metrics.summaries.fsynctime;
  packetsReceived = 0;
  packetsSent = 0;
  authFailed = 0;
  /** ZooTrace's text trace mask (gtmk/stmk); 3.8's default is 306. */
  private traceMask = 306n;
  private txnsSinceSnap = 0;
  private snapThreshold: number;
  /** The Java HashSet orders children and ephemerals are listed in. */
  private readonly order: JavaSetOrder;
  /** What read ops see of this server. */
  private readonly reads: ReadContext;
  /** The connect handshake and auth packets. */
  private readonly handshake: Handshake;
  /** Dir sizes and descriptor counts for mntr/dirs, sampled off the request path. */
  private readonly fsFacts: FsFacts;
  /** A follower's or observer's chain (pipeline/learner.ts) while it has that role. */
  private learner: LearnerFront | null = null;

  constructor(opts: ZkServerOptions) {
    this.cfg = opts.config;
    this.db = opts.db;
    this.fsFacts = new FsFacts(this.db.snapDir, this.db.logDir);
    this.order = new JavaSetOrder();
    const db = this.db;
    this.reads = {
      // A learner's tree is a new object after a SNAP, TRUNC or reload.
      get tree() {
        return db.tree;
      },
      watches: this.watches,
      metrics: this.metrics,
      order: this.order,
      deliver: (fires) => this.deliver(fires),
    };
    this.modeOf = opts.mode ?? (() => "standalone");
    this.clientRequests = opts.clientRequests ?? (() => true);
    this.now = opts.now ?? Date.now;
    this.mono = opts.monotonic ?? (() => performance.timeOrigin + performance.now());
    this.superDigest = opts.superDigest ?? null;
    this.sessionlessMs = opts.sessionlessTimeoutMs ?? 10_000;
    this.containerCheckMs = opts.containerCheckMs ?? 60_000;
    this.version = opts.version ?? `3.8.0-zkt-${VERSION}, built on 1970-01-01 00:00 UTC`;
    this.extra4lw = opts.extraFourLetter;
    this.zxidSource = opts.nextZxid;
    this.startedMs = this.now();
    // Session ids take wall-clock bits (unique across restarts); deadlines use a
    // monotonic clock so a wall-clock jump does not expire every session at once.
    this.serverId = opts.serverId ?? 1;
    // Sessions restored from the snapshot + log keep running with fresh deadlines.
    this.roleSessions = new StandaloneSessions(this.sessionOptions());
    this.hzxid = this.db.tree.lastProcessedZxid;
    if (this.db.snapshotTimes) this.metrics.summaries.snapshottime = this.db.snapshotTimes;
    if (this.db.startup) {
      this.metrics.summaries.dbinittime.add(this.db.startup.initMs);
      this.metrics.counters.digest_mismatches_count = this.db.startup.digestMismatches;
      // Like 3.8, only a restore that replayed a log records its txn count.
      if (this.db.startup.txnsLoaded > 0) {
        this.metrics.summaries.startup_txns_loaded.add(this.db.startup.txnsLoaded);
      }
    }
    this.chain = standaloneChain({
      ...this.chainWiring(),
      sink: meteredCommit(this.db, this.metrics, () => this.now()),
      nextZxid: () => this.zxidSource ? this.zxidSource() : ++this.hzxid,
    });
    this.snapThreshold = this.nextSnapThreshold();
    this.handshake = new Handshake({
      cfg: this.cfg,
      metrics: this.metrics,
      bySession: this.bySession,
      superDigest: this.superDigest,
      lastZxid: () => this.lastZxid,
      now: () => this.now(),
      inOrder: (cnxn, run) => this.final.answer(cnxn.sessionId, run),
      send: (cnxn, bytes) => this.send(cnxn, bytes),
      reply: (cnxn, xid, type, zxid, err, startMs) =>
        this.reply(cnxn, xid, type, zxid, err, null, startMs),
      newSession: (timeout) => this.roleSessions.create(timeout, this.mono()),
      createSession: (id, timeout, then) => {
        this.requestQueued();
        this.createGlobalSession(id, timeout, LOCAL_OWNER, (c) => {
          then(c.txn.type === Op.error ? null : c.header.time);
        });
      },
      authFailed: () => void this.authFailed++,
      reopen: (id, timeout, then) => {
        const r = this.roleSessions.reopen(id, timeout, this.mono());
        if (r !== "revalidate") return then(r);
        this.learner!.revalidate(id, timeout, then);
      },
    });
  }

  /** What every chain gets from the server: the tree, and what follows each commit. */
  private chainWiring(): ServerChainWiring {
    return {
      tree: this.db.tree,
      ephemerals: (id) => this.order.ephemeralsOf(this.db.tree, id),
      now: () => this.now(),
      fire: (c) => this.deliver(txnFires(this.reads, c.rc.events)),
      after: (c) => this.afterCommit(c),
      mismatch: (zxid, logged, tree) => {
        this.metrics.counters.digest_mismatches_count++;
        log.error(
          `Digest mismatch at zxid 0x${zxid.toString(16)}: logged ${logged}, tree ${tree}`,
        );
      },
      fatal: (e) => this.fail(e),
    };
  }

  /**
   * A quorum peer's role brings its own chain (leader: prep → propose → Zab
   * log → commit on quorum → final); it is built on the server's tree as it is
   * now. Requests of the last role still waiting are its business (their
   * clients are closed when a role ends).
   */
  setChain(make: (w: ServerChainWiring) => Chain): Chain {
    this.chain = make(this.chainWiring());
    return this.chain;
  }

  /** The current chain (its overlay is dropped when a role ends). */
  get currentChain(): Chain {
    return this.chain;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Listens on the configured client port; returns the bound address. */
  start(hostname?: string, port?: number): Deno.NetAddr {
    const host = hostname ?? this.cfg.clientPortAddress ?? "0.0.0.0";
    const p = port ?? this.cfg.clientPort ?? 2181;
    this.listener = serveTcp(
      { hostname: host, port: p, name: "client port" },
      (conn) => this.accept(conn),
    );
    this.scheduleExpiry();
    void this.fsFacts.refresh();
    if (this.containerCheckMs > 0) {
      this.containerTimer = setInterval(() => {
        // A failed log write is reported (and fatal) where it happens.
        this.checkContainers().catch(() => {});
      }, this.containerCheckMs);
    }
    log.info(`binding to port ${host}:${this.listener.addr.port}`);
    return this.listener.addr;
  }

  /** Stops accepting, makes the log durable, closes every client. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.listener?.close();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.containerTimer) clearInterval(this.containerTimer);
    try {
      await this.chain.sync.drain();
    } catch { /* already reported as fatal */ }
    for (const c of [...this.cnxns]) {
      try {
        await c.framed.flush();
      } catch { /* closing anyway */ }
      c.close();
    }
    await this.listener?.done;
    await this.fsFacts.settled();
    if (!this.failed) return await this.db.close();
    // The log failed already; closing it may fail again, but the file is released.
    await this.db.close().catch(() => {});
  }

  /**
   * A batch could not be made durable: its txns were never applied, but later
   * txns were prepared on them and their writers wait. Nothing may be answered
   * any more, so the server stops serving and the process ends non-zero (3.8's
   * SyncThread dies with UNEXPECTED_ERROR).
   */
  private fail(e: Error): void {
    this.metrics.counters.unrecoverable_error_count++;
    this.failed = true;
    for (const c of [...this.cnxns]) c.close();
    this.listener?.close();
    fatal(
      log,
      `Severe unrecoverable error, exiting: txn log write failed: ${e.message}`,
      ExitCode.UNEXPECTED_ERROR,
    );
  }

  get mode(): ServerMode {
    return this.modeOf();
  }

  /**
   * True while client requests are served: not LOOKING, not stopped, and
   * (an ensemble peer) its role serves clients. 4lw and the AdminServer
   * answer "not currently serving" otherwise.
   */
  serving(): boolean {
    return !this.stopped && !this.failed && this.modeOf() !== "looking" &&
      this.clientRequests();
  }

  /** The last zxid the tree reflects. */
  get lastZxid(): bigint {
    return this.db.tree.lastProcessedZxid;
  }

  private async accept(conn: Deno.Conn): Promise<void> {
    const ip = (conn.remoteAddr as Deno.NetAddr).hostname;
    const max = this.cfg.maxClientCnxns;
    if (max > 0) {
      let n = 0;
      for (const c of this.cnxns) if (c.remoteIp === ip) n++;
      if (n >= max) {
        log.warn(`Too many connections from /${ip} - max is ${max}`);
        this.metrics.counters.connection_rejected++;
        conn.close();
        return;
      }
    }
    if (ip.startsWith("127.") || ip === "::1") this.metrics.nonMtlsLocal++;
    else this.metrics.nonMtlsRemote++;
    const c = new ClientCnxn(conn, this.cfg.juteMaxBuffer);
    this.cnxns.add(c);
    await c.run(this, this.sessionlessMs);
  }

  closed(cnxn: ClientCnxn): void {
    this.cnxns.delete(cnxn);
    if (cnxn.sessionId !== 0n && this.bySession.get(cnxn.sessionId) === cnxn) {
      this.bySession.delete(cnxn.sessionId);
    }
    this.watches.removeWatcher(cnxn);
  }

  /**
   * A request entered the pipeline. 3.8 standalone passes every request
   * (reads too) from PrepRequestProcessor to SyncRequestProcessor, so both
   * counters move together; zkt's one pipeline is both stages.
   */
  private requestQueued(): void {
    this.metrics.counters.prep_processor_request_queued++;
    this.metrics.counters.sync_processor_request_queued++;
  }

  sessionlessExpired(): void {
    this.metrics.counters.sessionless_connections_expired++;
  }

  closedNotServing(): void {
    this.metrics.counters.cnxn_closed_without_zk_server_running++;
  }

  // ------------------------------------------------------------------ output

  /** Queues a frame to a live connection; false when it is gone. */
  private send(cnxn: ClientCnxn, bytes: Uint8Array): boolean {
    if (!this.cnxns.has(cnxn)) return false;
    cnxn.send(bytes);
    this.packetsSent++;
    return true;
  }

  /** Sends a reply now (the caller answers in the session's order, from committed state). */
  private reply(
    cnxn: ClientCnxn | null,
    xid: number,
    type: number,
    zxid: bigint,
    err: number,
    body: codec.Body | null,
    startMs: number,
    /** The txn's header time when the request made one (an update), else 0 (a read). */
    txnTime = 0,
  ): void {
    if (!cnxn) return;
    // An error reply carries a body only where 3.8 sends one (multiRead's partial response).
    const bytes = codec.replyBytes(xid, zxid, err, body);
    cnxn.requestDone();
    const now = this.now();
    cnxn.finished(OP_NAMES[type] ?? "NA", xid, zxid, startMs, now);
    const lat = now - startMs;
    if (type !== Op.ping) this.latency.add(lat);
    if (type !== Op.auth && lat >= 0) {
      // ServerStats.updateLatency: requests with a txn header are updates.
      const pct = this.metrics.percentiles;
      if (txnTime > 0) {
        pct.updatelatency.add(lat);
        if (now >= txnTime) pct.propagation_latency.add(now - txnTime);
      } else {
        pct.readlatency.add(lat);
      }
    }
    if (this.send(cnxn, bytes) && type !== Op.auth) this.metrics.responseSent(bytes.length);
  }

  private deliver(fires: { watcher: ClientCnxn; type: number; path: string }[]): void {
    for (const f of fires) {
      const bytes = codec.notificationBytes(f.type, 3, f.path);
      if (this.send(f.watcher, bytes)) this.metrics.counters.watch_bytes += bytes.length;
    }
  }

  // --------------------------------------------------------------- handshake

  fourLetterEnabled(word: string): boolean {
    return wordEnabled(word, this.cfg.fourLetterWordWhitelist);
  }

  fourLetter(word: string, cnxn: ClientCnxn, arg?: bigint): string {
    this.packetsReceived++;
    if (!wordEnabled(word, this.cfg.fourLetterWordWhitelist)) return notWhitelisted(word);
    if (word === "stmk" && arg !== undefined) this.traceMask = arg;
    log.info(`Processing ${word} command from ${cnxn.remote}`);
    return fourLetterReply(word, this.fourLetterView());
  }

  connect(cnxn: ClientCnxn, payload: Uint8Array): void {
    this.packetsReceived++;
    this.metrics.counters.bytes_received_count += payload.length + 4;
    this.metrics.counters.connection_request_count++;
    this.handshake.connect(cnxn, payload);
  }

  // ----------------------------------------------------------------- learner

  /** A follower's or observer's chain takes over writes, syncs and reconnects (null: none). */
  setLearner(front: LearnerFront | null): void {
    this.learner = front;
    if (front) this.roleSessions = new LearnerSessions(front.sessions);
  }

  /** The per-session reply order of the chain in use. */
  private get final(): FinalStage {
    return this.learner?.final ?? this.chain.final;
  }

  /**
   * A learner applied a committed txn: its watches fire here, the session it
   * closes loses its connection here, and a request of ours is answered.
   */
  learnerCommitted(c: Committed): void {
    this.deliver(txnFires(this.reads, c.rc.events));
    const id = c.header.clientId;
    // The front keeps the learner's session tracker (global sessions as committed).
    const local = this.learner?.committed(c) ?? false;
    if (c.txn.type === Op.closeSession) {
      this.order.sessionClosed(id);
      const live = this.bySession.get(id);
      this.bySession.delete(id);
      if (!local) live?.closeAfterFlush();
    }
  }

  /** Closes every client connection (the role ended). */
  closeClients(): void {
    for (const c of [...this.cnxns]) c.close();
  }

  /** Forwards a client write, sync or close to the leader; the answer comes at its commit. */
  private forwardRequest(
    learner: LearnerFront,
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    payload: Uint8Array,
    startMs: number,
  ): void {
    const sid = cnxn.sessionId;
    const req = {
      sessionId: sid,
      cxid: xid,
      type,
      body: payload.subarray(8),
      authinfo: cnxn.authInfo,
    };
    // 3.8's follower answers with the refusal whatever the leader's txn says.
    const refused = this.upgradeIfNeeded(sid, type, req.body);
    if (type === Op.sync) {
      learner.sync(req, () => this.answerRead(cnxn, xid, type, new Reader(req.body), startMs));
      return;
    }
    learner.forward(req, (c) => {
      const { err, body } = refused !== Err.Ok
        ? { err: refused, body: null }
        : writeReply(this.db.tree, type, c.txn, c.rc);
      this.reply(cnxn, xid, type, c.header.zxid, err, body, startMs, c.header.time);
      if (type === Op.closeSession) cnxn.closeAfterFlush();
    });
  }

  // ---------------------------------------------------------------- requests

  packet(cnxn: ClientCnxn, payload: Uint8Array): void {
    this.packetsReceived++;
    this.metrics.counters.bytes_received_count += payload.length + 4;
    if (!this.serving()) {
      // 3.8 shuts its ZooKeeperServer down when the peer leaves serving (e.g.
      // LOOKING): clients lose the connection and reconnect elsewhere.
      log.info(`Closing connection from ${cnxn.remote}: ZooKeeperServer not running`);
      this.metrics.counters.cnxn_closed_without_zk_server_running++;
      cnxn.close();
      return;
    }
    const startMs = this.now();
    const r = new Reader(payload, this.cfg.juteMaxBuffer);
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
      this.handshake.auth(cnxn, xid, r);
      return;
    }
    if (!cnxn.initialized) {
      // A request before the session exists; 3.8 would not read it yet.
      cnxn.requestDone();
      return;
    }
    if (!this.roleSessions.touch(cnxn.sessionId, cnxn.timeoutMs, this.mono())) {
      // 3.8's MissingSessionException: a learner drops a request of a session it does not know.
      log.debug(`Dropping request of unknown session ${hexId(cnxn.sessionId)}`);
      cnxn.requestDone();
      return;
    }
    this.requestQueued();
    if (type === Op.sasl) {
      this.answer(cnxn, () => {
        this.reply(cnxn, xid, type, this.lastZxid, Err.Unimplemented, null, startMs);
      });
      return;
    }
    if (type === Op.closeSession && this.roleSessions.isLocal(cnxn.sessionId)) {
      this.closeLocalSession(cnxn.sessionId, cnxn, xid, startMs);
      return;
    }
    const learner = this.learner;
    if (learner && (type === Op.closeSession || type === Op.sync || WRITE_OPS.has(type))) {
      this.forwardRequest(learner, cnxn, xid, type, payload, startMs);
      return;
    }
    if (type === Op.closeSession) {
      this.closeSession(cnxn.sessionId, cnxn, xid, startMs);
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
    this.answer(cnxn, () => {
      this.reply(cnxn, xid, type, this.lastZxid, Err.Unimplemented, null, startMs);
      cnxn.closeAfterFlush();
    });
  }

  /** Runs `run` (a reply from the committed tree) once the session's earlier writes are answered. */
  private answer(cnxn: ClientCnxn, run: () => void): void {
    this.final.answer(cnxn.sessionId, run);
  }

  /** The session state prep sees: ok, expired (closing), or unknown. */
  private sessionState(id: bigint): number {
    return this.roleSessions.readState(id);
  }

  /**
   * What prep checks a request against. With an owner (a write), the session
   * check is 3.8's checkSession: another server's session is SessionMoved.
   */
  private ctx(
    sessionId: bigint,
    authInfo: AuthId[],
    owner?: SessionOwner,
    /** The error an ephemeral create gets instead (the upgrade was refused). */
    refused: number = Err.Ok,
  ): PrepContext {
    const s = this.roleSessions;
    return {
      sessionId,
      authInfo,
      sessionState: owner === undefined
        ? this.sessionState(sessionId)
        : s.check(sessionId, owner, false),
      // 3.8's checkGlobalSession for ephemeral creates: a local session must be upgraded first.
      globalSessionState: owner === undefined || !s.localSessionsEnabled
        ? undefined
        : refused !== Err.Ok
        ? refused
        : s.check(sessionId, owner, true),
      // The tree was built with zookeeper.extendedTypesEnabled: one place to read it.
      extendedTypes: this.db.tree.extendedTypes,
    };
  }

  /**
   * Hands a prepared txn to the chain: it gets the next zxid, its changes join
   * the outstanding overlay, and it is logged with the open batch.
   */
  private submit(
    sessionId: bigint,
    cxid: number,
    t: PreparedTxn,
    /** When the request arrived (for prep_process_time); absent for server-made txns. */
    startMs?: number,
  ): ChainTxn {
    const ct = this.chain.prep.submit(sessionId, cxid, t);
    const time = ct.header.time;
    if (startMs !== undefined && time >= startMs) {
      this.metrics.summaries.prep_process_time.add(time - startMs);
    }
    return ct;
  }

  /** A txn is applied and answered: what follows it beyond the tree and the reply. */
  private afterCommit(c: Committed): void {
    const t = c.txn;
    this.roleSessions.committed(
      t.type,
      c.header.clientId,
      t.type === Op.createSession ? t.record.timeOut : 0,
    );
    if (t.type === Op.closeSession) this.order.sessionClosed(c.header.clientId);
    this.countForSnapshot();
  }

  private write(
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    r: Reader,
    payload: Uint8Array,
    startMs: number,
  ): void {
    const sid = cnxn.sessionId;
    const refused = this.upgradeIfNeeded(sid, type, payload.subarray(8));
    let t: PreparedTxn;
    try {
      t = prepareRequest(
        this.chain.overlay,
        type,
        r,
        this.ctx(sid, cnxn.authInfo, LOCAL_OWNER, refused),
        this.cfg.reconfigEnabled,
      );
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      log.warn(`Failed to decode ${OP_NAMES[type] ?? type} from ${cnxn.remote}: ${e.message}`);
      t = errorTxn(Err.MarshallingError);
    }
    if (answeredWithoutTxn(type, t)) {
      this.answer(cnxn, () => this.reply(cnxn, xid, type, this.lastZxid, 0, null, startMs));
      return;
    }
    const { header } = this.submit(sid, xid, t, startMs);
    this.chain.final.awaitCommit(sid, header.zxid, (c) => {
      const { err, body } = writeReply(this.db.tree, type, c.txn, c.rc);
      this.reply(cnxn, xid, type, header.zxid, err, body, startMs, header.time);
    });
  }

  /** Closes a session (client request, expiry or reaping): one txn, then the connection goes. */
  private closeSession(
    sessionId: bigint,
    cnxn: ClientCnxn | null,
    xid: number,
    startMs: number,
  ): void {
    if (this.roleSessions.readState(sessionId) === Err.UnknownSession) {
      if (cnxn) {
        this.answer(cnxn, () => {
          this.reply(cnxn, xid, Op.closeSession, this.lastZxid, 0, null, startMs);
          cnxn.closeAfterFlush();
        });
      }
      return;
    }
    this.roleSessions.setClosing(sessionId);
    const p0 = performance.now();
    const t = prepareCloseSession(this.chain.overlay, sessionId);
    this.metrics.percentiles.close_session_prep_time.add(Math.round(performance.now() - p0));
    const { header } = this.submit(sessionId, cnxn ? xid : 0, t, cnxn ? startMs : undefined);
    const live = cnxn ?? this.bySession.get(sessionId) ?? null;
    this.bySession.delete(sessionId);
    // The connection goes once the txn is applied (3.8's FinalRequestProcessor).
    this.chain.final.awaitCommit(sessionId, header.zxid, () => {
      if (cnxn) {
        this.reply(cnxn, xid, Op.closeSession, header.zxid, 0, null, startMs, header.time);
      }
      live?.closeAfterFlush();
    });
    log.info(`Closed session ${hexId(sessionId)}`);
  }

  private read(cnxn: ClientCnxn, xid: number, type: number, r: Reader, startMs: number): void {
    this.answer(cnxn, () => this.answerRead(cnxn, xid, type, r, startMs));
  }

  /** Answers a read from the committed tree; its watches are set now. */
  private answerRead(
    cnxn: ClientCnxn,
    xid: number,
    type: number,
    r: Reader,
    startMs: number,
  ): void {
    const zxid = this.lastZxid;
    if (type === Op.ping) {
      this.reply(cnxn, -2, type, zxid, 0, null, startMs);
      return;
    }
    const state = this.sessionState(cnxn.sessionId);
    if (state !== Err.Ok) {
      this.reply(cnxn, xid, type, zxid, state, null, startMs);
      return;
    }
    let err = 0;
    let body: codec.Body | null = null;
    try {
      const res = readOp(this.reads, cnxn, type, r);
      err = res.err;
      body = res.body;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      log.warn(`Failed to decode ${OP_NAMES[type] ?? type} from ${cnxn.remote}: ${e.message}`);
      err = Err.MarshallingError;
    }
    this.reply(cnxn, xid, type, zxid, err, body, startMs);
  }

  // ------------------------------------------------------------ housekeeping

  private scheduleExpiry(): void {
    if (this.stopped) return;
    // A learner's tracker has no global deadlines (only the leader expires those).
    const wait = Math.min(Math.max(1, this.roleSessions.waitTime(this.mono())), this.cfg.tickTime);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      if (this.stopped) return;
      if (this.serving()) {
        for (const a of this.roleSessions.poll(this.mono())) {
          if (a.kind !== "expire") continue;
          log.info(`Expiring session ${hexId(a.id)}, timeout of ${a.timeoutMs}ms exceeded`);
          this.metrics.counters.stale_sessions_expired++;
          this.requestQueued();
          if (a.local) this.closeLocalSession(a.id, null, 0, this.now());
          else this.closeSession(a.id, null, 0, this.now());
        }
      }
      this.scheduleExpiry();
    }, wait);
  }

  /**
   * ContainerManager: empty used containers and expired empty TTL nodes are
   * deleted. Resolves once those deletes are applied.
   */
  checkContainers(): Promise<void> {
    // A learner's containers are reaped by the leader.
    if (!this.serving() || this.learner) return Promise.resolve();
    const candidates = reapCandidates(this.db.tree, this.now());
    for (const p of candidates) {
      log.info(`Attempting to delete candidate container: ${p}`);
      this.requestQueued();
      const t = prepareWrite(
        this.chain.overlay,
        { type: Op.deleteContainer, path: p, version: -1 },
        this.ctx(0n, []),
      );
      this.submit(0n, 0, t);
    }
    return candidates.length === 0 ? Promise.resolve() : this.chain.sync.drain();
  }

  private nextSnapThreshold(): number {
    // SyncRequestProcessor: snapshot after snapCount/2 + random(snapCount/2) txns.
    const half = Math.max(1, Math.floor(this.cfg.snapCount / 2));
    return half + Math.floor(Math.random() * half);
  }

  private countForSnapshot(): void {
    this.txnsSinceSnap++;
    if (this.txnsSinceSnap < this.snapThreshold) return;
    if (!this.db.requestSnapshot()) return;
    this.txnsSinceSnap = 0;
    this.snapThreshold = this.nextSnapThreshold();
  }

  // ------------------------------------- leader: what learners send (Zab REQUEST, PING, REVALIDATE)

  /**
   * A new leader's sessions (3.8's LeaderSessionTracker): every session of its tree
   * tracked afresh with its whole timeout, local sessions when enabled.
   */
  leadSessions(): void {
    this.roleSessions = new LeaderSessions(this.sessionOptions());
  }

  private get leaderSessions(): LeaderSessions {
    const s = this.roleSessions;
    if (!(s instanceof LeaderSessions)) throw new Error("not leading");
    return s;
  }

  /**
   * A request a learner forwarded: every one becomes exactly one txn with its
   * session and cxid (an error txn when prep refuses it), owned by `owner`.
   * No reply leaves here: the learner answers its client when the txn commits.
   */
  forwarded(owner: bigint, r: ForwardedWrite): void {
    this.requestQueued();
    const id = r.sessionId;
    if (r.type === Op.createSession) {
      // The learner chose the id (a new session or an upgrade); the body is the timeout alone.
      const timeOut = r.body.length >= 4
        ? new DataView(r.body.buffer, r.body.byteOffset, 4).getInt32(0)
        : this.cfg.tickTime * 2;
      this.submit(id, r.cxid, this.prepCreateSession(id, timeOut, owner));
      return;
    }
    if (r.type === Op.closeSession) {
      this.roleSessions.setClosing(id);
      this.submit(id, r.cxid, prepareCloseSession(this.chain.overlay, id));
      log.info(`Closed session ${hexId(id)} (from sid ${owner})`);
      return;
    }
    let t: PreparedTxn;
    try {
      t = prepareRequest(
        this.chain.overlay,
        r.type,
        new Reader(r.body, this.cfg.juteMaxBuffer),
        this.ctx(id, r.authInfo, owner),
        this.cfg.reconfigEnabled,
      );
    } catch (e) {
      log.warn(
        `Failed to prepare ${OP_NAMES[r.type] ?? r.type} forwarded by sid ${owner}: ${
          (e as Error).message
        }`,
      );
      t = errorTxn(Err.MarshallingError);
    }
    this.submit(id, r.cxid, t);
  }

  /** A learner's PING table: each session it saw activity on is touched. */
  touchSessions(touches: Iterable<{ sessionId: bigint; timeout: number }>): void {
    this.leaderSessions.tracker.touchAll(touches, this.mono());
  }

  /** A learner's REVALIDATE: valid for a live session, which is touched and moves to `owner`. */
  revalidateSession(owner: bigint, id: bigint, timeout: number): boolean {
    // 3.8's checkIfValidGlobalSession: a local session of another server is not valid here.
    return this.leaderSessions.tracker.revalidate(id, timeout, owner, this.mono());
  }

  // ---------------------------------------------------------------- sessions

  /** The sessions of the current role. */
  get sessions(): ServerSessions {
    return this.roleSessions;
  }

  /** What a role's session tracker starts from: the config, the clocks, the tree's sessions. */
  sessionOptions(): SessionTrackerOptions {
    return {
      tickMs: this.cfg.tickTime,
      serverId: this.serverId,
      // Ids take wall-clock bits (unique across restarts); deadlines a monotonic clock,
      // so a wall-clock jump does not expire every session at once.
      now: this.mono(),
      idClockMs: this.now(),
      localSessionsEnabled: this.cfg.localSessionsEnabled,
      localSessionsUpgradingEnabled: this.cfg.localSessionsUpgradingEnabled,
      sessions: this.db.tree.sessions,
    };
  }

  /** The txn a createSession prepares to (an error txn when the session is closing). */
  private prepCreateSession(id: bigint, timeOut: number, owner: SessionOwner): PreparedTxn {
    const err = this.roleSessions.prepCreate(id, timeOut, owner, this.mono());
    if (err !== Err.Ok) return errorTxn(err);
    return { type: Op.createSession, record: { timeOut } };
  }

  /** A global session's createSession (a new session, or an upgrade): `done` runs at its commit. */
  private createGlobalSession(
    id: bigint,
    timeout: number,
    owner: SessionOwner,
    done: (c: Committed) => void,
    /** False for an upgrade: no client waits for it. */
    client = true,
  ): void {
    if (this.learner) {
      const body = new Uint8Array(4);
      new DataView(body.buffer).setInt32(0, timeout);
      const req = { sessionId: id, cxid: 0, type: Op.createSession, body, authinfo: null };
      this.learner.forward(req, done, client);
      return;
    }
    const t = this.submit(id, 0, this.prepCreateSession(id, timeout, owner));
    this.chain.final.awaitCommit(id, t.header.zxid, done);
  }

  /**
   * 3.8's checkUpgradeSession, before a create, create2 or multi of a local session
   * goes on: an ephemeral create upgrades the session first (its createSession is
   * submitted now, ahead of the request), or is refused. Returns the refusal or Ok.
   */
  private upgradeIfNeeded(id: bigint, type: number, body: Uint8Array): number {
    const s = this.roleSessions;
    if (!s.isLocal(id) || (type !== Op.create && type !== Op.create2 && type !== Op.multi)) {
      return Err.Ok;
    }
    let createFlags: number[];
    try {
      createFlags = requestCreateFlags(type, new Reader(body, this.cfg.juteMaxBuffer));
    } catch {
      return Err.Ok; // prep (or the leader) answers the malformed request
    }
    for (const a of s.checkUpgrade({ sessionId: id, type, createFlags }, this.mono())) {
      if (a.kind === "refuse") return a.err;
      if (a.kind !== "upgrade") continue;
      log.info(`Upgrading session ${hexId(id)}`);
      this.requestQueued();
      this.createGlobalSession(id, a.timeoutMs, LOCAL_OWNER, () => {}, false);
    }
    return Err.Ok;
  }

  /** Closes a local session (client request or local expiry): no txn, as 3.8. */
  private closeLocalSession(
    id: bigint,
    cnxn: ClientCnxn | null,
    xid: number,
    startMs: number,
  ): void {
    log.info(`Submitting local closeSession request for session ${hexId(id)}`);
    this.roleSessions.remove(id);
    const live = cnxn ?? this.bySession.get(id) ?? null;
    this.bySession.delete(id);
    if (!cnxn) return void live?.closeAfterFlush();
    this.answer(cnxn, () => {
      this.reply(cnxn, xid, Op.closeSession, this.lastZxid, 0, null, startMs);
      cnxn.closeAfterFlush();
    });
  }

  // ------------------------------------------------------------------- stats

  /** The snapshot four-letter words print. */
  fourLetterView(): FourLetterView {
    return buildFourLetterView({
      cfg: this.cfg,
      db: this.db,
      sessions: this.roleSessions,
      watches: this.watches,
      cnxns: this.cnxns,
      // An ensemble peer that has not synced yet has a role but serves no
      // client: its srvr/stat/mntr say "not currently serving", as 3.8's do until
      // its ZooKeeperServer runs (the role shows in the admin election command).
      serving: this.serving(),
      version: this.version,
      mode: this.modeOf(),
      latency: this.latency,
      packetsReceived: this.packetsReceived,
      packetsSent: this.packetsSent,
      authFailed: this.authFailed,
      // 3.8 counts requests in process; a learner's wait on the leader.
      outstanding: this.learner ? this.learner.outstanding : this.chain.sync.queued,
      lastZxid: this.lastZxid,
      clientPort: this.listener?.addr.port,
      metrics: this.metrics,
      uptimeMs: this.now() - this.startedMs,
      // Kept by the tree as txns are applied, restore included.
      digestLog: this.db.tree.digestLog.entries,
      traceMask: this.traceMask,
      sessionlessMs: this.sessionlessMs,
      fs: () => this.fsFacts.get(),
      extra: () => this.extra4lw?.() ?? {},
      ephemeralOrder: (id) => this.order.ephemeralOrder(this.db.tree, id),
      setTraceMask: (mask) => void (this.traceMask = mask),
      resetServerStats: () => {
        this.latency.reset();
        this.packetsReceived = 0;
        this.packetsSent = 0;
        this.metrics.reset();
      },
    });
  }
}

/** 3.8's summary metric lines: avg_, min_, max_, cnt_, sum_ + name. */
export const summary = summaryLines;
