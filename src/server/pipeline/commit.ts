// The commit stage (the apply half of 3.8's FinalRequestProcessor, fed as its
// CommitProcessor feeds it): applies committed txns to the tree strictly in
// zxid order through the one applyTxn, checks the digest the log recorded
// against the tree's, drops the txn's outstanding changes, fires its watches,
// and hands the ApplyResult on to final. The only place the tree changes.
//
// Seam: standalone feeds it each durable batch from sync. A leader feeds it a
// proposal once a quorum has ACKed it; a follower on the leader's COMMIT (the
// proposal it logged, looked up by zxid); an observer on INFORM. The stage
// only asks that zxids arrive in increasing order.
import { type ApplyResult, applyTxn } from "../../data/apply.ts";
import type { DigestHints } from "../../data/digest.ts";
import type { DataTree } from "../../data/tree.ts";
import type { TxnHeader } from "../../jute/txn.ts";
import type { Txn } from "../../jute/txn_body.ts";
import type { TxnDigest } from "../../jute/txn.ts";

/** A txn as it travels the chain: header, body, and the tree digest after it. */
export interface ChainTxn {
  header: TxnHeader;
  txn: Txn;
  digest: TxnDigest | null;
}

/** A txn once applied: what final and the watches need. */
export interface Committed {
  header: TxnHeader;
  txn: Txn;
  rc: ApplyResult;
}

/** What the commit stage is wired to. */
export interface CommitWiring {
  tree: DataTree;
  /** Node digests computed at prep (the overlay): applying reuses those that match. */
  hints?: DigestHints;
  /** The txn's outstanding changes are applied now (Outstanding.committed). */
  applied(zxid: bigint): void;
  /** The logged digest differs from the tree's after the txn (3.8 logs and counts it). */
  mismatch(zxid: bigint, logged: bigint, tree: bigint): void;
  /** Fires the txn's watches and keeps what follows the tree in step (before its reply). */
  fire(c: Committed): void;
  /** The next stage (final). */
  next(c: Committed): void;
}

/** Applies committed txns in zxid order. */
export class CommitStage {
  constructor(private readonly w: CommitWiring) {}

  /** Applies one committed txn; throws if it is not after the last one applied. */
  commit(t: ChainTxn): Committed {
    const w = this.w;
    const zxid = t.header.zxid;
    if (zxid <= w.tree.lastProcessedZxid) {
      throw new Error(
        `commit out of order: 0x${zxid.toString(16)} after ` +
          `0x${w.tree.lastProcessedZxid.toString(16)}`,
      );
    }
    const rc = applyTxn(w.tree, t.header, t.txn, w.hints);
    if (t.digest) {
      const now = w.tree.digest;
      if (now !== t.digest.treeDigest) w.mismatch(zxid, t.digest.treeDigest, now);
    }
    w.applied(zxid);
    const c = { header: t.header, txn: t.txn, rc };
    w.fire(c);
    w.next(c);
    return c;
  }
}
