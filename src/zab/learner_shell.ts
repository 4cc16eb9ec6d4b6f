// The learner's thin shell: connects to the leader's quorum port (3.8's rule:
// up to 5 tries 100 ms apart within initLimit*tickTime), feeds LearnerCore
// the packets (reading the SNAP body through QuorumConn when the core asks to
// load it), its ticks and the disk completions, and performs the actions the
// core returns, in order, through a ZabLog and the host's hooks. The core's
// disk waits are awaited before the next core input; appends are not (group
// commit), their fsyncs come back as persisted(). The link ends on the core's
// word (a bad packet, a timeout), at EOF or on a socket error, with one log
// line; `done` then says why and how memory must meet the disk.
import type { ApplyResult } from "../data/apply.ts";
import { logger } from "../log/logger.ts";
import { type LearnerAction, LearnerCore, type LearnerPhase, type SyncMode } from "./learner.ts";
import type { ForwardedRequest, SessionTouch } from "./packets.ts";
import { zxidHex } from "./packet_types.ts";
import { QuorumConn } from "./quorum_conn.ts";
import type { ZabLog, ZabLogTxn } from "./zab_log.ts";

const log = logger("Learner");

/** Java's connect rule: this many tries (Learner.LeaderConnector). */
export const CONNECT_TRIES = 5;
/** zookeeper.leaderConnectDelayDuringRetryMs's default. */
export const CONNECT_RETRY_DELAY_MS = 100;

/** What the host (the server's pipeline, later) hears from the learner. */
export interface LearnerHooks {
  /** A committed txn was applied to the tree (later: the server's commit stage). */
  onApply?(txn: ZabLogTxn, result: ApplyResult): void;
  /** Synced with the leader: serve clients; report the epoch in the election vote. */
  onStartServing?(epoch: bigint): void;
  /** The sessions touched since the last PING reply, for the reply's touch table. */
  takeTouches?(): readonly SessionTouch[];
  /** The leader answered the oldest forwarded sync. */
  onSyncDone?(request: ForwardedRequest): void;
  /** The leader's answer to a revalidate(). */
  onRevalidated?(sessionId: bigint, valid: boolean): void;
  /** The sync mode the leader chose (DIFF, TRUNC, SNAP), once known. */
  onSyncMode?(mode: SyncMode, zxid: bigint): void;
  /** The NEWLEADER ACK is queued: the sync's txns and currentEpoch are durable. */
  onNewLeaderAcked?(epoch: bigint): void;
}

/** Where the leader is and how this learner runs. */
export interface LearnerShellOptions {
  sid: bigint;
  observer: boolean;
  /** The leader's sid, for log lines. */
  leaderSid: bigint;
  /** The leader's quorum addresses (server.N's first port), tried in turn. */
  leaderAddrs: { host: string; port: number }[];
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  /** The local quorum verifier's version, sent in LearnerInfo (default 0). */
  configVersion?: bigint;
  zabLog: ZabLog;
  hooks?: LearnerHooks;
  /** Opens a connection (default Deno.connect); tests inject. */
  connect?: (addr: { host: string; port: number }) => Promise<Deno.Conn>;
}

/** How a learner's link ended. */
export interface LearnerEnd {
  reason: string;
  /** How memory must meet the disk before the next election (the core's leave). */
  memory: "fast-forward" | "reload";
  /** The phase the link had reached, and the sync mode if one was chosen. */
  phase: LearnerPhase;
  syncMode: SyncMode | null;
  /** Whether the learner reached UPTODATE (served). */
  served: boolean;
}

/** One follower or observer link to a leader; one instance per link. */
export class LearnerShell {
  /** Resolves once the link has ended (never rejects). */
  readonly done: Promise<LearnerEnd>;
  private resolveDone!: (e: LearnerEnd) => void;
  private core: LearnerCore | null = null;
  private conn: QuorumConn | null = null;
  private ended = false;
  private served = false;
  /** The leader closed the connection (no line from QuorumConn then). */
  private eof = false;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Core inputs run one at a time, each with its actions, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private lastPhase: LearnerPhase = "new";
  private readonly name: string;

  constructor(private readonly opts: LearnerShellOptions) {
    this.done = new Promise((r) => this.resolveDone = r);
    const a = opts.leaderAddrs[0];
    this.name = `leader ${opts.leaderSid} at ${a ? `${a.host}:${a.port}` : "?"}`;
  }

  /** The core's phase ("new" until connected). */
  get phase(): LearnerPhase {
    return this.core?.phase ?? "new";
  }

