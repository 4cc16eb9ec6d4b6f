// What a leader needs from storage beyond ZabLog: the committed window after
// a restart. ZabLog.committedWindow() holds only txns applied since the log
// was opened, so a peer that restarts and is elected would SNAP every learner
// that is one txn behind; 3.8 fills its committedLog while replaying the log
// at startup (ZKDatabase.addCommittedProposal), so a Java leader DIFFs them.
// This reads the same window from the txn log's tail: every logged txn is
// the new leader's history.
import { listLogs } from "../persistence/datadir.ts";
import { readTxnLog } from "../persistence/txnlog.ts";
import type { ZabLog, ZabLogTxn } from "./zab_log.ts";

/**
 * The last `size` txns logged in `logDir` (a version-2 dir) up to and
 * including `lastZxid`, in zxid order; reads the newest log files only, as
 * far back as the window needs.
 */
export async function committedWindowFromLog(
  logDir: string,
  lastZxid: bigint,
  size = 500,
): Promise<ZabLogTxn[]> {
  const logs = await listLogs(logDir);
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
    window = txns.concat(window);
  }
  return window.slice(-size);
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
  const window = zl.committedWindow().filter((t) => t.zxid <= last);
  if (history && window.length < size && last !== 0n) {
    const fromDisk = (await history()).filter((t) => t.zxid <= last);
    if (fromDisk.length > window.length && fromDisk.at(-1)!.zxid === last) return fromDisk;
  }
  return window;
}
