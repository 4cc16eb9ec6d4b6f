// How a leader brings one learner up to date (zab-3.8.md §6.4/§6.5): a pure
// decision from the learner's last zxid and the leader's committed history,
// returned as the ordered packets to send. It keeps 3.8's safety conditions but
// not its gaps: DIFF only from history that provably covers everything after
// the learner's zxid, TRUNC only inside one epoch, SNAP otherwise; and it orders
// packets so no 3.8.x learner trips over its own bugs (ZOOKEEPER-4394, the
// observer unboxing NPE).
import { counterOf, epochOf, makeZxid, zxidHex } from "./packet_types.ts";
import {
  commitPacket,
  diffPacket,
  newLeaderPacket,
  proposalPacket,
  type QuorumPacket,
  snapPacket,
  truncPacket,
} from "./packets.ts";

/** One txn as Zab carries it: its zxid and its txn-entry bytes (TxnHeader + body + optional digest). */
export interface ZabTxn {
  zxid: bigint;
  entry: Uint8Array;
}

/** What the leader knows when a learner's ACKEPOCH arrives. */
export interface SyncInput {
  /** The learner's last logged zxid (the ACKEPOCH zxid). */
  peerZxid: bigint;
  observer: boolean;
  /** The leader's last committed zxid: the state its tree (and any SNAP image) is at. */
  lastCommitted: bigint;
  /** Recent committed txns in zxid order, ending at or before lastCommitted (e.g. the last 500). */
  window: readonly ZabTxn[];
  /** Proposed but not yet committed txns (> lastCommitted), in zxid order. */
  outstanding: readonly ZabTxn[];
  /** The new epoch: NEWLEADER carries makeZxid(epoch, 0). */
  epoch: bigint;
  /** NEWLEADER's data: the quorum verifier text. */
  quorumVerifier: string;
  /** Test hook, like -Dzookeeper.forceSnapshotSync: always SNAP. */
  forceSnap?: boolean;
}

/** The decision and the packets that carry it. */
export interface SyncPlan {
  mode: "diff" | "trunc" | "snap";
  /** The DIFF/TRUNC/SNAP packet's zxid. */
  zxid: bigint;
  /** One line for the log: why this mode. */
  reason: string;
  /**
   * The packets in send order. For "snap" the first is SNAP and the shell writes
   * the image at lastCommitted right after it, before the rest.
   */
  packets: QuorumPacket[];
  /** The last zxid the packets hand over; live traffic for this learner starts after it. */
  through: bigint;
}

/**
 * The longest suffix of `window` that is gap-free and ends exactly at
 * `lastCommitted`: inside an epoch the counters follow one another, and a new
 * epoch starts at counter 1. Anything before a gap is not usable history
 * (ZOOKEEPER-4925 lost data by diffing across one). A missing tail of an epoch
 * cannot show in zxids, so the window must come from one ordered log.
 */
export function contiguousHistory(
  window: readonly ZabTxn[],
  lastCommitted: bigint,
): readonly ZabTxn[] {
  const n = window.length;
  if (n === 0 || window[n - 1].zxid !== lastCommitted) return [];
  let start = n - 1;
  while (start > 0 && follows(window[start - 1].zxid, window[start].zxid)) start--;
  return window.slice(start);
}

/** Whether `next` is the committed txn right after `prev`. */
function follows(prev: bigint, next: bigint): boolean {
  if (epochOf(next) === epochOf(prev)) return next === prev + 1n;
  return epochOf(next) > epochOf(prev) && counterOf(next) === 1n;
}

