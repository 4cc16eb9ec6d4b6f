// What Zab needs from storage (docs/ARCHITECTURE.md, "ZabLog"): the txn log it
// appends to with group commit, the tree it applies committed txns to, the
// epoch files, and the moves a sync makes (truncate, load a received
// snapshot, take one). Zab's shells drive it; src/peer hands one to them. The
// file-backed implementation is file_zab_log.ts.
import type { ApplyResult } from "../data/apply.ts";
import type { TreeImage } from "../data/node_view.ts";
import type { DataTree } from "../data/tree.ts";
import type { SnapEntry, SnapNode } from "../persistence/snapshot.ts";

/** A txn as Zab carries it: its zxid and its txn-entry bytes (TxnHeader + body + optional TxnDigest). */
export interface ZabLogTxn {
  zxid: bigint;
  entry: Uint8Array;
}

/** Hands each batch of SNAP records to `onEntries`; resolves once the body and its end marker are read. */
export type SnapReceiver = (
  onEntries: (e: SnapEntry | SnapNode[]) => void | Promise<void>,
) => Promise<void>;

/** Storage as Zab sees it. Every method is safe to call while appends are in flight. */
export interface ZabLog {
  /** The tree committed txns are applied to. Replaced (a new object) by loadSnapshot, truncate and reload. */
  readonly tree: DataTree;
  /** The last zxid handed to the log (durable once drain() resolves); ACKEPOCH's zxid after fastForward(). */
  readonly lastLoggedZxid: bigint;
  /** The highest zxid applied to the tree. */
  readonly lastAppliedZxid: bigint;
  /** The acceptedEpoch and currentEpoch files' values. */
  readonly acceptedEpoch: bigint;
  readonly currentEpoch: bigint;

  /**
   * Appends txns (in zxid order, after every txn appended before) and resolves
   * once they are durable. Txns appended while a flush runs share the next
   * one: one write and one fsync per batch (group commit).
   */
  append(txns: readonly ZabLogTxn[]): Promise<void>;
  /** Resolves once every txn appended so far is durable (ZOOKEEPER-4712: before memory meets the log). */
  drain(): Promise<void>;
  /** Drops every logged txn after `zxid` (kept) and snapshots newer than it, then reloads the tree from disk. */
  truncate(zxid: bigint): Promise<void>;
  /**
   * Replaces the tree with a received snapshot at `zxid` whose records
   * `receive` delivers (a SNAP body). Logged txns after `zxid` are dropped:
   * the leader's image supersedes them. On failure the tree is unchanged on
   * disk; call reload() (ZOOKEEPER-3642: memory may not keep a half image).
   */
  loadSnapshot(zxid: bigint, receive: SnapReceiver): Promise<void>;
  /** Writes a snapshot of the tree at its last applied zxid (fsynced or not); resolves with that zxid. */
  takeSnapshot(opts: { fsync: boolean }): Promise<bigint>;
  /** Writes the acceptedEpoch file (tmp + fsync + rename). */
  writeAcceptedEpoch(epoch: bigint): Promise<void>;
  /** Writes the currentEpoch file (tmp + fsync + rename). */
  writeCurrentEpoch(epoch: bigint): Promise<void>;
  /** Applies a committed txn to the tree (idempotent over a fuzzy snapshot, as replay is). */
  apply(txn: ZabLogTxn): ApplyResult;
  /** Applies the logged txns the tree lacks (after drain()); resolves with how many. */
  fastForward(): Promise<number>;
  /** Throws the tree away and restores it from disk (newest snapshot + logs). */
  reload(): Promise<void>;
  /** The last committed txns applied, gap-free and in zxid order (a leader's DIFF history). */
  committedWindow(): readonly ZabLogTxn[];
  /** A frozen image of the tree now, for a SNAP or a snapshot file. */
  image(): TreeImage;
  /** Flushes and closes the log. */
  close(): Promise<void>;
}

/**
 * After a Zab role ends: drain the log writer, then bring memory in line with
 * the disk — fast-forward from the log, or reload when memory holds what no
 * file has (a SNAP, TRUNC-mode applies before NEWLEADER's snapshot).
 */
export async function settleAfterRole(
  log: ZabLog,
  memory: "fast-forward" | "reload",
): Promise<void> {
  await log.drain();
  if (memory === "reload") await log.reload();
  else await log.fastForward();
}
