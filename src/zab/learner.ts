// The learner's (follower's and observer's) Zab state machine, as a pure core
// (zab-3.8.md §7): register → LEADERINFO/ACKEPOCH → DIFF|TRUNC|SNAP → proposals
// until NEWLEADER → persist, then the NEWLEADER ACK → UPTODATE → broadcast.
// No sockets, files, timers or clock: inputs are packets, disk completions and
// ticks; every input returns the actions the shell must perform, in order.
// Disk actions are awaited where Zab's safety needs it (acceptedEpoch before
// ACKEPOCH; snapshot → txns fsynced → currentEpoch → NEWLEADER ACK, the order of
// 3.8.5's ZOOKEEPER-4785 fix); packets arriving meanwhile wait in an inbox.
import { OpCode } from "../jute/constants.ts";
import type { QuorumPacket } from "../jute/quorum.ts";
import type { TxnHeader } from "../jute/txn.ts";
import { ZabProtocolError } from "./errors.ts";
import {
  epochOf,
  isKnownPacketType,
  makeZxid,
  packetName,
  PacketType,
  ZAB_PROTOCOL_VERSION,
  zxidHex,
} from "./packet_types.ts";
import {
  ackEpochPacket,
  ackPacket,
  type ForwardedRequest,
  learnerInfoPacket,
  parseLeaderInfo,
  parseProposal,
  parseRevalidateReply,
  pingReplyPacket,
  requestPacket,
  revalidatePacket,
  type SessionTouch,
} from "./packets.ts";

/** A txn as the learner holds it: its zxid (from the TxnHeader), header and txn-entry bytes. */
export interface LearnerTxn {
  zxid: bigint;
  header: TxnHeader;
  /** TxnHeader + body + optional TxnDigest, as PROPOSAL/INFORM carry it and the log stores it. */
  entry: Uint8Array;
}

/** How the learner was brought in line with the leader (Java's SyncMode). */
export type SyncMode = "DIFF" | "TRUNC" | "SNAP";

/**
 * What the shell must do, in list order. Disk actions that the core waits for
 * name their completion; the others are fire-and-forget (or, for append,
 * reported through persisted() as the log writer's batches reach the disk).
 */
export type LearnerAction =
  /** Write this packet to the leader. */
  | { kind: "send"; packet: QuorumPacket }
  /** Write the acceptedEpoch file (tmp + fsync + rename); then call acceptedEpochWritten(). */
  | { kind: "writeAcceptedEpoch"; epoch: bigint }
  /** Truncate the txn log after `zxid` (kept) and reload the database from disk; then truncated(). */
  | { kind: "truncate"; zxid: bigint }
  /**
   * Clear the database and load the snapshot body that follows the SNAP packet
   * on the stream (check "BenWasHere"); its zxid is `zxid`. Then snapshotLoaded().
   */
  | { kind: "loadSnapshot"; zxid: bigint }
  /** Write a snapshot of the in-memory tree (fsync only if asked); then snapshotWritten(). */
  | { kind: "takeSnapshot"; zxid: bigint; fsync: boolean }
  /** Append txns to the log, in order; report persisted(zxid) once they are fsynced. */
  | { kind: "append"; txns: LearnerTxn[] }
  /** Write the currentEpoch file (tmp + fsync + rename); then currentEpochWritten(). */
  | { kind: "writeCurrentEpoch"; epoch: bigint }
  /**
   * Apply a committed txn to the tree (in zxid order). After a fuzzy SNAP it may
   * already be in the tree: apply must be idempotent, as for log replay.
   */
  | { kind: "apply"; txn: LearnerTxn }
  /** Synced: open the client port (and set the election vote's epoch). */
  | { kind: "startServing"; epoch: bigint }
  /** The leader answered the oldest forwarded sync: release it (after the applies before it). */
  | { kind: "syncDone"; request: ForwardedRequest }
  /** The leader's answer to a REVALIDATE this learner sent. */
  | { kind: "revalidated"; sessionId: bigint; valid: boolean }
  /** Something Java only logs; the link goes on. */
  | { kind: "warn"; message: string }
  /**
   * The link ends (the peer re-elects; a Java learner would exit on some of
   * these). `memory` says how to bring the database back in line with the disk:
   * "fast-forward" from the log (after draining the log writer, ZOOKEEPER-4712),
   * or "reload" from disk because memory holds state no file has (a SNAP or
   * txns applied before NEWLEADER's snapshot, ZOOKEEPER-3642).
   */
  | { kind: "leave"; reason: string; memory: "fast-forward" | "reload" };

