// The tree digest's history, as ZooKeeper 3.8's DataTree keeps it: after each
// whole txn (a multi counts once) the digest is logged when the zxid is a
// multiple of 128, keeping the last 1024; `hash` prints them. Filled wherever
// txns are applied (serving, restore, tools), since applyTxn drives it. While
// replay is still inside a fuzzy snapshot (before the zxid its recorded digest
// belongs to) the tree is not at any real state, so nothing is logged.
import { DIGEST_VERSION } from "./digest.ts";

/** DataTree.DIGEST_LOG_INTERVAL: digests are logged at zxids that are multiples of this. */
export const DIGEST_LOG_INTERVAL = 128n;
/** DataTree.DIGEST_LOG_LIMIT: how many logged digests are kept. */
export const DIGEST_LOG_LIMIT = 1024;

/** A digest recorded for one zxid (DataTree.ZxidDigest). */
export interface ZxidDigest {
  zxid: bigint;
  version: number;
  digest: bigint;
}

/** What comparing a loaded snapshot's digest with the tree found. */
export type SnapshotDigestCheck = "ok" | "mismatch" | "other-version";

/** The digest log and the fuzzy-snapshot state that gates it. Pure. */
export class DigestLog {
  /** Logged [zxid, tree digest] pairs, oldest first. */
  readonly entries: [bigint, bigint][] = [];
  /** The loaded snapshot's digest until replay reaches its zxid (digestFromLoadedSnapshot). */
  pending: ZxidDigest | null = null;
  /** The comparison with the snapshot's digest, once made. */
  snapshotCheck: SnapshotDigestCheck | null = null;

  /**
   * A snapshot named `zxid` was loaded with recorded digest `d` (FileSnap's
   * deserialize): a digest older than the snapshot, or none, is ignored; one
   * for the snapshot's own zxid is checked at once.
   */
  snapshotLoaded(zxid: bigint, d: ZxidDigest | null, treeDigest: () => bigint): void {
    this.snapshotCheck = null;
    this.pending = d !== null && d.zxid > 0n && d.zxid >= zxid ? d : null;
    if (this.pending?.zxid === zxid) this.compare(treeDigest);
  }

  /** After a whole txn is applied (the tail of DataTree.processTxn). */
  txnApplied(zxid: bigint, treeDigest: () => bigint): void {
    if (this.pending !== null) {
      // Still fuzzy: only the txn of the snapshot's digest ends that.
      if (zxid === this.pending.zxid) this.compare(treeDigest);
      return;
    }
    if (zxid % DIGEST_LOG_INTERVAL !== 0n) return;
    this.entries.push([zxid, treeDigest()]);
    if (this.entries.length > DIGEST_LOG_LIMIT) this.entries.shift();
  }

  private compare(treeDigest: () => bigint): void {
    const p = this.pending!;
    this.pending = null;
    this.snapshotCheck = p.version !== DIGEST_VERSION
      ? "other-version"
      : p.digest === treeDigest()
      ? "ok"
      : "mismatch";
  }
}