  /** The sync mode chosen by the leader, once known. */
  get syncMode(): SyncMode | null {
    return this.core?.syncMode ?? null;
  }

  /** Connects and registers; the link then runs until `done`. */
  start(): void {
    this.run().catch((e) => this.end(`learner failed: ${(e as Error).message}`, "reload"));
  }

  /** Ends the link (the peer is stopping or looking again). */
  stop(reason: string): Promise<LearnerEnd> {
    if (!this.core) this.end(reason, "fast-forward");
    else this.input(() => this.core!.close(reason));
    return this.done;
  }

  /** Forwards a client write or sync to the leader (after UPTODATE). */
  forward(request: ForwardedRequest): void {
    this.input(() => this.core!.forward(request));
  }

  /** Asks the leader whether a reconnecting client's session is valid (after UPTODATE). */
  revalidate(sessionId: bigint, timeout: number): void {
    this.input(() => this.core!.revalidate(sessionId, timeout));
  }

  private async run(): Promise<void> {
    const conn = await this.connect();
    if (conn === null || this.ended) {
      conn?.close();
      return;
    }
    const q = new QuorumConn(conn, { name: this.name });
    this.conn = q;
    // Java's SO_TIMEOUT while registering and syncing: initLimit ticks per read.
    q.setReadDeadline(this.opts.tickTime * this.opts.initLimit);
    const zl = this.opts.zabLog;
    this.core = new LearnerCore({
      sid: this.opts.sid,
      observer: this.opts.observer,
      acceptedEpoch: zl.acceptedEpoch,
      currentEpoch: zl.currentEpoch,
      lastLoggedZxid: zl.lastLoggedZxid,
      configVersion: this.opts.configVersion,
      initLimit: this.opts.initLimit,
      syncLimit: this.opts.syncLimit,
      takeTouches: this.opts.hooks?.takeTouches,
    });
    log.info(
      `${this.opts.observer ? "Observing" : "Following"} ${this.name}; last logged zxid ${
        zxidHex(zl.lastLoggedZxid)
      }, acceptedEpoch ${zl.acceptedEpoch}, currentEpoch ${zl.currentEpoch}`,
    );
    this.ticker = setInterval(() => this.input(() => this.core!.tick()), this.opts.tickTime);
    await this.input(() => this.core!.start());
    while (!this.ended) {
      let p;
      try {
        p = await q.read();
      } catch (e) {
        // QuorumConn logged the one line (garbage, timeout, socket error).
        await this.input(() => this.core!.close((e as Error).message));
        return;
      }
      if (this.ended) return;
      if (p === null) {
        this.eof = true;
        await this.input(() => this.core!.close("the leader closed the connection"));
        return;
      }
      await this.input(() => this.core!.receive(p));
      if (!this.ended && q.parser.mode === "snap") {
        // The core would have asked to load it; never read a SNAP body as packets.
        await this.input(() => this.core!.close("a SNAP body the learner did not ask for"));
        return;
      }
    }
  }