/** What the learner starts from. */
export interface LearnerOptions {
  /** This server's id (myid). */
  sid: bigint;
  /** Observer (OBSERVERINFO, INFORM, no ACKs) rather than follower. */
  observer: boolean;
  /** The acceptedEpoch file's value. */
  acceptedEpoch: bigint;
  /** The currentEpoch file's value. */
  currentEpoch: bigint;
  /** The last zxid durable in the txn log (memory fast-forwarded to it): ACKEPOCH's zxid. */
  lastLoggedZxid: bigint;
  /** The local quorum verifier's version, sent in LearnerInfo (default 0). */
  configVersion?: bigint;
  /**
   * Read timeouts in ticks, as Java's SO_TIMEOUT: initLimit until NEWLEADER is
   * acknowledged, syncLimit after. Omitted: tick() never ends the link.
   */
  initLimit?: number;
  syncLimit?: number;
  /**
   * The sessions touched since the last PING reply (and forgets them): the
   * reply's touch table. Default: none.
   */
  takeTouches?: () => readonly SessionTouch[];
}

/** Where the learner is in Zab's phases. */
export type LearnerPhase =
  | "new" //           start() not called yet
  | "registering" //   FOLLOWERINFO/OBSERVERINFO sent, waiting for LEADERINFO
  | "awaiting-sync" // ACKEPOCH sent, waiting for DIFF/TRUNC/SNAP
  | "syncing" //       synchronizing, waiting for NEWLEADER
  | "synced" //        NEWLEADER acknowledged, waiting for UPTODATE
  | "broadcast" //     serving
  | "left";

/** A disk step the core waits for before it reads on. */
type Blocked =
  | "acceptedEpoch"
  | "truncate"
  | "snapshotLoad"
  | "newLeaderSnapshot"
  | "newLeaderTxns"
  | "currentEpoch";

/** Drives one learner connection to a leader; one instance per connection. */
export class LearnerCore {
  private phaseNow: LearnerPhase = "new";
  private blocked: Blocked | null = null;
  /** Packets received while blocked on the disk, in arrival order. */
  private inbox: QuorumPacket[] = [];
  private out: LearnerAction[] = [];

  private acceptedEpoch: bigint;
  private currentEpoch: bigint;
  private readonly lastLoggedAtStart: bigint;
  /** The epoch LEADERINFO proposed. */
  private newEpoch = -1n;
  private mode: SyncMode | null = null;
  /** Whether state in memory is on no disk yet (a SNAP, or TRUNC-mode applies before NEWLEADER). */
  private memoryAheadOfDisk = false;

  /** Proposals received and not yet handed to the log (cleared at NEWLEADER). */
  private notLogged: LearnerTxn[] = [];
  /** Proposals not yet committed, in zxid order: a COMMIT must name the head (ZOOKEEPER-4394). */
  private notCommitted: LearnerTxn[] = [];
  /** Committed txns waiting for their append to be issued before they apply (DIFF before NEWLEADER). */
  private committedNotApplied: LearnerTxn[] = [];
  /** The last proposal zxid received on this link; the next must be greater. */
  private lastQueued: bigint | null = null;
  /** Highest zxid in memory (snapshot, truncation point, or applied txn). */
  private lastApplied: bigint;
  /** Follower: logged proposals not yet ACKed, in zxid order. */
  private unacked: bigint[] = [];
  /** Highest zxid reported durable. */
  private persistedUpTo: bigint;
  /** zxid NEWLEADER's txns must reach before currentEpoch is written. */
  private newLeaderTarget = -1n;

  private pendingSyncs: ForwardedRequest[] = [];
  private pendingRevalidations = new Map<bigint, number>();
  private silentTicks = 0;

