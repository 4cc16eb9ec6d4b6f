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
// Its parts: leader_links.ts (learner connections, their read loops, sends
// behind a SNAP stream), leader_proposals.ts (the established epoch's
// proposals, own log, commits), leader_requests.ts (what learners ask of the
// host), leader_host.ts (the host's hooks and the options).
//
// How a peer composes it (tests/support/zab_leader_peer.ts does exactly
// this): open the ZabLog before the election; on LEADING construct and
// start() at once (the bind happens there), with history = leader_log.ts's
// committedWindowFromLog; host.serving(epoch) → the vote's peerEpoch, and
// proposals may start; propose(build) assigns the zxid synchronously, so the
// host's prep order is the proposal order; `done` → drain the log and
// fast-forward memory (settleAfterRole), then look again.
import { DecodeError } from "../jute/errors.ts";
import { logger } from "../log/logger.ts";
import { Broadcast, type BroadcastAction } from "./broadcast.ts";
import { type DiscoveryAction, LeaderDiscovery } from "./discovery.ts";
import { ZabProtocolError } from "./errors.ts";
import type { LeaderEnd, LeaderShellOptions } from "./leader_host.ts";
import { startingWindow } from "./leader_log.ts";
import {
  type LearnerHandlerInfo,
  learnerHandlerInfo,
  LearnerLinks,
  type Link,
} from "./leader_links.ts";
import { LeaderProposals } from "./leader_proposals.ts";
import { learnerRequest, type RequestsContext } from "./leader_requests.ts";
import { LeaderLiveness, type LivenessAction } from "./liveness.ts";
import { counterOf, makeZxid, packetName, PacketType, zxidHex } from "./packet_types.ts";
import { parseAckEpoch, type QuorumPacket } from "./packets.ts";
import type { ZabLogTxn } from "./zab_log.ts";

export type { LeaderEnd, LeaderShellOptions, ZabHost } from "./leader_host.ts";

const log = logger("Leader");

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
  /** Performs the Broadcast core's actions (with it from the epoch's start). */
  private proposals: LeaderProposals | null = null;
  private readonly links: LearnerLinks;
  private readonly requests: RequestsContext;
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
    this.links = new LearnerLinks({
      qv: o.qv,
      initDeadlineMs: o.tickTime * o.initLimit,
      ended: () => this.ended,
      registered: (l, hello) =>
        this.input(() => {
          this.liveness.connected(l.sid, this.tickNo);
          return this.doDiscovery(
            this.discovery!.learnerInfo(l.sid, {
              observer: hello.observer,
              acceptedEpoch: hello.acceptedEpoch,
              configVersion: hello.configVersion,
            }, this.tickNo),
          );
        }),
      packet: (l, p) =>
        this.input(() => {
          try {
            return this.receive(l, p);
          } catch (e) {
            // A payload that does not parse ends this learner, not the leadership.
            if (!(e instanceof ZabProtocolError || e instanceof DecodeError)) throw e;
            this.learnerGone(l, `${e.message} (from sid ${l.sid})`);
          }
        }),
      lost: (l, why) => this.input(() => this.learnerGone(l, why)),
      queueSample: o.queueSample,
      forget: (sid) => {
        this.discovery?.learnerGone(sid);
        this.liveness.gone(sid);
        this.broadcast?.removeLearner(sid);
      },
    });
    this.requests = {
      zabLog: o.zabLog,
      host: o.host,
      sync: (sid) => this.sync(sid),
      reply: (l, p) => {
        if (this.links.isCurrent(l)) this.sendTo(l.sid, p);
      },
    };
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

  /** The learners connected, with their connection's counters (3.8's LearnerHandler info). */
  learners(): LearnerHandlerInfo[] {
    return this.links.all().map((l) =>
      learnerHandlerInfo(
        l,
        this.discovery?.isUpToDate(l.sid) ?? false,
        this.broadcast?.hasMember(l.sid) ?? false,
      )
    );
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
    const p = this.proposals;
    if (this.ended || p === null || this.discovery?.phase !== "established") {
      throw new Error("not leading an established epoch: cannot propose");
    }
    return p.propose(build);
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
    this.window = await startingWindow(zl, this.o.windowSize ?? 500, this.o.history);
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
        void this.links.serve(c);
      }
    } catch (e) {
      if (!this.ended) this.end(`the quorum port failed: ${(e as Error).message}`);
    }
  }

  /** One packet from a registered learner. */
  private receive(l: Link, p: QuorumPacket): Promise<void> | void {
    if (!this.links.isCurrent(l)) return;
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
      default:
        if (!learnerRequest(this.requests, l, p)) {
          log.warn(`Unexpected packet from sid ${l.sid}: ${packetName(p.type)}; ignored`);
        }
    }
  }

  /** A learner's connection is over: the cores forget it, its socket closes. */
  private learnerGone(l: Link, reason: string): void {
    this.links.gone(l, reason);
  }

  private sendTo(sid: bigint, p: QuorumPacket): void {
    this.links.send(sid, p);
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
          this.proposals = new LeaderProposals(this.broadcast, {
            myid: this.o.myid,
            zabLog: zl,
            host: this.o.host,
            send: (sid, p) => this.sendTo(sid, p),
            input: (step) => this.input(step),
            end: (reason) => this.end(reason),
            ended: () => this.ended,
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
    this.links.sendSync(l, plan, () => this.o.zabLog.image());
  }

  private doBroadcast(actions: BroadcastAction[]): void {
    this.proposals?.perform(actions);
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
    this.links.closeAll(reason);
    this.resolveDone({
      reason,
      established: this.established,
      epoch: this.discovery?.epoch ?? 0n,
    });
  }
}
