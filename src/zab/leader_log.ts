// What a leader needs from storage beyond ZabLog: the committed window after
// a restart. ZabLog.committedWindow() holds only txns applied since the log
// was opened, so a peer that restarts and is elected would SNAP every learner
// that is one txn behind; 3.8 fills its committedLog while replaying the log
// at startup (ZKDatabase.addCommittedProposal), so a Java leader DIFFs them.
// This reads the same window from the txn log's tail: every logged txn is
// the new leader's history, back to the first gap. A peer that took a SNAP
// from an earlier leader logs on after the received snapshot, so its log
// jumps over every txn the snapshot holds; a window across that jump would
// DIFF a learner past txns it never gets (found by the nemesis, seed 2806).
// Zxids mark the jump (an epoch's txns are numbered 1, 2, 3, ... with no
// hole), and so does the received snapshot's file, strictly between two
// consecutive logged txns (a peer's own snapshots are taken at a logged txn).
import { listLogs, listSnapshots } from "../persistence/datadir.ts";
import { readTxnLog } from "../persistence/txnlog.ts";
import { follows } from "./packet_types.ts";
import type { ZabLog, ZabLogTxn } from "./zab_log.ts";

/**
 * The last `size` txns logged in `logDir` (a version-2 dir) up to and
 * including `lastZxid`, in zxid order, stopping at the newest gap (by zxid
 * numbering, or a snapshot in `snapDir` between two txns); reads the newest
 * log files only, as far back as needed.
 */
export async function committedWindowFromLog(
  logDir: string,
  lastZxid: bigint,
  size = 500,
  snapDir: string = logDir,
): Promise<ZabLogTxn[]> {
  const logs = await listLogs(logDir);
  const snaps = (await listSnapshots(snapDir)).map((s) => s.zxid);
  let window: ZabLogTxn[] = [];
  for (let i = logs.length - 1; i >= 0 && window.length < size; i--) {
    if (logs[i].zxid > lastZxid) continue;
    const txns: ZabLogTxn[] = [];
    for await (const e of readTxnLog(logs[i].path)) {
      if (e.kind !== "txn") continue;
      const zxid = e.header.zxid;
      if (zxid > lastZxid) break;
      // A later file starts where this one should have ended.
      if (window.length > 0 && zxid >= window[0].zxid) break;
      txns.push({ zxid, entry: e.bytes.slice() });
    }
    const joined = txns.concat(window);
    const gapAt = lastGap(joined, snaps);
    if (gapAt > 0) return joined.slice(gapAt).slice(-size);
    window = joined;
  }
  return window.slice(-size);
}

/** Where a leader's history comes from: the log's in-memory tail, else its files. */
export interface LoggedHistory {
  readonly logDir: string;
  readonly snapDir: string;
  readonly lastLoggedZxid: bigint;
  /** The last `size` txns logged when memory holds them all (FileZabLog.loggedTail), else null. */
  loggedTail(size: number): ZabLogTxn[] | null;
}

/**
 * The last `size` logged txns back to the newest gap, from memory when the
 * log's tail there is whole (no file read: a role change stays fast however
 * long the log), else from the newest log files.
 */
export function loggedHistory(zl: LoggedHistory, size = 500): Promise<ZabLogTxn[]> {
  const mem = zl.loggedTail(size);
  // A received snapshot empties the tail, so only zxid numbering can mark a gap in it.
  if (mem !== null) return Promise.resolve(mem.slice(lastGap(mem, [])));
  return committedWindowFromLog(zl.logDir, zl.lastLoggedZxid, size, zl.snapDir);
}

/**
 * Index of the first txn after the last gap in `txns` (0: none): two neighbours
 * that cannot follow each other, or a snapshot strictly between them.
 */
export function lastGap(txns: readonly ZabLogTxn[], snaps: readonly bigint[]): number {
  for (let i = txns.length - 1; i > 0; i--) {
    const before = txns[i - 1].zxid, after = txns[i].zxid;
    if (!follows(before, after) || snaps.some((z) => z > before && z < after)) return i;
  }
  return 0;
}

/**
 * The committed window a new leader's Broadcast starts with: the log's
 * in-memory window up to the last logged zxid, or the longer tail `history`
 * reads from disk when the in-memory one is short of `size` (after a restart).
 */
export async function startingWindow(
  zl: ZabLog,
  size: number,
  history?: () => Promise<readonly ZabLogTxn[]>,
): Promise<readonly ZabLogTxn[]> {
  const last = zl.lastLoggedZxid;
  const kept = zl.committedWindow().filter((t) => t.zxid <= last);
  // The in-memory window never spans a gap either (a DIFF from a leader that had one).
  const window = kept.slice(lastGap(kept, []));
  if (history && window.length < size && last !== 0n) {
    const fromDisk = (await history()).filter((t) => t.zxid <= last);
    if (fromDisk.length > window.length && fromDisk.at(-1)!.zxid === last) return fromDisk;
  }
  return window;
}
