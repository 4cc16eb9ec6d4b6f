// The leader's broadcast phase as a pure core (zab-3.8.md §5 "Broadcast", §9):
// zxids for new txns, PROPOSAL to followers, ACKs per voter, commit strictly in
// zxid order on a quorum (COMMIT to followers, INFORM to observers, apply), and
// learners' sync requests answered after the COMMIT that preceded them. It also
// keeps the committed window and the outstanding proposals that sync_plan needs,
// so a learner joins the forwarding set in the same step its sync is planned.
// Times (`now`) are the caller's monotonic milliseconds; nothing here reads a clock.
import type { QuorumVerifier } from "../config/types.ts";
import { counterOf, makeZxid, zxidHex } from "./packet_types.ts";
import {
  commitPacket,
  informPacket,
  proposalPacket,
  type QuorumPacket,
  syncPacket,
} from "./packets.ts";
import { planSync, type SyncPlan, type ZabTxn } from "./sync_plan.ts";

/** What the shell must do, in list order. */
export type BroadcastAction =
  | { kind: "send"; to: bigint; packet: QuorumPacket }
  /** Append and fsync this txn to the leader's own log, then call ack(myid, zxid). */
  | { kind: "log"; txn: ZabTxn }
  /** The txn is committed: apply it (calls come in zxid order). */
  | { kind: "apply"; txn: ZabTxn }
  /** Stop leading: a new epoch is needed. */
  | { kind: "stepDown"; reason: string };

/** The state a leader starts broadcasting from. */
export interface BroadcastOptions {
  myid: bigint;
  qv: QuorumVerifier;
  /** The established epoch; the first proposal is makeZxid(epoch, 1). */
  epoch: bigint;
  /** The leader's last committed zxid (the last txn of its history). */
  lastCommitted: bigint;
  /** Its recent committed txns in zxid order, ending at lastCommitted. */
  window?: readonly ZabTxn[];
  /** How many committed txns to keep for DIFF (3.8's commitLogCount, 500). */
  windowSize?: number;
  /** Test hook (3.8's zookeeper.testingonly.initialZxid): the counter the epoch starts from. */
  initialCounter?: bigint;
}

interface Proposal {
  txn: ZabTxn;
  acks: Set<bigint>;
}

interface Member {
  observer: boolean;
  /** Followers: proposals sent and not yet acked, oldest first. */
  unacked: { zxid: bigint; sentAt: number }[];
  /**
   * UPTODATE sent: only now does the ACK age count. A 3.8.0 learner ACKs what
   * it got during sync only after UPTODATE, which may come initLimit ticks
   * later (3.8 starts its SyncLimitCheck at the NEWLEADER ACK, too).
   */
  timed: boolean;
}

/** The largest counter a proposal may use; at it 3.8 forces a new epoch (ZOOKEEPER-1277). */
const LAST_COUNTER = 0xffffffffn;

/** Proposals, ACK counting and in-order commit for one leader term. */
export class Broadcast {
  #o: BroadcastOptions;
  #windowSize: number;
  #window: ZabTxn[];
  #lastProposed: bigint;
  #lastCommitted: bigint;
  /** Outstanding proposals by zxid; Map order is zxid order. */
  #outstanding = new Map<bigint, Proposal>();
  #members = new Map<bigint, Member>();
  /** Learners' sync requests waiting for the COMMIT of a zxid, in arrival order. */
  #syncs = new Map<bigint, bigint[]>();

  constructor(o: BroadcastOptions) {
    this.#o = o;
    this.#windowSize = o.windowSize ?? 500;
    this.#window = (o.window ?? []).slice(-this.#windowSize);
    this.#lastProposed = makeZxid(o.epoch, o.initialCounter ?? 0n);
    this.#lastCommitted = o.lastCommitted;
  }

  /** The zxid the next proposal must carry in its TxnHeader. */
  get nextZxid(): bigint {
    return this.#lastProposed + 1n;
  }

  /** The last zxid proposed (PING carries it); makeZxid(epoch, 0) before any. */
  get lastProposed(): bigint {
    return this.#lastProposed;
  }

  /** The last committed zxid. */
  get lastCommitted(): bigint {
    return this.#lastCommitted;
  }

