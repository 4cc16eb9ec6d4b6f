// The leader's thin shell (zab-3.8.md §5, §10): binds the quorum port the
// moment the peer decides to lead (a Java learner gives up after five tries
// 100 ms apart), accepts learners (one QuorumConn each: TCP_NODELAY, read
// deadline initLimit ticks until the NEWLEADER ACK, syncLimit after), feeds
// LeaderDiscovery, Broadcast and LeaderLiveness their packets and ticks
// (a wake every tickTime/2, a tick every second wake) and performs what they
// return, in order: epoch files, packets, SNAP streams (in chunks, so timers
// and pings to other learners keep running), the leader's own log appends
// (its ACK fed back after the fsync), commits applied and reported to the
// host. The leadership ends on the cores' word, on a disk failure or on
// stop(); `done` then says why and every learner connection is closed.
//
// How a peer composes it (tests/support/zab_leader_peer.ts does exactly
// this): open the ZabLog before the election; on LEADING construct and
// start() at once (the bind happens there), with history = leader_log.ts's
// committedWindowFromLog; host.serving(epoch) → the vote's peerEpoch, and
// proposals may start; propose(build) assigns the zxid synchronously, so the
// host's prep order is the proposal order; `done` → drain the log and
// fast-forward memory (settleAfterRole), then look again.
import type { QuorumVerifier } from "../config/types.ts";
import type { ApplyResult } from "../data/apply.ts";
import { OpCode } from "../jute/constants.ts";
import { DecodeError } from "../jute/errors.ts";
import { logger } from "../log/logger.ts";
import { Broadcast, type BroadcastAction } from "./broadcast.ts";
import { type DiscoveryAction, LeaderDiscovery } from "./discovery.ts";
import { ZabProtocolError } from "./errors.ts";
import { LeaderLiveness, type LivenessAction } from "./liveness.ts";
import { counterOf, makeZxid, packetName, PacketType, zxidHex } from "./packet_types.ts";
import {
  type ForwardedRequest,
  parseAckEpoch,
  parseLearnerInfo,
  parseRequest,
  parseRevalidate,
  parseTouches,
  type QuorumPacket,
  revalidateReplyPacket,
  type SessionTouch,
} from "./packets.ts";
import { QuorumConn } from "./quorum_conn.ts";
import type { SyncPlan } from "./sync_plan.ts";
import type { ZabLog, ZabLogTxn } from "./zab_log.ts";

const log = logger("Leader");

/** What the server side (prep, sessions, the commit stage) does for the leader. */
export interface ZabHost {
  /** A quorum acked NEWLEADER: serve clients, report `epoch` in the election vote. */
  serving?(epoch: bigint): void;
  /** A committed txn was applied to the tree (zxid order). */
  commit?(txn: ZabLogTxn, result: ApplyResult): void;
  /**
   * A learner forwarded a client request (after its UPTODATE). A sync
   * (OpCode.sync) must be answered through LeaderShell.sync(sid) once the
   * requests forwarded before it were proposed; without this hook syncs are
   * answered at once and other requests are dropped with a warning.
   */
  submit?(sid: bigint, request: ForwardedRequest): void;
  /** A learner's PING reply: the sessions it saw activity on. */
  touch?(sid: bigint, touches: readonly SessionTouch[]): void;
  /** A learner asks whether a reconnecting client's session is valid (default: it is in the tree). */
  revalidate?(sid: bigint, sessionId: bigint, timeout: number): boolean | Promise<boolean>;
  /** The sync mode chosen for a learner (for logs and tests). */
  synced?(sid: bigint, plan: Pick<SyncPlan, "mode" | "zxid" | "reason">): void;
}

