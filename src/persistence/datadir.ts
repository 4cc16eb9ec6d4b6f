// The data directory: finding snapshots and logs, restoring the newest valid
// snapshot plus the logs after it (FileTxnSnapLog.restore), and purging old
// files (PurgeTxnLog). The DataTree changes go through applyTxn only.
import { join } from "node:path";
import { CorruptDataError } from "../errors.ts";
import { applyTxn } from "../data/apply.ts";
import { DataTree } from "../data/tree.ts";
import { type LoadedSnapshot, loadSnapshot, looksValid, zxidFromName } from "./snapshot.ts";
import { type LogEnd, type LogTxn, readTxnLog } from "./txnlog.ts";

/** A snapshot or log file and the zxid in its name. */
export interface DataFile {
  path: string;
  zxid: bigint;
}

/** How many of the newest snapshots a restore tries (FileSnap.deserialize). */
export const SNAPSHOTS_TRIED = 100;

/** The directory holding snapshot.* and log.* files: DIR/version-2 when present, else DIR. */
export async function versionDir(dir: string): Promise<string> {
  try {
    const st = await Deno.stat(join(dir, "version-2"));
    if (st.isDirectory) return join(dir, "version-2");
  } catch { /* not a data dir root */ }
  try {
    if ((await Deno.stat(dir)).isDirectory) return dir;
  } catch (e) {
    throw new Error(`cannot read ${dir}: ${(e as Error).message}`);
  }
  throw new Error(`${dir} is not a directory`);
}

async function listFiles(dir: string, prefix: "snapshot" | "log"): Promise<DataFile[]> {
  const out: DataFile[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile) continue;
    const zxid = zxidFromName(e.name, prefix);
    if (zxid !== null) out.push({ path: join(dir, e.name), zxid });
  }
  return out;
}

/** Snapshots in a version dir, newest first. */
export async function listSnapshots(dir: string): Promise<DataFile[]> {
  return (await listFiles(dir, "snapshot")).sort((
    a,
    b,
  ) => (a.zxid < b.zxid ? 1 : a.zxid > b.zxid ? -1 : 0));
}