  constructor(private readonly opts: LearnerOptions) {
    this.acceptedEpoch = opts.acceptedEpoch;
    this.currentEpoch = opts.currentEpoch;
    this.lastLoggedAtStart = opts.lastLoggedZxid;
    this.lastApplied = opts.lastLoggedZxid;
    this.persistedUpTo = opts.lastLoggedZxid;
  }

  /** The current phase. */
  get phase(): LearnerPhase {
    return this.phaseNow;
  }

  /** The sync mode chosen by the leader's first sync packet (null before it). */
  get syncMode(): SyncMode | null {
    return this.mode;
  }

  /** Forwarded syncs not yet answered. */
  get pendingSyncCount(): number {
    return this.pendingSyncs.length;
  }

  /** Registers with the leader: FOLLOWERINFO/OBSERVERINFO with makeZxid(acceptedEpoch, 0). */
  start(): LearnerAction[] {
    if (this.phaseNow !== "new") throw new Error("LearnerCore.start() called twice");
    this.phaseNow = "registering";
    const type = this.opts.observer ? PacketType.OBSERVERINFO : PacketType.FOLLOWERINFO;
    this.send(learnerInfoPacket(type, this.acceptedEpoch, {
      serverid: this.opts.sid,
      protocolVersion: ZAB_PROTOCOL_VERSION,
      configVersion: this.opts.configVersion ?? 0n,
    }));
    return this.flush();
  }

  /** A packet from the leader. */
  receive(p: QuorumPacket): LearnerAction[] {
    if (this.phaseNow === "new") throw new Error("LearnerCore.receive() before start()");
    if (this.phaseNow === "left") return [];
    this.silentTicks = 0;
    if (this.blocked !== null) {
      this.inbox.push(p);
      return [];
    }
    this.handle(p);
    this.drainInbox();
    return this.flush();
  }

  /** One tick (tickTime) passed; too many without a packet from the leader ends the link. */
  tick(): LearnerAction[] {
    if (this.phaseNow === "new" || this.phaseNow === "left") return [];
    // A Java learner reading nothing while it writes to disk does not time out either.
    if (this.blocked !== null) return [];
    this.silentTicks++;
    const early = this.phaseNow !== "synced" && this.phaseNow !== "broadcast";
    const limit = early ? this.opts.initLimit : this.opts.syncLimit;
    if (limit !== undefined && this.silentTicks > limit) {
      this.leave(
        `nothing from the leader for ${this.silentTicks} ticks (${
          early ? "initLimit" : "syncLimit"
        } is ${limit})`,
      );
    }
    return this.flush();
  }

  /** The acceptedEpoch file is written. */
  acceptedEpochWritten(): LearnerAction[] {
    return this.unblock("acceptedEpoch", () => {
      this.acceptedEpoch = this.newEpoch;
      this.sendAckEpoch();
      this.phaseNow = "awaiting-sync";
    });
  }

  /** The log is truncated and the database reloaded (TRUNC). */
  truncated(): LearnerAction[] {
    return this.unblock("truncate", () => {
      this.phaseNow = "syncing";
    });
  }

  /** The SNAP body is loaded and its end marker checked. */
  snapshotLoaded(): LearnerAction[] {
    return this.unblock("snapshotLoad", () => {
      this.phaseNow = "syncing";
    });
  }

  /** The snapshot asked for at NEWLEADER is written. */
  snapshotWritten(): LearnerAction[] {
    return this.unblock("newLeaderSnapshot", () => {
      this.memoryAheadOfDisk = false;
      this.persistNewLeaderTxns();
    });
  }