/** How this leader runs. */
export interface LeaderShellOptions {
  myid: bigint;
  qv: QuorumVerifier;
  /** This server's quorum addresses (the first port of its server.N line). */
  addrs: { host: string; port: number }[];
  /** quorumListenOnAllIPs: bind the wildcard address on each port. */
  listenOnAllIPs?: boolean;
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  zabLog: ZabLog;
  host?: ZabHost;
  /** Committed txns kept for DIFF (3.8's commitLogCount, 500). */
  windowSize?: number;
  /** Test hook, like -Dzookeeper.forceSnapshotSync: every learner gets a SNAP. */
  forceSnap?: boolean;
  /**
   * The logged history's tail from disk (leader_log.ts), used when the log's
   * in-memory window is shorter than windowSize (after a restart), as 3.8
   * fills its committedLog while replaying the log.
   */
  history?: () => Promise<readonly ZabLogTxn[]>;
}

/** How a leadership ended. */
export interface LeaderEnd {
  reason: string;
  /** Whether a quorum acked NEWLEADER (the epoch was established). */
  established: boolean;
  epoch: bigint;
}

/** One learner's connection. */
interface Link {
  sid: bigint;
  observer: boolean;
  conn: QuorumConn;
  /** While a SNAP streams: what goes out after it (null otherwise). */
  deferred: QuorumPacket[] | null;
  newLeaderAcked: boolean;
}

/** One leadership (one epoch attempt); one instance per LEADING role. */
export class LeaderShell {
  /** Resolves once leading has ended (never rejects). */
  readonly done: Promise<LeaderEnd>;
  private resolveDone!: (e: LeaderEnd) => void;
  private readonly o: LeaderShellOptions;
  private listeners: Deno.Listener[] = [];
  private discovery: LeaderDiscovery | null = null;
  private liveness: LeaderLiveness;
  private broadcast: Broadcast | null = null;
  private links = new Map<bigint, Link>();
  /** Every open connection, learners and those still silent. */
  private conns = new Set<QuorumConn>();
  private ended = false;
  private established = false;
  private tickNo = 0;
  private halfTicks = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Core inputs run one at a time, each with its actions, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly qvText: string;
  /** The committed window Broadcast starts with, read in begin(). */
  private window: readonly ZabLogTxn[] = [];

  constructor(o: LeaderShellOptions) {
    this.o = o;
    this.done = new Promise((r) => this.resolveDone = r);
    this.liveness = new LeaderLiveness({
      myid: o.myid,
      qv: o.qv,
      initLimit: o.initLimit,
      syncLimit: o.syncLimit,
      tickTime: o.tickTime,
    });
    // NEWLEADER carries the verifier as 3.8's QuorumMaj.toString writes it.
    this.qvText = o.qv.toConfigString();
  }

  /** The ports bound (for tests that bind port 0). */
  get ports(): number[] {
    return this.listeners.map((l) => (l.addr as Deno.NetAddr).port);
  }

  /** Where discovery is ("new" before start). */
  get phase(): string {
    if (this.ended) return "ended";
    return this.discovery?.phase ?? "new";
  }

  /** The epoch being established (or established). */
  get epoch(): bigint {
    return this.discovery?.epoch ?? 0n;
  }

  /** The last committed zxid (the leader's last logged zxid before the epoch is established). */
  get lastCommitted(): bigint {
    return this.broadcast?.lastCommitted ?? this.o.zabLog.lastLoggedZxid;
  }

  /** Learners' syncs waiting for a COMMIT (mntr's zk_pending_syncs). */
  get pendingSyncs(): number {
    return this.broadcast?.pendingSyncs ?? 0;
  }

  /** The learners connected, by sid. */
  learners(): { sid: bigint; observer: boolean; upToDate: boolean }[] {
    return [...this.links.values()].map((l) => ({
      sid: l.sid,
      observer: l.observer,
      upToDate: this.discovery?.isUpToDate(l.sid) ?? false,
    }));
  }

  /**
   * Binds the quorum port at once (synchronously: a bind failure throws
   * here), then brings memory to the last logged zxid and starts discovery.
   */
  start(): void {
    const o = this.o;
    for (const a of o.addrs) {
      const hostname = o.listenOnAllIPs ? "0.0.0.0" : a.host;
      this.listeners.push(Deno.listen({ hostname, port: a.port, transport: "tcp" }));
    }
    log.info(
      `LEADING - quorum port ${
        this.listeners.map((l) => `${(l.addr as Deno.NetAddr).hostname}:${this.portOf(l)}`)
          .join(", ")
      }`,
    );
    for (const l of this.listeners) void this.accept(l);
    this.chain = this.chain.then(() => this.begin()).catch((e) =>
      this.end(`leader failed to start: ${(e as Error).message}`)
    );
    this.timer = setInterval(() => this.halfTick(), Math.max(1, Math.floor(o.tickTime / 2)));
  }

