// The learner's txn bookkeeping (zab-3.8.md §7): proposals in zxid order, the
// COMMIT that must name the oldest pending one (ZOOKEEPER-4394), when a
// committed txn may apply (DIFF: not before its append; SNAP/TRUNC: at once,
// the NEWLEADER snapshot holds it), what NEWLEADER hands to the log, and the
// ACKs owed once appends are durable. Part of LearnerCore; no I/O.
import { ackPacket, parseProposal } from "./packets.ts";
import { follows, packetName, zxidHex } from "./packet_types.ts";
import type { QuorumPacket } from "../jute/quorum.ts";
import type { LearnerOutput, LearnerTxn, SyncMode } from "./learner_types.ts";

/** The txns one learner link has received, logged, committed and acknowledged. */
export class LearnerTxns {
  /** The sync mode (set by begin() from the first sync packet). */
  mode: SyncMode | null = null;
  /** Whether state in memory is on no disk yet (a SNAP, or TRUNC-mode applies before NEWLEADER). */
  memoryAheadOfDisk = false;
  /** The last proposal zxid received on this link; the next must be greater. */
  lastQueued: bigint | null = null;
  /** Highest zxid in memory (snapshot, truncation point, or applied txn). */
  lastApplied: bigint;
  /** Highest zxid reported durable. */
  persistedUpTo: bigint;

  /** Proposals received and not yet handed to the log (cleared at NEWLEADER). */
  private notLogged: LearnerTxn[] = [];
  /** Proposals not yet committed, in zxid order: a COMMIT must name the head (ZOOKEEPER-4394). */
  private notCommitted: LearnerTxn[] = [];
  /** Committed txns waiting for their append to be issued before they apply (DIFF before NEWLEADER). */
  private committedNotApplied: LearnerTxn[] = [];
  /** Follower: logged proposals not yet ACKed, in zxid order. */
  private unacked: bigint[] = [];

  constructor(
    private readonly observer: boolean,
    lastLoggedZxid: bigint,
    private readonly out: LearnerOutput,
  ) {
    this.lastApplied = lastLoggedZxid;
    this.persistedUpTo = lastLoggedZxid;
  }

  /** The first sync packet chose `mode`; `zxid` is our last logged (DIFF) or the leader's (TRUNC, SNAP). */
  begin(mode: SyncMode, zxid: bigint): void {
    this.mode = mode;
    if (mode === "DIFF") {
      this.lastQueued = zxid;
    } else if (mode === "TRUNC") {
      this.lastQueued = zxid;
      this.lastApplied = zxid;
      this.persistedUpTo = zxid;
    } else {
      // A fuzzy SNAP may be followed by txns it already holds: no lower bound.
      this.lastQueued = null;
      this.lastApplied = zxid;
      // Nothing appended on this link is durable yet (the old log's zxids say nothing).
      this.persistedUpTo = -1n;
      this.memoryAheadOfDisk = true;
    }
  }

  /** The oldest proposal not committed yet. */
  get oldestUncommitted(): LearnerTxn | undefined {
    return this.notCommitted[0];
  }

  /** Parses a PROPOSAL/INFORM and checks its zxid moves forward; null after leaving. */
  take(p: QuorumPacket): LearnerTxn | null {
    const { txnEntry, header } = parseProposal(p);
    const zxid = header.zxid;
    const last = this.lastQueued;
    if (last !== null && zxid <= last) {
      this.out.leave(
        `${packetName(p.type)} ${zxidHex(zxid)} does not follow the last one, ${zxidHex(last)}`,
      );
      return null;
    }
    if (last !== null && !follows(last, zxid)) {
      // Txns are missing between them: the leader's history has a gap (a 3.8.0
      // leader that took a SNAP or TRUNC sync itself can DIFF across one).
      this.out.push({
        kind: "warn",
        message: `got ${packetName(p.type)} ${zxidHex(zxid)} after ${
          zxidHex(last)
        }: the txns between them never came; the leader's history has a gap`,
      });
    }
    this.lastQueued = zxid;
    return { zxid, header, entry: txnEntry };
  }

  /** A PROPOSAL: pending until its COMMIT. */
  proposal(p: QuorumPacket, beforeNewLeader: boolean): void {
    const txn = this.take(p);
    if (txn === null) return;
    this.notCommitted.push(txn);
    this.queueForLog(txn, beforeNewLeader);
  }

  /** An INFORM while synchronizing: committed as it comes (Java leaders send it to observers). */
  informWhileSyncing(p: QuorumPacket, beforeNewLeader: boolean): void {
    const txn = this.take(p);
    if (txn === null) return;
    this.queueForLog(txn, beforeNewLeader);
    this.commitTxn(txn, beforeNewLeader);
  }

  /** An INFORM to a serving observer: logged and applied. */
  informWhileObserving(p: QuorumPacket): void {
    const txn = this.take(p);
    if (txn === null) return;
    this.out.push({ kind: "append", txns: [txn] });
    this.apply(txn);
  }

  /** A COMMIT: must name the oldest pending proposal. */
  commit(zxid: bigint, beforeNewLeader: boolean): void {
    const head = this.notCommitted[0];
    if (head === undefined) {
      this.out.leave(`COMMIT ${zxidHex(zxid)} with no proposal pending`);
      return;
    }
    if (head.zxid !== zxid) {
      // A Java follower exits here (UNMATCHED_TXN_COMMIT, 12); we re-elect.
      this.out.leave(
        `COMMIT ${zxidHex(zxid)} is not the oldest pending proposal ${zxidHex(head.zxid)}`,
      );
      return;
    }
    this.notCommitted.shift();
    this.commitTxn(head, beforeNewLeader);
  }

  /**
   * NEWLEADER: hands the txns held since the sync began to the log and applies
   * the committed ones among them. Returns the zxid they must be durable to,
   * or null when none were held.
   */
  logHeld(): bigint | null {
    const txns = this.notLogged;
    this.notLogged = [];
    if (txns.length === 0) return null;
    this.out.push({ kind: "append", txns });
    if (!this.observer) this.unacked.push(...txns.map((t) => t.zxid));
    // Committed txns whose append is now issued may apply.
    for (const t of this.committedNotApplied) this.apply(t);
    this.committedNotApplied = [];
    return txns[txns.length - 1].zxid;
  }

  /** Appends up to zxid are durable. */
  persisted(zxid: bigint): void {
    if (zxid > this.persistedUpTo) this.persistedUpTo = zxid;
  }

  /** ACKs every logged proposal that is durable now (followers only hold any). */
  sendAcks(): void {
    let n = 0;
    while (n < this.unacked.length && this.unacked[n] <= this.persistedUpTo) {
      this.out.push({ kind: "send", packet: ackPacket(this.unacked[n]) });
      n++;
    }
    if (n > 0) this.unacked.splice(0, n);
  }

  /** Before NEWLEADER a txn waits for it; after, it goes to the log at once. */
  private queueForLog(txn: LearnerTxn, beforeNewLeader: boolean): void {
    if (beforeNewLeader) {
      this.notLogged.push(txn);
    } else {
      this.out.push({ kind: "append", txns: [txn] });
      if (!this.observer) this.unacked.push(txn.zxid);
    }
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
}