  /** Proposed, not yet committed txns in zxid order. */
  outstanding(): ZabTxn[] {
    return [...this.#outstanding.values()].map((p) => p.txn);
  }

  /** The committed window kept for DIFF. */
  window(): readonly ZabTxn[] {
    return this.#window;
  }

  /** Whether `sid` is in the forwarding set. */
  hasMember(sid: bigint): boolean {
    return this.#members.has(sid);
  }

  /** Learners in the forwarding set. */
  members(): bigint[] {
    return [...this.#members.keys()];
  }

  /**
   * Plans a learner's sync from this term's state and adds it to the
   * forwarding set in the same step, so no proposal or commit falls between
   * the plan and live traffic. Send plan.packets before any later action.
   */
  syncLearner(
    sid: bigint,
    l: { observer: boolean; peerZxid: bigint; quorumVerifier: string; forceSnap?: boolean },
  ): SyncPlan {
    const plan = planSync({
      peerZxid: l.peerZxid,
      observer: l.observer,
      lastCommitted: this.#lastCommitted,
      window: this.#window,
      outstanding: this.outstanding(),
      epoch: this.#o.epoch,
      quorumVerifier: l.quorumVerifier,
      forceSnap: l.forceSnap,
    });
    this.addLearner(sid, l.observer);
    return plan;
  }

  /** Adds a learner to the forwarding set; a follower must have been sent every outstanding proposal. */
  addLearner(sid: bigint, observer: boolean): void {
    const unacked = observer ? [] : this.outstanding().map((t) => ({ zxid: t.zxid, sentAt: 0 }));
    this.#members.set(sid, { observer, unacked, timed: false });
  }

  /** UPTODATE went to `sid` at `now`: its unacked proposals are timed from here on. */
  upToDate(sid: bigint, now: number): void {
    const m = this.#members.get(sid);
    if (!m || m.timed) return;
    m.timed = true;
    for (const u of m.unacked) u.sentAt = now;
  }

  /**
   * A learner left: no more traffic, its pending syncs dropped, and its ACKs
   * of outstanding proposals forgotten — if it rejoins it may be TRUNCed
   * below them, so only a fresh ACK after it re-logs them may count (found by
   * tests/sim/zab_sim.ts; 3.8 keeps such ACKs).
   */
  removeLearner(sid: bigint): void {
    this.#members.delete(sid);
    for (const p of this.#outstanding.values()) p.acks.delete(sid);
    for (const [z, sids] of this.#syncs) {
      const rest = sids.filter((s) => s !== sid);
      if (rest.length) this.#syncs.set(z, rest);
      else this.#syncs.delete(z);
    }
  }

  /** Proposes a txn whose header carries nextZxid: PROPOSAL to every follower, then the leader's own log write. */
  propose(txn: ZabTxn, now: number): BroadcastAction[] {
    if (txn.zxid !== this.nextZxid) {
      throw new Error(
        `proposal ${zxidHex(txn.zxid)} is not the next zxid ${zxidHex(this.nextZxid)}`,
      );
    }
    if (counterOf(txn.zxid) >= LAST_COUNTER) {
      return [{
        kind: "stepDown",
        reason:
          "zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start",
      }];
    }
    this.#lastProposed = txn.zxid;
    this.#outstanding.set(txn.zxid, { txn, acks: new Set() });
    const out: BroadcastAction[] = [];
    const packet = proposalPacket(txn.zxid, txn.entry);
    for (const [sid, m] of this.#members) {
      if (m.observer) continue;
      m.unacked.push({ zxid: txn.zxid, sentAt: now });
      out.push({ kind: "send", to: sid, packet });
    }
    out.push({ kind: "log", txn });
    return out;
  }

  /**
   * An ACK from `sid` (the leader's own after its fsync). Ignored when its
   * counter is 0 (NEWLEADER/UPTODATE acks), when already committed or unknown,
   * or from a non-voter. Commits every proposal at the head that has a quorum.
   */
  ack(sid: bigint, zxid: bigint): BroadcastAction[] {
    const m = this.#members.get(sid);
    if (m) { while (m.unacked.length && m.unacked[0].zxid <= zxid) m.unacked.shift(); }
    const out: BroadcastAction[] = [];
    if (counterOf(zxid) === 0n || zxid <= this.#lastCommitted) return out;
    const p = this.#outstanding.get(zxid);
    if (p === undefined || !this.#o.qv.votingMembers.has(Number(sid))) return out;
    p.acks.add(sid);
    this.#commitReady(out);
    return out;
  }

  /** A learner's sync request: SYNC now if nothing is outstanding, else after the COMMIT of the last proposal. */
  sync(sid: bigint): BroadcastAction[] {
    if (this.#outstanding.size === 0) return [{ kind: "send", to: sid, packet: syncPacket() }];
    const waiting = this.#syncs.get(this.#lastProposed) ?? [];
    waiting.push(sid);
    this.#syncs.set(this.#lastProposed, waiting);
    return [];
  }

  /** Learners' syncs waiting for a COMMIT (3.8's pending_syncs). */
  get pendingSyncs(): number {
    let n = 0;
    for (const sids of this.#syncs.values()) n += sids.length;
    return n;
  }

  /** For each up-to-date follower with an unacknowledged proposal: when the oldest was sent. */
  oldestUnacked(): Map<bigint, number> {
    const out = new Map<bigint, number>();
    for (const [sid, m] of this.#members) {
      if (m.timed && m.unacked.length) out.set(sid, m.unacked[0].sentAt);
    }
    return out;
  }

  /** Commits from the head while the head has a quorum: a later proposal waits for earlier ones. */
  #commitReady(out: BroadcastAction[]): void {
    for (const [zxid, p] of this.#outstanding) {
      if (!this.#o.qv.containsQuorum([...p.acks].map(Number))) return;
      this.#outstanding.delete(zxid);
      this.#lastCommitted = zxid;
      const commit = commitPacket(zxid);
      const inform = informPacket(zxid, p.txn.entry);
      for (const [sid, m] of this.#members) {
        out.push({ kind: "send", to: sid, packet: m.observer ? inform : commit });
      }
      out.push({ kind: "apply", txn: p.txn });
      this.#window.push(p.txn);
      if (this.#window.length > this.#windowSize) this.#window.shift();
      for (const sid of this.#syncs.get(zxid) ?? []) {
        out.push({ kind: "send", to: sid, packet: syncPacket() });
      }
      this.#syncs.delete(zxid);
    }
  }
}
