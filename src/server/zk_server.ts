// The client-port server: it composes the parts and dispatches what a
// connection brings. Requests go through the standalone chain
// (pipeline/standalone.ts: prep → sync → commit → final) or a quorum role's;
// the jobs are client_requests.ts (dispatch, writes, reads, forwards),
// session_flow.ts (sessions), connections.ts, replies.ts (what leaves),
// housekeeping.ts (containers, snapshots) and handshake.ts (connects, auth).
// A reply never shows a txn that is not yet durable, and a session sees its
// replies in xid order.
import { logger } from "../log/logger.ts";
import { ExitCode, fatal } from "../log/fatal.ts";
import { VERSION } from "../version.ts";
import type { ZkConfig } from "../config/types.ts";
import { serveTcp, type TcpServer } from "../net/listener.ts";
import type { ClientCnxn, CnxnHandler } from "./cnxn.ts";
import { Connections } from "./connections.ts";
import {
  fourLetterReply,
  type FourLetterView,
  notWhitelisted,
  wordEnabled,
} from "./four_letter.ts";
import { meteredCommit, recordRestore } from "./commit_metrics.ts";
import { type Chain, standaloneChain } from "./pipeline/standalone.ts";
import type { ChainTxn, Committed } from "./pipeline/commit.ts";
import type { FinalStage } from "./pipeline/final.ts";
import type { LearnerFront } from "./pipeline/learner.ts";
import { txnFires } from "./txn_events.ts";
import { JavaSetOrder } from "./java_set_order.ts";
import type { ReadContext } from "./read_ops.ts";
import { FsFacts } from "./metrics/fs_facts.ts";
import { buildFourLetterView } from "./server_view.ts";
import { Op, type PreparedTxn } from "./prep.ts";
import { Handshake } from "./handshake.ts";
import { LOCAL_OWNER } from "./sessions/leader_tracker.ts";
import { LearnerSessions, type ServerSessions } from "./sessions/server_sessions.ts";
import type { SessionTrackerOptions } from "./sessions/upgradeable.ts";
import { WatchManager } from "../data/watch_manager.ts";
import type { ServerDatabase } from "./database.ts";
import { ServerMetrics, summaryLines } from "./metrics/server_metrics.ts";
import type { ServerMode, ZkServerOptions } from "./server_options.ts";
import type { DataTree } from "../data/tree.ts";
import { ClientRequests, type ForwardedWrite } from "./client_requests.ts";
import { Housekeeping } from "./housekeeping.ts";
import { Replies } from "./replies.ts";
import type { ServerCore } from "./server_core.ts";
import { SessionFlow } from "./session_flow.ts";

