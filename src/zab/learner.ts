// The learner's (follower's and observer's) Zab state machine, as a pure core
// (zab-3.8.md §7): register → LEADERINFO/ACKEPOCH → DIFF|TRUNC|SNAP → proposals
// until NEWLEADER → persist, then the NEWLEADER ACK → UPTODATE → broadcast.
// No sockets, files, timers or clock: inputs are packets, disk completions and
// ticks; every input returns the actions the shell must perform, in order.
// Disk actions are awaited where Zab's safety needs it (acceptedEpoch before
// ACKEPOCH; snapshot → txns fsynced → currentEpoch → NEWLEADER ACK, the order of
// 3.8.5's ZOOKEEPER-4785 fix); packets arriving meanwhile wait in an inbox.
// Its parts: learner_handshake.ts (LEADERINFO and first-sync-packet
// decisions), learner_txns.ts (proposal, commit and ACK bookkeeping),
// learner_serving.ts (the broadcast phase), learner_types.ts (the vocabulary).
import type { QuorumPacket } from "../jute/quorum.ts";
import { ZabProtocolError } from "./errors.ts";
import { ackEpochFor, firstSyncStep, leaderInfoStep } from "./learner_handshake.ts";
import { LearnerServing } from "./learner_serving.ts";
import { LearnerTxns } from "./learner_txns.ts";
import type {
  LearnerAction,
  LearnerOptions,
  LearnerOutput,
  LearnerPhase,
  SyncMode,
} from "./learner_types.ts";
import {
  isKnownPacketType,
  makeZxid,
  packetName,
  PacketType,
  ZAB_PROTOCOL_VERSION,
  zxidHex,
} from "./packet_types.ts";
import { ackPacket, type ForwardedRequest, learnerInfoPacket } from "./packets.ts";