  /** Every appended txn up to zxid is fsynced. */
  persisted(zxid: bigint): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    if (zxid > this.persistedUpTo) this.persistedUpTo = zxid;
    if (this.blocked === "newLeaderTxns") {
      if (this.persistedUpTo >= this.newLeaderTarget) {
        return this.unblock("newLeaderTxns", () => this.writeCurrentEpoch());
      }
      return [];
    }
    if (this.phaseNow === "broadcast") this.sendAcks();
    return this.flush();
  }

  /** The currentEpoch file is written: acknowledge NEWLEADER. */
  currentEpochWritten(): LearnerAction[] {
    return this.unblock("currentEpoch", () => {
      this.currentEpoch = this.newEpoch;
      // The first packet after NEWLEADER: nothing else may be sent before it.
      this.send(ackPacket(makeZxid(this.newEpoch, 0)));
      this.phaseNow = "synced";
    });
  }

  /** A disk step failed (or the SNAP body was bad): the link ends. */
  diskFailed(what: string): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    this.leave(what);
    return this.flush();
  }

  /** The connection ended (EOF, socket error, shutdown). */
  close(reason: string): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    this.leave(reason);
    return this.flush();
  }

  /** Forwards a client write or sync to the leader (serving only); syncs wait for SYNC, FIFO. */
  forward(request: ForwardedRequest): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    if (this.phaseNow !== "broadcast") throw new Error("LearnerCore.forward() before UPTODATE");
    if (request.type === OpCode.sync) this.pendingSyncs.push(request);
    this.send(requestPacket(request));
    return this.flush();
  }

  /** Asks the leader whether a reconnecting client's session is still valid. */
  revalidate(sessionId: bigint, timeout: number): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    if (this.phaseNow !== "broadcast") throw new Error("LearnerCore.revalidate() before UPTODATE");
    this.pendingRevalidations.set(sessionId, (this.pendingRevalidations.get(sessionId) ?? 0) + 1);
    this.send(revalidatePacket(sessionId, timeout));
    return this.flush();
  }

  // ---- packets ----

  private handle(p: QuorumPacket): void {
    try {
      if (!isKnownPacketType(p.type)) {
        this.leave(`unknown packet type ${p.type} from the leader (${this.phaseNow})`);
        return;
      }
      if (p.type === PacketType.COMMITANDACTIVATE || p.type === PacketType.INFORMANDACTIVATE) {
        // Only sent with reconfigEnabled=true, which zkt refuses at config time.
        this.leave(`${packetName(p.type)}: dynamic reconfig is not supported`);
        return;
      }
      switch (this.phaseNow) {
        case "registering":
          return this.onRegistering(p);
        case "awaiting-sync":
          return this.onFirstSyncPacket(p);
        case "syncing":
        case "synced":
          return this.onSyncing(p);
        case "broadcast":
          return this.opts.observer ? this.onObserving(p) : this.onFollowing(p);
      }
    } catch (e) {
      if (!(e instanceof ZabProtocolError)) throw e;
      this.leave(`bad ${packetName(p.type)} from the leader: ${e.message}`);
    }
  }

  private onRegistering(p: QuorumPacket): void {
    if (p.type === PacketType.NEWLEADER) {
      this.leave("NEWLEADER before LEADERINFO: a pre-Zab-1.0 leader, not supported");
      return;
    }
    if (p.type !== PacketType.LEADERINFO) {
      this.leave(`expected LEADERINFO, got ${packetName(p.type)}`);
      return;
    }
    const { epoch } = parseLeaderInfo(p);
    this.newEpoch = epoch;
    if (epoch < this.acceptedEpoch) {
      this.leave(
        `leader proposed epoch ${epoch}, lower than our acceptedEpoch ${this.acceptedEpoch}`,
      );
    } else if (epoch > this.acceptedEpoch) {
      // acceptedEpoch must be durable before the ACKEPOCH that promises it.
      this.blocked = "acceptedEpoch";
      this.out.push({ kind: "writeAcceptedEpoch", epoch });
    } else {
      this.sendAckEpoch();
      this.phaseNow = "awaiting-sync";
    }
  }

  private sendAckEpoch(): void {
    // -1 when the epoch was accepted already: such an ACKEPOCH does not count as an ack.
    const data = this.newEpoch === this.opts.acceptedEpoch
      ? -1
      : Number(BigInt.asIntN(32, this.currentEpoch));
    this.send(ackEpochPacket(this.lastLoggedAtStart, data));
  }

  private onFirstSyncPacket(p: QuorumPacket): void {
    switch (p.type) {
      case PacketType.DIFF:
        this.mode = "DIFF";
        this.lastQueued = this.lastLoggedAtStart;
        this.phaseNow = "syncing";
        return;
      case PacketType.TRUNC:
        if (p.zxid > this.lastLoggedAtStart) {
          this.leave(
            `TRUNC to ${zxidHex(p.zxid)}, after our last logged zxid ${
              zxidHex(this.lastLoggedAtStart)
            }`,
          );
          return;
        }
        this.mode = "TRUNC";
        this.lastQueued = p.zxid;
        this.lastApplied = p.zxid;
        this.persistedUpTo = p.zxid;
        this.blocked = "truncate";
        this.out.push({ kind: "truncate", zxid: p.zxid });
        return;
      case PacketType.SNAP:
        this.mode = "SNAP";
        // A fuzzy SNAP may be followed by txns it already holds: no lower bound.
        this.lastQueued = null;
        this.lastApplied = p.zxid;
        // Nothing appended on this link is durable yet (the old log's zxids say nothing).
        this.persistedUpTo = -1n;
        this.memoryAheadOfDisk = true;
        this.blocked = "snapshotLoad";
        this.out.push({ kind: "loadSnapshot", zxid: p.zxid });
        return;
      default:
        // A Java learner exits the JVM here (QUORUM_PACKET_ERROR, 13); we only re-elect.
        this.leave(`first sync packet must be DIFF, TRUNC or SNAP, got ${packetName(p.type)}`);
    }
  }

  /** Between the first sync packet and UPTODATE. */
  private onSyncing(p: QuorumPacket): void {
    const beforeNewLeader = this.phaseNow === "syncing";
    switch (p.type) {
      case PacketType.PROPOSAL:
        return this.onProposal(p, beforeNewLeader);
      case PacketType.COMMIT:
        return this.onCommit(p.zxid, beforeNewLeader);
      case PacketType.INFORM: {
        // Committed as it comes; a Java leader sends it only to observers.
        const txn = this.takeProposal(p);
        if (txn === null) return;
        this.queueForLog(txn, beforeNewLeader);
        this.commitTxn(txn, beforeNewLeader);
        return;
      }
      case PacketType.PING:
        // Java leaders PING late joiners between NEWLEADER and UPTODATE: no reply until serving.
        return;
      case PacketType.NEWLEADER:
        if (!beforeNewLeader) {
          this.leave("a second NEWLEADER");
          return;
        }
        if (p.zxid !== makeZxid(this.newEpoch, 0)) {
          this.leave(
            `NEWLEADER zxid ${
              zxidHex(p.zxid)
            } is not the epoch LEADERINFO proposed (${this.newEpoch})`,
          );
          return;
        }
        return this.onNewLeader();
      case PacketType.UPTODATE:
        if (beforeNewLeader) {
          this.leave("UPTODATE before NEWLEADER: a pre-Zab-1.0 leader, not supported");
          return;
        }
        return this.onUpToDate();
      default:
        this.leave(`unexpected ${packetName(p.type)} while synchronizing`);
    }
  }

  /** Parses a PROPOSAL/INFORM and checks its zxid moves forward; null after leaving. */
  private takeProposal(p: QuorumPacket): LearnerTxn | null {
    const { txnEntry, header } = parseProposal(p);
    const zxid = header.zxid;
    const last = this.lastQueued;
    if (last !== null && zxid <= last) {
      this.leave(
        `${packetName(p.type)} ${zxidHex(zxid)} does not follow the last one, ${zxidHex(last)}`,
      );
      return null;
    }
    if (last !== null && epochOf(zxid) === epochOf(last) && zxid !== last + 1n) {
      this.warn(`got ${packetName(p.type)} ${zxidHex(zxid)}, expected ${zxidHex(last + 1n)}`);
    }
    this.lastQueued = zxid;
    return { zxid, header, entry: txnEntry };
  }

  private onProposal(p: QuorumPacket, beforeNewLeader: boolean): void {
    const txn = this.takeProposal(p);
    if (txn === null) return;
    this.notCommitted.push(txn);
    this.queueForLog(txn, beforeNewLeader);
  }

  /** Before NEWLEADER a txn waits for it; after, it goes to the log at once. */
  private queueForLog(txn: LearnerTxn, beforeNewLeader: boolean): void {
    if (beforeNewLeader) {
      this.notLogged.push(txn);
    } else {
      this.out.push({ kind: "append", txns: [txn] });
      if (!this.opts.observer) this.unacked.push(txn.zxid);
    }
  }

  private onCommit(zxid: bigint, beforeNewLeader: boolean): void {
    const head = this.notCommitted[0];
    if (head === undefined) {
      this.leave(`COMMIT ${zxidHex(zxid)} with no proposal pending`);
      return;
    }
    if (head.zxid !== zxid) {
      // A Java follower exits here (UNMATCHED_TXN_COMMIT, 12); we re-elect.
      this.leave(
        `COMMIT ${zxidHex(zxid)} is not the oldest pending proposal ${zxidHex(head.zxid)}`,
      );
      return;
    }
    this.notCommitted.shift();
    this.commitTxn(head, beforeNewLeader);
  }

  /** A committed txn: applied now if memory may hold it, else once its append is issued. */
  private commitTxn(txn: LearnerTxn, beforeNewLeader: boolean): void {
    if (beforeNewLeader && this.mode !== "DIFF") {
      // SNAP/TRUNC: the snapshot written at NEWLEADER will hold it; it is never logged.
      const at = this.notLogged.indexOf(txn);
      if (at >= 0) this.notLogged.splice(at, 1);
      this.memoryAheadOfDisk = true;
      this.apply(txn);
    } else if (beforeNewLeader) {
      // DIFF: memory must not run ahead of the log; NEWLEADER logs it first.
      this.committedNotApplied.push(txn);
    } else {
      this.apply(txn);
    }
  }

  private apply(txn: LearnerTxn): void {
    if (txn.zxid > this.lastApplied) this.lastApplied = txn.zxid;
    this.out.push({ kind: "apply", txn });
  }

  /** NEWLEADER: snapshot (SNAP/TRUNC), txns + fsync, currentEpoch, then the ACK. */
  private onNewLeader(): void {
    if (this.mode !== "DIFF") {
      this.blocked = "newLeaderSnapshot";
      // fsync whenever memory holds what no file does (SNAP, or TRUNC followed by
      // committed pairs): the NEWLEADER ACK promises it is durable (found by
      // tests/sim/zab_sim.ts; 3.8 fsyncs only after SNAP).
      this.out.push({
        kind: "takeSnapshot",
        zxid: this.lastApplied,
        fsync: this.mode === "SNAP" || this.memoryAheadOfDisk,
      });
      return;
    }
    this.persistNewLeaderTxns();
  }

  private persistNewLeaderTxns(): void {
    const txns = this.notLogged;
    this.notLogged = [];
    if (txns.length === 0) {
      this.writeCurrentEpoch();
      return;
    }
    this.out.push({ kind: "append", txns });
    if (!this.opts.observer) this.unacked.push(...txns.map((t) => t.zxid));
    this.newLeaderTarget = txns[txns.length - 1].zxid;
    // Committed txns whose append is now issued may apply.
    for (const t of this.committedNotApplied) this.apply(t);
    this.committedNotApplied = [];
    if (this.persistedUpTo >= this.newLeaderTarget) {
      this.writeCurrentEpoch();
    } else {
      this.blocked = "newLeaderTxns";
    }
  }

  private writeCurrentEpoch(): void {
    this.blocked = "currentEpoch";
    this.out.push({ kind: "writeCurrentEpoch", epoch: this.newEpoch });
  }

  private onUpToDate(): void {
    if (this.opts.observer && this.notCommitted.length > 0) {
      // A Java 3.8 observer NPEs on this; a correct leader never sends it (zab-3.8.md §6.4).
      this.leave(
        `UPTODATE with proposal ${zxidHex(this.notCommitted[0].zxid)} never committed (observer)`,
      );
      return;
    }
    this.send(ackPacket(makeZxid(this.newEpoch, 0)));
    this.out.push({ kind: "startServing", epoch: this.newEpoch });
    this.phaseNow = "broadcast";
    // 3.8.5's order: the proposals persisted at NEWLEADER are ACKed after the UPTODATE ACK.
    this.sendAcks();
  }

  private sendAcks(): void {
    let n = 0;
    while (n < this.unacked.length && this.unacked[n] <= this.persistedUpTo) {
      this.send(ackPacket(this.unacked[n]));
      n++;
    }
    if (n > 0) this.unacked.splice(0, n);
  }

  private onFollowing(p: QuorumPacket): void {
    switch (p.type) {
      case PacketType.PING:
        return this.replyPing(p);
      case PacketType.PROPOSAL:
        return this.onProposal(p, false);
      case PacketType.COMMIT:
        return this.onCommit(p.zxid, false);
      case PacketType.SYNC:
        return this.onSync();
      case PacketType.REVALIDATE:
        return this.onRevalidateReply(p);
      case PacketType.UPTODATE:
        return this.warn("UPTODATE after the learner started serving");
      default:
        this.leave(`unexpected ${packetName(p.type)} while following`);
    }
  }

  private onObserving(p: QuorumPacket): void {
    switch (p.type) {
      case PacketType.PING:
        return this.replyPing(p);
      case PacketType.INFORM: {
        const txn = this.takeProposal(p);
        if (txn === null) return;
        this.out.push({ kind: "append", txns: [txn] });
        this.apply(txn);
        return;
      }
      case PacketType.PROPOSAL:
        return this.warn(`observer ignores PROPOSAL ${zxidHex(p.zxid)}`);
      case PacketType.COMMIT:
        return this.warn(`observer ignores COMMIT ${zxidHex(p.zxid)}`);
      case PacketType.SYNC:
        return this.onSync();
      case PacketType.REVALIDATE:
        return this.onRevalidateReply(p);
      case PacketType.UPTODATE:
        return this.warn("UPTODATE after the learner started serving");
      default:
        this.leave(`unexpected ${packetName(p.type)} while observing`);
    }
  }

  private replyPing(p: QuorumPacket): void {
    // Never null data: a Java leader wraps it unchecked and drops us on null.
    this.send(pingReplyPacket(p.zxid, this.opts.takeTouches?.() ?? []));
  }

  private onSync(): void {
    const request = this.pendingSyncs.shift();
    if (request === undefined) {
      this.leave("SYNC from the leader with no sync pending");
      return;
    }
    this.out.push({ kind: "syncDone", request });
  }

  private onRevalidateReply(p: QuorumPacket): void {
    const { sessionId, valid } = parseRevalidateReply(p);
    const n = this.pendingRevalidations.get(sessionId);
    if (n === undefined) {
      this.warn(`REVALIDATE answer for session 0x${sessionId.toString(16)}, which we did not ask`);
      return;
    }
    if (n > 1) this.pendingRevalidations.set(sessionId, n - 1);
    else this.pendingRevalidations.delete(sessionId);
    this.out.push({ kind: "revalidated", sessionId, valid });
  }

  // ---- plumbing ----

  private unblock(step: Blocked, then: () => void): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    if (this.blocked !== step) {
      throw new Error(`LearnerCore: ${step} completed but the core waits for ${this.blocked}`);
    }
    this.blocked = null;
    then();
    this.drainInbox();
    return this.flush();
  }

  private drainInbox(): void {
    while (this.blocked === null && this.inbox.length > 0 && this.phaseNow !== "left") {
      this.handle(this.inbox.shift()!);
    }
  }

  private send(packet: QuorumPacket): void {
    this.out.push({ kind: "send", packet });
  }

  private warn(message: string): void {
    this.out.push({ kind: "warn", message });
  }

  private leave(reason: string): void {
    if (this.phaseNow === "left") return;
    this.phaseNow = "left";
    this.blocked = null;
    this.inbox = [];
    this.out.push({
      kind: "leave",
      reason,
      memory: this.memoryAheadOfDisk ? "reload" : "fast-forward",
    });
  }

  private flush(): LearnerAction[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