export { type ForwardedWrite, LOCAL_OWNER };

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
  readonly watches = new WatchManager<ClientCnxn>();
  /** Client connections, and the one serving each session. */
  private readonly conns: Connections;
  /** prep → sync → commit → final (standalone); a quorum peer sets its role's chain. */
  private chain: Chain;
  private readonly modeOf: () => ServerMode;
  private readonly clientRequests: () => boolean;
  private readonly now: () => number;
  private readonly mono: () => number;
  private readonly sessionlessMs: number;
  readonly version: string;
  private readonly extra4lw: ZkServerOptions["extraFourLetter"];
  private hzxid: bigint;
  private listener: TcpServer | null = null;
  private stopped = false;
  /** A txn log write failed: nothing is answered any more. */
  private failed = false;
  private readonly startedMs: number;
  /** 3.8's ServerMetrics: the one source of mntr, AdminServer monitor and /metrics. */
  readonly metrics = new ServerMetrics();
  /** Txns per group commit (3.8's sync_processor_batch_size). */
  readonly batchSize = this.metrics.summaries.sync_processor_batch_size;
  /** Milliseconds per log write + fsync (3.8's fsynctime). */
  readonly fsyncTime = this.metrics.summaries.fsynctime;
  packetsReceived = 0;
  authFailed = 0;
  /** ZooTrace's text trace mask (gtmk/stmk); 3.8's default is 306. */
  private traceMask = 306n;
  /** The Java HashSet orders children and ephemerals are listed in. */
  private readonly order = new JavaSetOrder();
  /** What read ops see of this server. */
  private readonly reads: ReadContext;
  /** Replies and notifications, with ServerStats. */
  private readonly replies: Replies;
  /** The connect handshake and auth packets. */
  private readonly handshake: Handshake;
  /** Dir sizes and descriptor counts for mntr/dirs, sampled off the request path. */
  private readonly fsFacts: FsFacts;
  private readonly syncMeteredByLog: boolean;
  /** A follower's or observer's chain (pipeline/learner.ts) while it has that role. */
  private learner: LearnerFront | null = null;
  /** The session lifecycle (the role's tracker, creates, closes, expiry). */
  private readonly flow: SessionFlow;
  /** Writes, reads and forwards of clients; learners' requests on a leader. */
  private readonly requests: ClientRequests;
  /** Container reaping and snapshot counting. */
  private readonly upkeep: Housekeeping;
  private readonly containerCheckMs: number;

  constructor(opts: ZkServerOptions) {
    this.cfg = opts.config;
    this.db = opts.db;
    this.fsFacts = new FsFacts(this.db.snapDir, this.db.logDir);
    this.modeOf = opts.mode ?? (() => "standalone");
    this.clientRequests = opts.clientRequests ?? (() => true);
    this.now = opts.now ?? Date.now;
    this.mono = opts.monotonic ?? (() => performance.timeOrigin + performance.now());
    this.sessionlessMs = opts.sessionlessTimeoutMs ?? 10_000;
    this.containerCheckMs = opts.containerCheckMs ?? 60_000;
    this.version = opts.version ?? `3.8.0-zkt-${VERSION}, built on 1970-01-01 00:00 UTC`;
    this.extra4lw = opts.extraFourLetter;
    this.zxidSource = opts.nextZxid;
    this.syncMeteredByLog = opts.syncMeteredByLog ?? false;
    this.startedMs = this.now();
    this.conns = new Connections(this.cfg, this.metrics, this.watches);
    this.replies = new Replies(this.conns.all, this.metrics, () => this.now());
    const db = this.db;
    this.reads = {
      // A learner's tree is a new object after a SNAP, TRUNC or reload.
      get tree() {
        return db.tree;
      },
      watches: this.watches,
      metrics: this.metrics,
      order: this.order,
      deliver: (fires) => this.replies.deliver(fires),
    };
    this.hzxid = this.db.tree.lastProcessedZxid;
    recordRestore(this.db, this.metrics);
    const core = this.core();
    // ZooKeeperServer.createSessionTrackerServerId: 1 standalone, myid in an ensemble.
    this.flow = new SessionFlow(core, opts.serverId ?? 1);
    this.requests = new ClientRequests(
      core,
      this.flow,
      (cnxn, xid, r) => this.handshake.auth(cnxn, xid, r),
    );
    this.upkeep = new Housekeeping(core, () => this.requests.ctx(0n, []));
    this.chain = standaloneChain({
      ...this.chainWiring(),
      sink: meteredCommit(this.db, this.metrics, () => this.now()),
      nextZxid: () => this.zxidSource ? this.zxidSource() : ++this.hzxid,
    });
    this.handshake = new Handshake({
      cfg: this.cfg,
      metrics: this.metrics,
      bySession: this.conns.bySession,
      superDigest: opts.superDigest ?? null,
      lastZxid: () => this.lastZxid,
      now: () => this.now(),
      inOrder: (cnxn, run) => this.final.answer(cnxn.sessionId, run),
      send: (cnxn, bytes) => this.replies.send(cnxn, bytes),
      reply: (cnxn, xid, type, zxid, err, startMs) =>
        this.replies.reply(cnxn, xid, type, zxid, err, null, startMs),
      newSession: (timeout) => this.flow.newSession(timeout),
      createSession: (id, timeout, then) =>
        this.flow.createGlobal(id, timeout, (c) => {
          then(c.txn.type === Op.error ? null : c.header.time);
        }),
      authFailed: () => void this.authFailed++,
      reopen: (id, timeout, then) => this.flow.reopen(id, timeout, then),
    });
  }

  /** The server as its parts see it. */
  private core(): ServerCore {
    // deno-lint-ignore no-this-alias
    const me = this;
    return {
      cfg: me.cfg,
      db: me.db,
      metrics: me.metrics,
      bySession: me.conns.bySession,
      order: me.order,
      reads: me.reads,
      replies: me.replies,
      get chain() {
        return me.chain;
      },
      get learner() {
        return me.learner;
      },
      get lastZxid() {
        return me.lastZxid;
      },
      now: () => me.now(),
      mono: () => me.mono(),
      serving: () => me.serving(),
      requestQueued: () => me.requestQueued(),
      answer: (cnxn, run) => me.final.answer(cnxn.sessionId, run),
      submit: (sessionId, cxid, t, startMs) => me.submit(sessionId, cxid, t, startMs),
    };
  }

  /** What every chain gets from the server: the tree, and what follows each commit. */
  private chainWiring(): ServerChainWiring {
    return {
      tree: this.db.tree,
      ephemerals: (id) => this.order.ephemeralsOf(this.db.tree, id),
      now: () => this.now(),
      fire: (c) => this.replies.deliver(txnFires(this.reads, c.rc.events)),
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
    this.flow.startExpiry();
    void this.fsFacts.refresh();
    this.upkeep.start(this.containerCheckMs);
    log.info(`binding to port ${host}:${this.listener.addr.port}`);
    return this.listener.addr;
  }

  /** Stops accepting, makes the log durable, closes every client. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.listener?.close();
    this.flow.stop();
    this.upkeep.stop();
    try {
      await this.chain.sync.drain();
    } catch { /* already reported as fatal */ }
    for (const c of [...this.conns.all]) {
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
    this.conns.closeAll();
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

  /** Replies sent (ServerStats' packets sent). */
  get packetsSent(): number {
    return this.replies.packetsSent;
  }

  /** ServerStats' request latency. */
  get latency() {
    return this.replies.latency;
  }

  private accept(conn: Deno.Conn): Promise<void> {
    return this.conns.accept(conn, this, this.sessionlessMs);
  }

  closed(cnxn: ClientCnxn): void {
    this.conns.closed(cnxn);
  }

  /**
   * A request entered the pipeline. 3.8 standalone passes every request
   * (reads too) from PrepRequestProcessor to SyncRequestProcessor, so both
   * counters move together; zkt's one pipeline is both stages.
   */
  private requestQueued(): void {
    // A 3.8 learner has no PrepRequestProcessor: its writes are prepped on the leader.
    if (!this.learner) this.metrics.counters.prep_processor_request_queued++;
    if (!this.syncMeteredByLog) this.metrics.counters.sync_processor_request_queued++;
  }

  sessionlessExpired(): void {
    this.metrics.counters.sessionless_connections_expired++;
  }

  closedNotServing(): void {
    this.metrics.counters.cnxn_closed_without_zk_server_running++;
  }

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
    this.requests.packet(cnxn, payload, this.now());
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
    this.flow.committed(c);
    if (c.txn.type === Op.closeSession) this.order.sessionClosed(c.header.clientId);
    this.upkeep.countForSnapshot();
  }

  /**
   * ContainerManager: empty used containers and expired empty TTL nodes are
   * deleted. Resolves once those deletes are applied.
   */
  checkContainers(): Promise<void> {
    return this.upkeep.checkContainers();
  }

  // ----------------------------------------------------------------- learner

  /** A follower's or observer's chain takes over writes, syncs and reconnects (null: none). */
  setLearner(front: LearnerFront | null): void {
    this.learner = front;
    if (front) this.flow.learn(new LearnerSessions(front.sessions));
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
    this.requests.learnerCommitted(c);
  }

  /** Closes every client connection (the role ended). */
  closeClients(): void {
    this.conns.closeAll();
  }

  // ------------------------------------------------------------------ leader

  /** The sessions of the current role. */
  get sessions(): ServerSessions {
    return this.flow.sessions;
  }

  /** What a role's session tracker starts from: the config, the clocks, the tree's sessions. */
  sessionOptions(): SessionTrackerOptions {
    return this.flow.options();
  }

  /**
   * A new leader's sessions (3.8's LeaderSessionTracker): every session of its tree
   * tracked afresh with its whole timeout, local sessions when enabled.
   */
  leadSessions(): void {
    this.flow.lead();
  }

  /**
   * A request a learner forwarded: exactly one txn with its session and cxid,
   * owned by `owner`; the learner answers its client when it commits.
   */
  forwarded(owner: bigint, r: ForwardedWrite): void {
    this.requests.forwarded(owner, r);
  }

  /** A learner's PING table: each session it saw activity on is touched. */
  touchSessions(touches: Iterable<{ sessionId: bigint; timeout: number }>): void {
    this.flow.touchAll(touches);
  }

  /** A learner's REVALIDATE: valid for a live global session, which moves to `owner`. */
  revalidateSession(owner: bigint, id: bigint, timeout: number): boolean {
    return this.flow.revalidate(owner, id, timeout);
  }

  // ------------------------------------------------------------------- stats

  /** The snapshot four-letter words print. */
  fourLetterView(): FourLetterView {
    return buildFourLetterView({
      cfg: this.cfg,
      db: this.db,
      sessions: this.flow.sessions,
      watches: this.watches,
      cnxns: this.conns.all,
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
        this.replies.packetsSent = 0;
        this.metrics.reset();
      },
    });
  }
}

/** 3.8's summary metric lines: avg_, min_, max_, cnt_, sum_ + name. */
export const summary = summaryLines;