/** Decides DIFF, TRUNC or SNAP for one learner and lists the packets in a 3.8-safe order. */
export function planSync(input: SyncInput): SyncPlan {
  const c = input.lastCommitted;
  const history = contiguousHistory(input.window, c);
  const head = decide(input, history);
  const packets: QuorumPacket[] = [];
  const op = head.mode === "diff"
    ? diffPacket(head.zxid)
    : head.mode === "trunc"
    ? truncPacket(head.zxid)
    : snapPacket(head.zxid);
  packets.push(op);
  // Committed history always goes as PROPOSAL+COMMIT pairs before NEWLEADER:
  // a 3.8.x learner clears its uncommitted list at NEWLEADER (ZOOKEEPER-4394),
  // and a Java observer unboxes a null commit at UPTODATE if a PROPOSAL lacks one.
  for (const t of history) {
    if (t.zxid <= head.from) continue;
    packets.push(proposalPacket(t.zxid, t.entry), commitPacket(t.zxid));
  }
  packets.push(newLeaderPacket(input.epoch, input.quorumVerifier));
  let through = c;
  // Uncommitted proposals only after NEWLEADER, and only to followers: their
  // COMMITs come later as live traffic; observers get INFORM at commit instead.
  if (!input.observer) {
    for (const t of input.outstanding) {
      if (t.zxid <= c) continue;
      // A gap here would later COMMIT a proposal this learner never got (a
      // Java follower exits with code 12): the caller broke an invariant.
      if (!follows(through, t.zxid)) {
        throw new Error(`outstanding ${zxidHex(t.zxid)} does not follow ${zxidHex(through)}`);
      }
      packets.push(proposalPacket(t.zxid, t.entry));
      through = t.zxid;
    }
  }
  return { mode: head.mode, zxid: head.zxid, reason: head.reason, packets, through };
}

interface Head {
  mode: "diff" | "trunc" | "snap";
  zxid: bigint;
  /** History entries after this zxid are sent as pairs. */
  from: bigint;
  reason: string;
}

function decide(input: SyncInput, history: readonly ZabTxn[]): Head {
  const p = input.peerZxid;
  const c = input.lastCommitted;
  const snap = (reason: string): Head => ({ mode: "snap", zxid: c, from: c, reason });
  if (input.forceSnap) return snap("forced snapshot sync");
  if (p === c) {
    return { mode: "diff", zxid: c, from: c, reason: `peer is at ${zxidHex(c)}: empty diff` };
  }
  const epochStart = counterOf(p) === 0n;
  if (p < c) {
    if (history.some((t) => t.zxid === p)) {
      return { mode: "diff", zxid: c, from: p, reason: `peer's ${zxidHex(p)} is in history` };
    }
    // An epoch-start zxid is a state, not a txn: the peer holds every txn of
    // earlier epochs. Diff when the history reaches back to before it.
    if (epochStart && history.length > 0) {
      const first = history[0].zxid;
      if (first < p || first === makeZxid(epochOf(p), 1)) {
        return {
          mode: "diff",
          zxid: c,
          from: p,
          reason: `peer is at the start of epoch ${epochOf(p)}, history covers what follows`,
        };
      }
    }
  }
  if (epochStart) return snap(`peer is at epoch start ${zxidHex(p)}, history does not cover it`);
  // The peer holds txns the leader never committed. Truncate it to the last
  // committed txn of the same epoch, which it must hold (one leader per epoch,
  // proposals in order); never across epochs, never to an epoch start.
  let t: bigint | undefined = p > c && counterOf(c) > 0n ? c : undefined;
  for (const x of history) if (x.zxid < p) t = x.zxid;
  if (t === undefined) {
    return snap(
      p < c
        ? `peer's ${zxidHex(p)} is older than the history kept`
        : `peer's ${zxidHex(p)} is past ${zxidHex(c)} and no history to truncate to`,
    );
  }
  if (epochOf(t) !== epochOf(p)) {
    return snap(`cannot TRUNC peer's ${zxidHex(p)} to ${zxidHex(t)}: different epoch`);
  }
  return {
    mode: "trunc",
    zxid: t,
    from: t,
    reason: `peer's ${zxidHex(p)} is not committed: truncate to ${zxidHex(t)}`,
  };
}