/** Txn logs in a version dir, oldest first. */
export async function listLogs(dir: string): Promise<DataFile[]> {
  return (await listFiles(dir, "log")).sort((
    a,
    b,
  ) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

/**
 * The logs needed to replay from a snapshot at `zxid` (FileTxnLog.getLogFiles):
 * the newest log starting at or before it, and every later one.
 */
export function logsFrom(logs: DataFile[], zxid: bigint): DataFile[] {
  let start = 0n;
  for (const l of logs) {
    if (l.zxid > zxid) break;
    if (l.zxid > start) start = l.zxid;
  }
  return logs.filter((l) => l.zxid >= start);
}

/** Up to n newest snapshots that pass the cheap validity check, newest first. */
export async function validSnapshots(dir: string, n = SNAPSHOTS_TRIED): Promise<DataFile[]> {
  const out: DataFile[] = [];
  for (const s of await listSnapshots(dir)) {
    if (out.length >= n) break;
    if (await looksValid(s.path)) out.push(s);
  }
  return out;
}

/** Progress and warnings during a restore. */
export interface RestoreHooks {
  /** A snapshot was skipped (invalid), with why. */
  onSkip?(file: string, reason: string): void;
  /** Called every so often while replaying. */
  onTxn?(zxid: bigint): void;
  /**
   * Each txn replayed past every one before it, with its entry bytes (a view
   * valid only during the call). Every logged txn after the snapshot comes here
   * unless onBehind reports one.
   */
  onReplayed?(zxid: bigint, entry: Uint8Array): void;
  /** A log ended with a torn tail. */
  onTorn?(end: LogEnd): void;
  /** A txn not after the highest applied was met, and applied again (see BehindTxn). */
  onBehind?(b: BehindTxn): void;
}

/**
 * A txn whose zxid is not after the highest applied so far. A 3.8.0 follower that
 * rejoins under writes can log txns twice (one again, or a run from the
 * epoch's start again); ZooKeeper's restore logs an ERROR and applies it
 * anyway (FileTxnSnapLog.fastForwardFromEdits), so zkt does the same.
 */
export interface BehindTxn {
  file: string;
  offset: number;
  zxid: bigint;
  /** The highest zxid applied before it (equal for a repeat of the last txn). */
  highest: bigint;
  /** Its op code. */
  type: number;
}

/** The ERROR line ZooKeeper 3.8 logs for a txn behind the highest applied, with where it is. */
export function describeBehind(b: BehindTxn): string {
  const hex = (z: bigint) => `0x${z.toString(16)}`;
  const where = `txn ${hex(b.zxid)} at ${b.file} offset ${b.offset}`;
  // ZooKeeper logs nothing for a repeat of the last txn; zkt still says so.
  if (b.zxid === b.highest) {
    return `${where} repeats the txn before it; applied again, as ZooKeeper does`;
  }
  return `${b.highest}(highestZxid) > ${b.zxid}(next log) for type ${b.type}: ${where} ` +
    `is not after ${hex(b.highest)}; applied again, as ZooKeeper does`;
}

/**
 * A log with no complete file header: empty, or zeros where the header
 * belongs. A crash just after the file was created leaves one; so does damage
 * that emptied a log of txns, and the two cannot be told apart by the file.
 */
export interface EmptyLog {
  file: string;
  /** Its length in bytes. */
  size: number;
  /** The zxid in its name: the first txn it was created for. */
  from: bigint;
  /**
   * The last zxid it can have held, when something bounds it: the next log's
   * first zxid − 1, or a snapshot at or after `from` (a log rolls when a
   * snapshot is asked for, so txns after the snapshot went to a later log).
   */
  to: bigint | null;
  /** What bounds `to`. */
  bound: "next log" | "snapshot" | null;
}

/** What a restore found. */
export interface Restored {
  tree: DataTree;
  snapshot: (LoadedSnapshot & { file: string }) | null;
  logs: string[];
  lastProcessedZxid: bigint;
  txnsApplied: number;
  /** The first txn whose recorded digest disagreed with the tree, if any. */
  digestMismatch: { zxid: bigint; expected: bigint; actual: bigint } | null;
  /** The snapshot's own digest, checked when replay passed its zxid. */
  snapshotDigest: "ok" | "mismatch" | "unchecked" | "absent";
  /** Logs read that had no complete file header (each also reported to onTorn). */
  emptyLogs: EmptyLog[];
  /** How many txns were behind the highest applied (each also reported to onBehind). */
  txnsBehind: number;
}

/**
 * Restores a data dir: the newest snapshot that loads (trying up to 100, newest
 * first, skipping broken ones as ZooKeeper does), then the txns after it in zxid
 * order up to `toZxid`. Txns already in a fuzzy snapshot are applied again, as
 * ZooKeeper does; applyTxn tolerates them. So are txns a log holds twice
 * (reported to onBehind); a jump past the highest zxid is missing txns, an error.
 */
export async function restore(
  dataDir: string,
  opts: { toZxid?: bigint; logDir?: string; extendedTypes?: boolean } & RestoreHooks = {},
): Promise<Restored> {
  const dir = await versionDir(dataDir);
  // dataLogDir: logs may live on their own disk, as ZooKeeper allows.
  const logDir = opts.logDir === undefined ? dir : await versionDir(opts.logDir);
  // zookeeper.extendedTypesEnabled decides how owners are filed (node_kind.ts).
  const extendedTypes = opts.extendedTypes ?? false;
  let tree = new DataTree({ extendedTypes });
  let snapshot: Restored["snapshot"] = null;
  let tried = 0;
  for (const s of await listSnapshots(dir)) {
    // For a point-in-time restore only snapshots taken at or before the target help.
    if (opts.toZxid !== undefined && s.zxid > opts.toZxid) continue;
    if (tried >= SNAPSHOTS_TRIED) break;
    if (!(await looksValid(s.path))) {
      // Cut short or empty (e.g. a crash while an older ZooKeeper wrote it in place).
      opts.onSkip?.(s.path, "not a complete snapshot (it lacks the final seal or magic)");
      continue;
    }
    tried++;
    const candidate = new DataTree({ empty: true, extendedTypes });
    try {
      const loaded = await loadSnapshot(s.path, candidate);
      // A fuzzy snapshot may hold txns up to its digest's zxid: too late for --to.
      const upTo = loaded.trailer.digest?.zxid ?? 0n;
      if (opts.toZxid !== undefined && upTo > opts.toZxid) {
        opts.onSkip?.(s.path, `it may hold txns up to 0x${upTo.toString(16)}, after the target`);
        continue;
      }
      tree = candidate;
      snapshot = { ...loaded, file: s.path };
      break;
    } catch (e) {
      if (!(e instanceof CorruptDataError)) throw e;
      opts.onSkip?.(s.path, e.message);
    }
  }
  const allLogs = await listLogs(logDir);
  const start = snapshot ? snapshot.zxid : 0n;
  if (!snapshot && allLogs.length > 0 && allLogs[0].zxid > 1n) {
    throw new CorruptDataError(
      `${logDir}: no valid snapshot, and the oldest log starts at 0x${
        allLogs[0].zxid.toString(16)
      } (txns are missing)`,
    );
  }
  const logs = logsFrom(allLogs, start);
  let applied = 0;
  let digestMismatch: Restored["digestMismatch"] = null;
  let highest = tree.lastProcessedZxid;
  let started = false;
  let behind = 0;
  const to = opts.toZxid;
  const emptyLogs: EmptyLog[] = [];
  outer:
  for (const [i, l] of logs.entries()) {
    for await (const e of readTxnLog(l.path)) {
      if (e.kind === "end") {
        if (e.reason !== "torn") continue;
        // Records start after the 16-byte header: torn at 0 means no header.
        if (e.offset === 0) emptyLogs.push(await emptyLog(l, logs[i + 1], snapshot?.zxid));
        opts.onTorn?.(e);
        continue;
      }
      if (e.kind !== "txn") continue;
      const t: LogTxn = e;
      const zxid = t.header.zxid;
      // As FileTxnLog's iterator: only the txns before the first one past the
      // snapshot are skipped; once there, every later txn is read.
      if (!started && zxid <= start) continue;
      started = true;
      if (to !== undefined && zxid > to) break outer;
      if (zxid <= highest && highest !== 0n) {
        behind++;
        opts.onBehind?.({ file: l.path, offset: t.offset, zxid, highest, type: t.header.type });
      } else {
        // Only a txn past every one seen can reveal txns that were never logged.
        const gap = missingBefore(zxid, highest);
        if (gap !== null) {
          throw new CorruptDataError(
            `${l.path}: txn 0x${zxid.toString(16)} at offset ${t.offset} follows 0x${
              highest.toString(16)
            }: txns ${gap} are missing (a log file was removed or cut short)`,
          );
        }
        highest = zxid;
      }
      applyTxn(tree, t.header, t.txn);
      applied++;
      if (zxid === highest) opts.onReplayed?.(zxid, t.bytes);
      // The tree's digest log knows whether replay is still inside a fuzzy
      // snapshot; only past it does a txn's recorded digest describe the tree.
      if (
        tree.digestLog.pending === null && t.digest && digestMismatch === null &&
        t.digest.treeDigest !== tree.digest
      ) {
        digestMismatch = { zxid, expected: t.digest.treeDigest, actual: tree.digest };
      }
      if ((applied & 1023) === 0) opts.onTxn?.(zxid);
    }
  }
  const recorded = snapshot?.trailer.digest;
  const check = tree.digestLog.snapshotCheck;
  const snapshotDigest: Restored["snapshotDigest"] = !recorded || recorded.zxid === 0n
    ? "absent"
    : check === "ok" || check === "mismatch"
    ? check
    : "unchecked";
  return {
    tree,
    snapshot,
    logs: logs.map((l) => l.path),
    lastProcessedZxid: tree.lastProcessedZxid,
    txnsApplied: applied,
    digestMismatch,
    snapshotDigest,
    emptyLogs,
    txnsBehind: behind,
  };
}

async function emptyLog(
  log: DataFile,
  next: DataFile | undefined,
  snapshotZxid: bigint | undefined,
): Promise<EmptyLog> {
  const size = await Deno.stat(log.path).then((s) => s.size, () => 0);
  const base = { file: log.path, size, from: log.zxid };
  if (next) return { ...base, to: next.zxid - 1n, bound: "next log" };
  if (snapshotZxid !== undefined && snapshotZxid >= log.zxid) {
    return { ...base, to: snapshotZxid, bound: "snapshot" };
  }
  return { ...base, to: null, bound: null };
}

/**
 * How loud an empty log is, and the one line that says which zxids it may
 * have held. An error when txns it may have held are not in the restored
 * state: if damage emptied it they are lost, and the server will hand out
 * their zxids again. A warning when the restored state covers them all.
 */
export function describeEmptyLog(
  e: EmptyLog,
  restoredTo: bigint,
): { level: "warn" | "error"; message: string } {
  const hex = (z: bigint) => `0x${z.toString(16)}`;
  const what = e.size === 0 ? "is empty (0 bytes)" : `has no file header (${e.size} bytes)`;
  const range = e.to === null
    ? `${hex(e.from)} and later (it is the newest log: nothing bounds them)`
    : `${hex(e.from)}..${hex(e.to)} (bounded by the ${e.bound})`;
  const held = `txn log ${e.file} ${what}: it may have held txns ${range}`;
  if (e.to !== null && e.to <= restoredTo) {
    return { level: "warn", message: `${held}; the restored state reaches ${hex(restoredTo)}` };
  }
  const lostFrom = e.from > restoredTo ? e.from : restoredTo + 1n;
  return {
    level: "error",
    message: `${held}, and the restored state ends at ${hex(restoredTo)}. A crash right after ` +
      `the log was created leaves such a file; if damage emptied it instead, txns from ` +
      `${hex(lostFrom)} on are lost and their zxids will be given out again`,
  };
}

/**
 * The zxids missing between the last applied txn and the next one, or null
 * when none are. Within an epoch (the high 32 bits) a data dir holds every txn
 * in counter order, so a jump means lost txns; a new epoch restarts the
 * counter, so a jump across epochs is normal. An empty tree is at zxid 0, so
 * its first txn in epoch 0 must be 0x1.
 */
export function missingBefore(zxid: bigint, prev: bigint): string | null {
  if (prev < 0n || zxid >> 32n !== prev >> 32n || zxid <= prev + 1n) return null;
  const from = prev + 1n;
  const to = zxid - 1n;
  return from === to ? `0x${from.toString(16)}` : `0x${from.toString(16)}..0x${to.toString(16)}`;
}

/** What a purge removed. */
export interface PurgeResult {
  keptSnapshots: string[];
  removedSnapshots: string[];
  removedLogs: string[];
}

/**
 * Removes all but the `keep` newest snapshots and the logs they no longer need
 * (PurgeTxnLog.purge, as autopurge runs it). keep must be at least 3.
 */
export async function purge(
  dataDir: string,
  keep: number,
  dryRun = false,
  logDataDir: string = dataDir,
): Promise<PurgeResult> {
  if (!Number.isInteger(keep) || keep < 3) {
    throw new RangeError(`purge must keep at least 3 snapshots, got ${keep}`);
  }
  const dir = await versionDir(dataDir);
  const snaps = await listSnapshots(dir);
  const kept = await validSnapshots(dir, keep);
  if (kept.length === 0) return { keptSnapshots: [], removedSnapshots: [], removedLogs: [] };
  const oldest = kept[kept.length - 1].zxid;
  const logs = await listLogs(logDataDir === dataDir ? dir : await versionDir(logDataDir));
  const needed = new Set(logsFrom(logs, oldest).map((l) => l.path));
  const removedSnapshots = snaps.filter((s) => s.zxid < oldest).map((s) => s.path);
  const removedLogs = logs.filter((l) => !needed.has(l.path) && l.zxid < oldest).map((l) => l.path);
  if (!dryRun) { for (const p of [...removedSnapshots, ...removedLogs]) await Deno.remove(p); }
  return { keptSnapshots: kept.map((s) => s.path), removedSnapshots, removedLogs };
}