  /** Ends leading (the peer stops or looks again). */
  stop(reason: string): Promise<LeaderEnd> {
    this.end(reason);
    return this.done;
  }

  /**
   * Proposes a txn once the epoch is established: `build(zxid)` returns its
   * txn-entry bytes (TxnHeader with that zxid + body + TxnDigest). Returns
   * the zxid; the host hears of it again in commit().
   */
  propose(build: (zxid: bigint) => Uint8Array): bigint {
    const b = this.broadcast;
    if (this.ended || b === null || this.discovery?.phase !== "established") {
      throw new Error("not leading an established epoch: cannot propose");
    }
    const zxid = b.nextZxid;
    const entry = build(zxid);
    // TxnHeader: clientId (8), cxid (4), then the zxid.
    const inHeader = entry.length >= 20
      ? new DataView(entry.buffer, entry.byteOffset, entry.byteLength).getBigInt64(12)
      : -1n;
    if (inHeader !== zxid) {
      throw new Error(`txn header carries zxid ${zxidHex(inHeader)}, expected ${zxidHex(zxid)}`);
    }
    this.doBroadcast(b.propose({ zxid, entry }, performance.now()));
    return zxid;
  }

  /** Answers a learner's forwarded sync, after the COMMIT of everything proposed so far. */
  sync(sid: bigint): void {
    if (this.ended || this.broadcast === null) return;
    this.doBroadcast(this.broadcast.sync(sid));
  }

  private portOf(l: Deno.Listener): number {
    return (l.addr as Deno.NetAddr).port;
  }

  /** The first chain step: memory at the last logged zxid, then discovery starts. */
  private async begin(): Promise<void> {
    const zl = this.o.zabLog;
    await zl.drain();
    // The whole log is this leader's history: its tree must hold all of it.
    if (zl.lastAppliedZxid < zl.lastLoggedZxid) await zl.fastForward();
    const last = zl.lastLoggedZxid;
    this.window = zl.committedWindow().filter((t) => t.zxid <= last);
    const size = this.o.windowSize ?? 500;
    if (this.o.history && this.window.length < size && last !== 0n) {
      const fromDisk = (await this.o.history()).filter((t) => t.zxid <= last);
      if (fromDisk.length > this.window.length && fromDisk.at(-1)!.zxid === last) {
        this.window = fromDisk;
      }
    }
    if (this.ended) return;
    this.discovery = new LeaderDiscovery({
      myid: this.o.myid,
      qv: this.o.qv,
      acceptedEpoch: zl.acceptedEpoch,
      currentEpoch: zl.currentEpoch,
      lastZxid: zl.lastLoggedZxid,
      initLimit: this.o.initLimit,
    });
    log.info(
      `Leader state summary: currentEpoch ${zl.currentEpoch}, acceptedEpoch ${zl.acceptedEpoch}, ` +
        `last zxid ${zxidHex(zl.lastLoggedZxid)}`,
    );
    await this.doDiscovery(this.discovery.start(this.tickNo));
  }