  /** 3.8's rule: up to 5 tries, 100 ms apart, all within initLimit*tickTime. */
  private async connect(): Promise<Deno.Conn | null> {
    const open = this.opts.connect ??
      ((a) => Deno.connect({ hostname: a.host, port: a.port, transport: "tcp" }));
    const limitMs = this.opts.tickTime * this.opts.initLimit;
    const deadline = performance.now() + limitMs;
    let last = "no address";
    for (let i = 0; i < CONNECT_TRIES && !this.ended; i++) {
      for (const a of this.opts.leaderAddrs) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        try {
          return await withTimeout(open(a), left);
        } catch (e) {
          last = `${a.host}:${a.port}: ${(e as Error).message}`;
        }
      }
      if (i + 1 < CONNECT_TRIES && deadline - performance.now() > CONNECT_RETRY_DELAY_MS) {
        await new Promise((r) => setTimeout(r, CONNECT_RETRY_DELAY_MS));
      } else break;
    }
    this.end(`cannot connect to ${this.name} (${last})`, "fast-forward");
    return null;
  }

  /**
   * Runs one core input and performs its actions, after every input before
   * it. Disk steps the core waits for are awaited here and their completion
   * fed back at once, so the core's outputs are performed in its order.
   */
  private input(step: () => LearnerAction[]): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.ended || !this.core) return;
      await this.perform(step());
    }).catch((e) => {
      this.end(`learner failed: ${(e as Error).message}`, "reload");
    });
    this.chain = next;
    return next;
  }

  private async perform(actions: LearnerAction[]): Promise<void> {
    const core = this.core!;
    const zl = this.opts.zabLog;
    const hooks = this.opts.hooks ?? {};
    for (const a of actions) {
      if (this.ended) return;
      switch (a.kind) {
        case "send":
          this.conn!.send(a.packet);
          break;
        case "writeAcceptedEpoch":
          await this.disk(
            "write acceptedEpoch",
            () => zl.writeAcceptedEpoch(a.epoch),
            () => core.acceptedEpochWritten(),
          );
          break;
        case "truncate":
          hooks.onSyncMode?.("TRUNC", a.zxid);
          log.info(`Truncating log to get in sync with the leader: ${zxidHex(a.zxid)}`);
          await this.disk("truncate the log", () => zl.truncate(a.zxid), () => core.truncated());
          break;
        case "loadSnapshot": {
          hooks.onSyncMode?.("SNAP", a.zxid);
          log.info(`Getting a snapshot from the leader ${zxidHex(a.zxid)}`);
          const conn = this.conn!;
          await this.disk(
            "load the SNAP",
            () => zl.loadSnapshot(a.zxid, (onEntries) => conn.receiveSnap(onEntries)),
            () => core.snapshotLoaded(),
          );
          break;
        }
        case "takeSnapshot":
          await this.disk(
            "take a snapshot",
            () => zl.takeSnapshot({ fsync: a.fsync }),
            () => core.snapshotWritten(),
          );
          break;
        case "append": {
          const last = a.txns[a.txns.length - 1].zxid;
          zl.append(a.txns).then(
            () => this.input(() => core.persisted(last)),
            (e) => this.input(() => core.diskFailed(`append to the txn log: ${e.message}`)),
          );
          break;
        }
        case "writeCurrentEpoch":
          await this.disk(
            "write currentEpoch",
            () => zl.writeCurrentEpoch(a.epoch),
            () => core.currentEpochWritten(),
          );
          // The NEWLEADER ACK is queued: from here 3.8 reads with syncLimit ticks.
          this.conn!.setReadDeadline(this.opts.tickTime * this.opts.syncLimit);
          if (core.phase !== "left") hooks.onNewLeaderAcked?.(a.epoch);
          break;
        case "apply":
          hooks.onApply?.(a.txn, zl.apply(a.txn));
          break;
        case "startServing":
          this.served = true;
          log.info(`Synced with ${this.name} (${core.syncMode}); serving epoch ${a.epoch}`);
          hooks.onStartServing?.(a.epoch);
          break;
        case "syncDone":
          hooks.onSyncDone?.(a.request);
          break;
        case "revalidated":
          hooks.onRevalidated?.(a.sessionId, a.valid);
          break;
        case "warn":
          log.warn(a.message);
          break;
        case "leave":
          this.end(a.reason, a.memory);
          return;
      }
    }
    if (core.phase !== this.lastPhase) {
      this.lastPhase = core.phase;
      if (core.phase === "syncing" && core.syncMode === "DIFF") {
        this.opts.hooks?.onSyncMode?.("DIFF", this.opts.zabLog.lastLoggedZxid);
        log.info(`Getting a diff from the leader`);
      }
    }
  }

  /** Awaits a disk step the core waits for, then feeds its completion (or failure) back. */
  private async disk(
    what: string,
    work: () => Promise<unknown>,
    completed: () => LearnerAction[],
  ): Promise<void> {
    let next: LearnerAction[];
    try {
      await work();
      next = completed();
    } catch (e) {
      next = this.core!.diskFailed(`${what}: ${(e as Error).message}`);
    }
    await this.perform(next);
  }

  /** The link is over: one log line (unless QuorumConn wrote it), close, report. */
  private end(reason: string, memory: "fast-forward" | "reload"): void {
    if (this.ended) return;
    this.ended = true;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    const c = this.conn;
    if (c && !c.closed) c.closeWithReason(reason);
    // A connection closed but not at EOF was closed by QuorumConn, which logged why.
    else if (!c || this.eof) log.info(`Leaving ${this.name}: ${reason}`);
    this.resolveDone({
      reason,
      memory,
      phase: this.core?.phase ?? "new",
      syncMode: this.core?.syncMode ?? null,
      served: this.served,
    });
  }
}

/** A connect bounded by ms; a connection that succeeds after the bound is closed. */
function withTimeout(p: Promise<Deno.Conn>, ms: number): Promise<Deno.Conn> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let late = false;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new Error(`no answer within ${Math.round(ms)} ms`));
    }, ms);
  });
  p.then((c) => {
    if (late) c.close();
  }, () => {});
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