export type {
  LearnerAction,
  LearnerOptions,
  LearnerPhase,
  LearnerTxn,
  SyncMode,
} from "./learner_types.ts";

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
  /** zxid NEWLEADER's txns must reach before currentEpoch is written. */
  private newLeaderTarget = -1n;
  private silentTicks = 0;

  /** How the parts write actions: into this input's list (flush swaps it). */
  private readonly output: LearnerOutput = {
    push: (a) => this.out.push(a),
    leave: (reason) => this.leave(reason),
  };
  private readonly txns: LearnerTxns;
  private readonly serving: LearnerServing;

  constructor(private readonly opts: LearnerOptions) {
    this.acceptedEpoch = opts.acceptedEpoch;
    this.currentEpoch = opts.currentEpoch;
    this.lastLoggedAtStart = opts.lastLoggedZxid;
    this.txns = new LearnerTxns(opts.observer, opts.lastLoggedZxid, this.output);
    this.serving = new LearnerServing(opts.observer, this.txns, this.output, opts.takeTouches);
  }

  /** The current phase. */
  get phase(): LearnerPhase {
    return this.phaseNow;
  }

  /** The sync mode chosen by the leader's first sync packet (null before it). */
  get syncMode(): SyncMode | null {
    return this.txns.mode;
  }

  /** Forwarded syncs not yet answered. */
  get pendingSyncCount(): number {
    return this.serving.pendingSyncCount;
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
      this.txns.memoryAheadOfDisk = false;
      this.persistNewLeaderTxns();
    });
  }

  /** Every appended txn up to zxid is fsynced. */
  persisted(zxid: bigint): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    this.txns.persisted(zxid);
    if (this.blocked === "newLeaderTxns") {
      if (this.txns.persistedUpTo >= this.newLeaderTarget) {
        return this.unblock("newLeaderTxns", () => this.writeCurrentEpoch());
      }
      return [];
    }
    if (this.phaseNow === "broadcast") this.txns.sendAcks();
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
    this.serving.forward(request);
    return this.flush();
  }

  /** Asks the leader whether a reconnecting client's session is still valid. */
  revalidate(sessionId: bigint, timeout: number): LearnerAction[] {
    if (this.phaseNow === "left") return [];
    if (this.phaseNow !== "broadcast") throw new Error("LearnerCore.revalidate() before UPTODATE");
    this.serving.revalidate(sessionId, timeout);
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
          return this.serving.receive(p);
      }
    } catch (e) {
      if (!(e instanceof ZabProtocolError)) throw e;
      this.leave(`bad ${packetName(p.type)} from the leader: ${e.message}`);
    }
  }

  private onRegistering(p: QuorumPacket): void {
    const step = leaderInfoStep(p, this.acceptedEpoch);
    if (step.epoch !== undefined) this.newEpoch = step.epoch;
    switch (step.kind) {
      case "leave":
        return this.leave(step.reason);
      case "writeAcceptedEpoch":
        this.blocked = "acceptedEpoch";
        this.out.push({ kind: "writeAcceptedEpoch", epoch: step.epoch });
        return;
      case "ackEpoch":
        this.sendAckEpoch();
        this.phaseNow = "awaiting-sync";
    }
  }

  private sendAckEpoch(): void {
    this.send(
      ackEpochFor(
        this.newEpoch,
        this.opts.acceptedEpoch,
        this.currentEpoch,
        this.lastLoggedAtStart,
      ),
    );
  }

  private onFirstSyncPacket(p: QuorumPacket): void {
    const step = firstSyncStep(p, this.lastLoggedAtStart);
    if (step.kind === "leave") return this.leave(step.reason);
    this.txns.begin(step.mode, step.zxid);
    if (step.mode === "DIFF") {
      this.phaseNow = "syncing";
    } else if (step.mode === "TRUNC") {
      this.blocked = "truncate";
      this.out.push({ kind: "truncate", zxid: step.zxid });
    } else {
      this.blocked = "snapshotLoad";
      this.out.push({ kind: "loadSnapshot", zxid: step.zxid });
    }
  }

  /** Between the first sync packet and UPTODATE. */
  private onSyncing(p: QuorumPacket): void {
    const beforeNewLeader = this.phaseNow === "syncing";
    switch (p.type) {
      case PacketType.PROPOSAL:
        return this.txns.proposal(p, beforeNewLeader);
      case PacketType.COMMIT:
        return this.txns.commit(p.zxid, beforeNewLeader);
      case PacketType.INFORM:
        return this.txns.informWhileSyncing(p, beforeNewLeader);
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

  /** NEWLEADER: snapshot (SNAP/TRUNC), txns + fsync, currentEpoch, then the ACK. */
  private onNewLeader(): void {
    if (this.txns.mode !== "DIFF") {
      this.blocked = "newLeaderSnapshot";
      // fsync whenever memory holds what no file does (SNAP, or TRUNC followed by
      // committed pairs): the NEWLEADER ACK promises it is durable (found by
      // tests/sim/zab_sim.ts; 3.8 fsyncs only after SNAP).
      this.out.push({
        kind: "takeSnapshot",
        zxid: this.txns.lastApplied,
        fsync: this.txns.mode === "SNAP" || this.txns.memoryAheadOfDisk,
      });
      return;
    }
    this.persistNewLeaderTxns();
  }

  private persistNewLeaderTxns(): void {
    const target = this.txns.logHeld();
    if (target === null) {
      this.writeCurrentEpoch();
      return;
    }
    this.newLeaderTarget = target;
    if (this.txns.persistedUpTo >= target) {
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
    const pending = this.txns.oldestUncommitted;
    if (this.opts.observer && pending !== undefined) {
      // A Java 3.8 observer NPEs on this; a correct leader never sends it (zab-3.8.md §6.4).
      this.leave(
        `UPTODATE with proposal ${zxidHex(pending.zxid)} never committed (observer)`,
      );
      return;
    }
    this.send(ackPacket(makeZxid(this.newEpoch, 0)));
    this.out.push({ kind: "startServing", epoch: this.newEpoch });
    this.phaseNow = "broadcast";
    // 3.8.5's order: the proposals persisted at NEWLEADER are ACKed after the UPTODATE ACK.
    this.txns.sendAcks();
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
      memory: this.txns.memoryAheadOfDisk ? "reload" : "fast-forward",
    });
  }

  private flush(): LearnerAction[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