  /** Runs a core input after every input before it; its actions are performed before the next. */
  private input(step: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.ended) return;
      await step();
    }).catch((e) => this.end(`leader failed: ${(e as Error).message}`));
    this.chain = next;
    return next;
  }

  private halfTick(): void {
    this.input(() => {
      const d = this.discovery;
      if (d === null) return;
      this.halfTicks++;
      if (this.halfTicks % 2 === 0) {
        this.tickNo++;
        if (d.phase !== "established") {
          const a = d.tick(this.tickNo);
          if (a.length) return this.doDiscovery(a);
        } else {
          this.doLiveness(this.liveness.tick(this.tickNo));
          if (this.ended) return;
        }
      }
      const b = this.broadcast;
      if (b === null) return;
      this.doLiveness(this.liveness.halfTick(performance.now(), b.lastProposed, b.oldestUnacked()));
    });
  }

  private async accept(l: Deno.Listener): Promise<void> {
    try {
      for await (const c of l) {
        if (this.ended) {
          c.close();
          break;
        }
        void this.serveLearner(c);
      }
    } catch (e) {
      if (!this.ended) this.end(`the quorum port failed: ${(e as Error).message}`);
    }
  }

  /** One learner connection, from FOLLOWERINFO/OBSERVERINFO to its end. */
  private async serveLearner(c: Deno.Conn): Promise<void> {
    const q = new QuorumConn(c);
    this.conns.add(q);
    // 3.8's SO_TIMEOUT until the NEWLEADER ACK: initLimit ticks per read.
    q.setReadDeadline(this.o.tickTime * this.o.initLimit);
    let link: Link | null = null;
    let why = "the learner closed the connection";
    try {
      const first = await q.read();
      if (first === null) return;
      if (first.type !== PacketType.FOLLOWERINFO && first.type !== PacketType.OBSERVERINFO) {
        why = `First packet is ${packetName(first.type)}, not FOLLOWERINFO or OBSERVERINFO`;
        return;
      }
      const hello = parseLearnerInfo(first);
      const sid = hello.serverid;
      const member = sid === null ? undefined : this.o.qv.allMembers.get(Number(sid));
      if (sid === null || member === undefined) {
        why = `learner sid ${sid ?? "(none)"} is not in this leader's configuration`;
        return;
      }
      if (hello.observer !== (member.type === "observer")) {
        why = `sid ${sid} sent ${packetName(first.type)} but is configured as ${member.type}`;
        return;
      }
      const old = this.links.get(sid);
      if (old) this.learnerGone(old, "the learner connected again");
      link = { sid, observer: hello.observer, conn: q, deferred: null, newLeaderAcked: false };
      this.links.set(sid, link);
      log.info(
        `Follower sid: ${sid} : info : ${q.name}; acceptedEpoch ${hello.acceptedEpoch}${
          hello.observer ? " (observer)" : ""
        }`,
      );
      const l = link;
      await this.input(() => {
        this.liveness.connected(sid, this.tickNo);
        return this.doDiscovery(
          this.discovery!.learnerInfo(sid, {
            observer: hello.observer,
            acceptedEpoch: hello.acceptedEpoch,
            configVersion: hello.configVersion,
          }, this.tickNo),
        );
      });
      while (!this.ended && this.links.get(sid) === l) {
        const p = await q.read();
        if (p === null) return;
        await this.input(() => {
          try {
            return this.receive(l, p);
          } catch (e) {
            // A payload that does not parse ends this learner, not the leadership.
            if (!(e instanceof ZabProtocolError || e instanceof DecodeError)) throw e;
            this.learnerGone(l, `${e.message} (from sid ${l.sid})`);
          }
        });
      }
    } catch (e) {
      // QuorumConn logged the one line (garbage, timeout, socket error).
      why = (e as Error).message;
    } finally {
      this.conns.delete(q);
      if (link !== null && this.links.get(link.sid) === link) {
        const l = link;
        await this.input(() => this.learnerGone(l, why));
      } else if (!q.closed) q.closeWithReason(why);
    }
  }

  /** One packet from a registered learner. */
  private receive(l: Link, p: QuorumPacket): Promise<void> | void {
    if (this.links.get(l.sid) !== l) return;
    const d = this.discovery!;
    this.liveness.heard(l.sid, this.tickNo);
    switch (p.type) {
      case PacketType.ACKEPOCH:
        return this.doDiscovery(d.ackEpoch(l.sid, parseAckEpoch(p), this.tickNo));
      case PacketType.ACK: {
        if (!l.newLeaderAcked && counterOf(p.zxid) === 0n && p.zxid === d.newLeaderZxid) {
          l.newLeaderAcked = true;
          // 3.8: syncLimit ticks per read once the NEWLEADER ACK is in.
          l.conn.setReadDeadline(this.o.tickTime * this.o.syncLimit);
        }
        // Each core ignores the ACKs that are not its own.
        const a = d.ack(l.sid, p.zxid);
        const wait = a.length ? this.doDiscovery(a) : undefined;
        if (this.broadcast) this.doBroadcast(this.broadcast.ack(l.sid, p.zxid));
        return wait;
      }
      case PacketType.PING:
        this.o.host?.touch?.(l.sid, parseTouches(p));
        return;
      case PacketType.REQUEST: {
        const req = parseRequest(p);
        if (this.o.host?.submit) this.o.host.submit(l.sid, req);
        else if (req.type === OpCode.sync) this.sync(l.sid);
        else log.warn(`Dropping a forwarded request type ${req.type} from sid ${l.sid}: no host`);
        return;
      }
      case PacketType.REVALIDATE: {
        const { sessionId, timeout } = parseRevalidate(p);
        const host = this.o.host?.revalidate;
        const answer = host
          ? host(l.sid, sessionId, timeout)
          : this.o.zabLog.tree.sessions.has(sessionId);
        Promise.resolve(answer).then((valid) => {
          if (this.links.get(l.sid) === l) {
            this.sendTo(l.sid, revalidateReplyPacket(sessionId, valid));
          }
        }, (e) => log.warn(`revalidating 0x${sessionId.toString(16)}: ${(e as Error).message}`));
        return;
      }
      default:
        log.warn(`Unexpected packet from sid ${l.sid}: ${packetName(p.type)}; ignored`);
    }
  }

  /** A learner's connection is over: the cores forget it, its socket closes. */
  private learnerGone(l: Link, reason: string): void {
    if (this.links.get(l.sid) !== l) return;
    this.links.delete(l.sid);
    this.discovery?.learnerGone(l.sid);
    this.liveness.gone(l.sid);
    this.broadcast?.removeLearner(l.sid);
    this.conns.delete(l.conn);
    if (!l.conn.closed) l.conn.closeWithReason(reason);
    else log.info(`Learner sid ${l.sid} gone: ${reason}`);
  }

  private sendTo(sid: bigint, p: QuorumPacket): void {
    const l = this.links.get(sid);
    if (!l) return;
    if (l.deferred !== null) {
      // The SNAP stream owns the socket; a PING then would only be stale.
      if (p.type !== PacketType.PING) l.deferred.push(p);
      return;
    }
    l.conn.send(p);
  }

  private async doDiscovery(actions: DiscoveryAction[]): Promise<void> {
    const zl = this.o.zabLog;
    for (const a of actions) {
      if (this.ended) return;
      switch (a.kind) {
        case "writeAcceptedEpoch":
          await zl.writeAcceptedEpoch(a.epoch);
          break;
        case "writeCurrentEpoch": {
          await zl.writeCurrentEpoch(a.epoch);
          this.broadcast = new Broadcast({
            myid: this.o.myid,
            qv: this.o.qv,
            epoch: a.epoch,
            lastCommitted: zl.lastLoggedZxid,
            window: this.window,
            windowSize: this.o.windowSize,
          });
          break;
        }
        case "send":
          this.sendTo(a.to, a.packet);
          if (a.packet.type === PacketType.UPTODATE) {
            this.broadcast?.upToDate(a.to, performance.now());
            this.liveness.upToDate(a.to, this.tickNo);
          }
          break;
        case "startSync":
          this.startSync(a.sid, a.peerZxid, a.observer);
          break;
        case "refuse": {
          const l = this.links.get(a.sid);
          if (l) this.learnerGone(l, a.reason);
          break;
        }
        case "established":
          this.established = true;
          log.info(
            `Have quorum of supporters, sids: [ ${
              this.discovery!.newLeaderAcks.join(",")
            } ]; starting up and setting last processed zxid: ${zxidHex(makeZxid(a.epoch, 0))}`,
          );
          this.o.host?.serving?.(a.epoch);
          break;
        case "giveUp":
          this.end(a.reason);
          return;
      }
    }
  }

  /** Plans a learner's sync and sends it (a SNAP streams in the background, later packets wait). */
  private startSync(sid: bigint, peerZxid: bigint, observer: boolean): void {
    const l = this.links.get(sid);
    const b = this.broadcast!;
    if (!l) return;
    const plan = b.syncLearner(sid, {
      observer,
      peerZxid,
      quorumVerifier: this.qvText,
      forceSnap: this.o.forceSnap,
    });
    log.info(
      `Synchronizing with Learner sid: ${sid} peerLastZxid=${zxidHex(peerZxid)}: ` +
        `${plan.mode.toUpperCase()} ${
          zxidHex(plan.zxid)
        } (${plan.reason}), ${plan.packets.length} packets`,
    );
    this.o.host?.synced?.(sid, { mode: plan.mode, zxid: plan.zxid, reason: plan.reason });
    this.liveness.syncing(sid);
    if (plan.mode !== "snap") {
      for (const p of plan.packets) l.conn.send(p);
      return;
    }
    // The image is frozen now, at lastCommitted: commits from here on reach
    // this learner as live traffic queued behind the stream.
    const image = this.o.zabLog.image();
    if (image.lastProcessedZxid !== plan.zxid) {
      image.release();
      this.learnerGone(
        l,
        `the tree is at ${zxidHex(image.lastProcessedZxid)}, not at the SNAP's ${
          zxidHex(plan.zxid)
        }`,
      );
      return;
    }
    l.deferred = plan.packets.slice(1);
    void this.streamSnap(l, image);
  }

  private async streamSnap(l: Link, image: ReturnType<ZabLog["image"]>): Promise<void> {
    const started = performance.now();
    const at = image.lastProcessedZxid;
    try {
      await l.conn.sendSnap(image);
    } catch (e) {
      // The write failure closed the connection; its read loop reports it.
      log.warn(`Sending a snapshot to sid ${l.sid} failed: ${(e as Error).message}`);
      return;
    } finally {
      image.release();
    }
    const rest = l.deferred ?? [];
    l.deferred = null;
    if (this.links.get(l.sid) !== l) return;
    for (const p of rest) l.conn.send(p);
    log.info(
      `Sent a snapshot at ${
        zxidHex(at)
      } to sid ${l.sid} (${l.conn.stats.bytesOut} bytes so far) in ${
        Math.round(performance.now() - started)
      } ms`,
    );
  }

  private doBroadcast(actions: BroadcastAction[]): void {
    const zl = this.o.zabLog;
    for (const a of actions) {
      if (this.ended) return;
      switch (a.kind) {
        case "send":
          this.sendTo(a.to, a.packet);
          break;
        case "log": {
          const zxid = a.txn.zxid;
          zl.append([a.txn]).then(
            () => this.input(() => this.doBroadcast(this.broadcast!.ack(this.o.myid, zxid))),
            (e) => this.end(`cannot log ${zxidHex(zxid)}: ${(e as Error).message}`),
          );
          break;
        }
        case "apply": {
          const result = zl.apply(a.txn);
          this.o.host?.commit?.(a.txn, result);
          break;
        }
        case "stepDown":
          this.end(a.reason);
          return;
      }
    }
  }

  private doLiveness(actions: LivenessAction[]): void {
    for (const a of actions) {
      if (this.ended) return;
      switch (a.kind) {
        case "send":
          this.sendTo(a.to, a.packet);
          break;
        case "drop": {
          const l = this.links.get(a.sid);
          if (l) this.learnerGone(l, a.reason);
          break;
        }
        case "stepDown":
          this.end(a.reason);
          return;
      }
    }
  }

  /** Leading is over: stop accepting, close every learner, report. */
  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    log.info(`Shutdown called. For the reason ${reason}`);
    for (const l of this.listeners) {
      try {
        l.close();
      } catch { /* closed */ }
    }
    for (const l of this.links.values()) {
      if (!l.conn.closed) l.conn.closeWithReason(`leader shutting down: ${reason}`);
    }
    for (const q of this.conns) if (!q.closed) q.closeWithReason("leader shutting down");
    this.links.clear();
    this.conns.clear();
    this.resolveDone({
      reason,
      established: this.established,
      epoch: this.discovery?.epoch ?? 0n,
    });
  }
}
