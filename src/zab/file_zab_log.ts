// ZabLog over a real data dir, in ZooKeeper 3.8's file formats: the txn log
// written by persistence's TxnLogWriter (group commit: one write and one
// fsync per batch), snapshots by writeSnapshot, the tree restored by
// persistence's restore and changed only through applyTxn, the epoch files by
// epoch_files.ts. What it adds is the sequencing Zab needs: truncate to a
// zxid, swap in a received snapshot, fast-forward memory to the log.
import { join, resolve } from "node:path";
import { type ApplyResult, applyTxn } from "../data/apply.ts";
import type { TreeImage } from "../data/node_view.ts";
import { DataTree } from "../data/tree.ts";
import { CorruptDataError } from "../errors.ts";
import { snapshotFailed } from "../log/fatal.ts";
import { logger } from "../log/logger.ts";
import { endOfTurn } from "../net/end_of_turn.ts";
import {
  describeBehind,
  describeEmptyLog,
  listLogs,
  listSnapshots,
  logsFrom,
  restore,
} from "../persistence/datadir.ts";
import { loadEpochs, writeEpochFile } from "../persistence/epoch_files.ts";
import { decodeTxnEntry } from "../persistence/records.ts";
import { type SnapEntry, type SnapNode, writeSnapshot } from "../persistence/snapshot.ts";
import {
  logFileName,
  readTxnLog,
  snapshotFileName,
  truncateTxnLog,
  TxnLogWriter,
} from "../persistence/txnlog.ts";
import { zxidHex } from "./packet_types.ts";
import type { SnapReceiver, ZabLog, ZabLogTxn } from "./zab_log.ts";

const log = logger("FileTxnSnapLog");

/** 3.8's commitLogCount default: committed txns kept in memory for DIFF. */
export const COMMITTED_WINDOW = 500;

/** Where the data lives and how it is written. */
export interface FileZabLogOptions {
  dataDir: string;
  /** dataLogDir (default dataDir). */
  dataLogDir?: string;
  /** fdatasync each batch (ZooKeeper's forceSync, default true). */
  forceSync?: boolean;
  /** Txn log preallocation in bytes (preAllocSize KiB × 1024; default 0). */
  preAllocSize?: number;
  /** zookeeper.extendedTypesEnabled, for the tree. */
  extendedTypes?: boolean;
  /** Committed txns kept for committedWindow() (default 500). */
  windowSize?: number;
  /**
   * snapCount: after snapCount/2 + random(snapCount/2) logged txns the log
   * rolls and the tree is snapshotted in the background, as 3.8's
   * SyncRequestProcessor does (default 100000; 0 never).
   */
  snapCount?: number;
  /** Random numbers in [0, 1) for that roll (default Math.random). */
  random?: () => number;
  /**
   * The local quorum config (QuorumVerifier text and version) a quorum peer
   * keeps in /zookeeper/config, as 3.8's initConfigInZKDatabase writes it
   * (not a txn; outside the digest), on every tree it restores or receives.
   */
  configNode?: { text: string; version: bigint };
  /** Wall clock for that node's mtime (default Date.now). */
  now?: () => number;
}

interface Waiter {
  txns: readonly ZabLogTxn[];
  resolve: () => void;
  reject: (e: Error) => void;
  /** When append() queued them (performance.now()). */
  at: number;
}

/** One group commit as 3.8's SyncRequestProcessor meters it. */
export interface FlushReport {
  /** Txns written and synced. */
  txns: number;
  /** The write + fsync, ms. */
  flushMs: number;
  /** Per append() in the batch: its txn count and how long it queued before the write, ms. */
  queued: { txns: number; ms: number }[];
}

/** A ZabLog on dataDir/version-2 (and dataLogDir/version-2). */
export class FileZabLog implements ZabLog {
  private treeNow: DataTree;
  private writer: TxnLogWriter | null = null;
  /** The last zxid accepted by append() (queued or written). */
  private lastQueued: bigint;
  /** The last zxid written and synced. */
  private lastDurable: bigint;
  private pending: Waiter[] = [];
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  private window: ZabLogTxn[] = [];
  private closed = false;
  /** Txns logged since the last roll, and the count that triggers the next. */
  private sinceRoll = 0;
  private rollAt: number;
  /** A snapshot being written in the background. */
  private snapshotting: Promise<void> | null = null;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** Batches written and fsyncs issued (group commit shows as fewer of both than txns). */
  readonly stats = { batches: 0, txns: 0, syncs: 0 };
  /**
   * Every txn logged after `tailFrom`, in log order (the recent ones and any
   * not yet applied): fast-forward and a new leader's window read them here
   * instead of decoding the whole newest log file, which took 100+ ms per
   * role change once the log held ~30k txns. Emptied whenever the log is
   * rewritten under it (truncate, a received snapshot, a reload).
   */
  private tail: ZabLogTxn[] = [];
  private tailFrom: bigint;
  /** Told of every group commit (the server's fsynctime and sync_processor_* metrics). */
  onFlush: ((r: FlushReport) => void) | null = null;

  private constructor(
    readonly snapDir: string,
    readonly logDir: string,
    private readonly opts: FileZabLogOptions,
    tree: DataTree,
    epochs: { acceptedEpoch: bigint; currentEpoch: bigint },
  ) {
    this.treeNow = this.withConfigNode(tree);
    this.lastQueued = this.lastDurable = tree.lastProcessedZxid;
    this.tailFrom = this.lastDurable;
    this.acceptedEpoch = epochs.acceptedEpoch;
    this.currentEpoch = epochs.currentEpoch;
    this.rollAt = this.nextRoll();
  }

  /** Writes the local quorum config into /zookeeper/config (version -1, mzxid = config version). */
  private withConfigNode(t: DataTree): DataTree {
    const c = this.opts.configNode;
    if (!c) return t;
    const now = (this.opts.now ?? Date.now)();
    t.setData("/zookeeper/config", new TextEncoder().encode(c.text), -1, c.version, now);
    return t;
  }

  private nextRoll(): number {
    const n = this.opts.snapCount ?? 100_000;
    if (n <= 0) return Infinity;
    return Math.floor(n / 2) + Math.floor((this.opts.random ?? Math.random)() * Math.floor(n / 2));
  }

  /** Restores the data dir (newest valid snapshot + logs) and loads the epoch files. */
  static async open(opts: FileZabLogOptions): Promise<FileZabLog> {
    const snapDir = resolve(opts.dataDir, "version-2");
    const logDir = resolve(opts.dataLogDir ?? opts.dataDir, "version-2");
    await Deno.mkdir(snapDir, { recursive: true });
    await Deno.mkdir(logDir, { recursive: true });
    const r = await restoreTree(snapDir, logDir, opts.extendedTypes ?? false, tailKeep(opts));
    const epochs = await loadEpochs(snapDir, r.tree.lastProcessedZxid);
    const zl = new FileZabLog(snapDir, logDir, opts, r.tree, epochs);
    zl.adoptTail(r);
    // An empty data dir gets snapshot.0, as 3.8's restore saves one: logs that
    // later start at a new epoch's first zxid then restore from it.
    if ((await listSnapshots(snapDir)).length === 0 && (await listLogs(logDir)).length === 0) {
      await zl.takeSnapshot({ fsync: true });
    }
    return zl;
  }

  get tree(): DataTree {
    return this.treeNow;
  }

  get lastLoggedZxid(): bigint {
    return this.lastDurable;
  }

  get lastAppliedZxid(): bigint {
    return this.treeNow.lastProcessedZxid;
  }

  append(txns: readonly ZabLogTxn[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the Zab log is closed"));
    if (this.failure) return Promise.reject(this.failure);
    // After a fuzzy SNAP the leader forwards txns its image already holds
    // (zab-3.8.md §3.9): the image is written at NEWLEADER, so they are not logged.
    const fresh = txns.filter((t) => t.zxid > this.lastQueued);
    if (fresh.length > 0) this.lastQueued = fresh[fresh.length - 1].zxid;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ txns: fresh, resolve, reject, at: performance.now() });
      if (!this.running) this.running = this.loop();
    });
  }

  private async loop(): Promise<void> {
    // Let the whole turn append more, so they share this batch (end_of_turn.ts).
    await endOfTurn();
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          const start = performance.now();
          const txns = batch.flatMap((w) => w.txns);
          await this.write(txns);
          if (this.onFlush && txns.length > 0) {
            this.onFlush({
              txns: txns.length,
              flushMs: performance.now() - start,
              queued: batch.map((w) => ({ txns: w.txns.length, ms: start - w.at })),
            });
          }
        } catch (e) {
          this.failure = e as Error;
          for (const w of [...batch, ...this.pending]) w.reject(this.failure);
          this.pending = [];
          return;
        }
        for (const w of batch) w.resolve();
      }
    } finally {
      this.running = null;
    }
  }

  /** One batch: one write, one fsync. */
  private async write(txns: ZabLogTxn[]): Promise<void> {
    if (txns.length === 0) return;
    if (!this.writer) this.writer = await this.createLog(txns[0].zxid);
    const w = this.writer;
    for (const t of txns) w.appendRaw(t.entry);
    const syncs = w.syncs;
    await w.flush();
    this.stats.batches++;
    this.stats.txns += txns.length;
    this.stats.syncs += w.syncs - syncs;
    this.lastDurable = txns[txns.length - 1].zxid;
    this.keepTail(txns);
    this.sinceRoll += txns.length;
    if (this.sinceRoll > this.rollAt && !this.snapshotting) await this.roll();
  }

  /**
   * Closes the log (the next batch starts a new one) and snapshots the tree
   * in the background. The tree holds committed txns only, so it may lag the
   * log; a restore replays from the log that holds the snapshot's zxid.
   */
  private async roll(): Promise<void> {
    this.sinceRoll = 0;
    this.rollAt = this.nextRoll();
    const w = this.writer;
    this.writer = null;
    if (w) await w.close();
    const image = this.treeNow.freeze();
    const zxid = image.lastProcessedZxid;
    const file = join(this.snapDir, snapshotFileName(zxid));
    log.info(`Snapshotting: ${zxidHex(zxid)} to ${file}`);
    this.snapshotting = writeSnapshot(file, image)
      .catch((e) => snapshotFailed(log, file, e))
      .finally(() => {
        image.release();
        this.snapshotting = null;
      });
  }

  /**
   * A new log named for its first zxid. A file already under that name holds
   * no txn the restore reached (a crash cut it before its first record was
   * whole): it is replaced, as Database does for a standalone server.
   */
  private async createLog(first: bigint): Promise<TxnLogWriter> {
    const file = join(this.logDir, logFileName(first));
    const opts = {
      forceSync: this.opts.forceSync ?? true,
      preAllocSize: this.opts.preAllocSize ?? 0,
    };
    let w: TxnLogWriter;
    try {
      w = await TxnLogWriter.create(file, 0n, opts);
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      for await (const entry of readTxnLog(file)) {
        if (entry.kind === "txn") {
          throw new CorruptDataError(
            `${file} already exists and holds txn ${zxidHex(entry.header.zxid)}`,
          );
        }
      }
      log.warn(`replacing ${file}: it holds no complete txn (cut short by a crash)`);
      await Deno.remove(file);
      w = await TxnLogWriter.create(file, 0n, opts);
    }
    // The file's fdatasyncs do not make its name durable; a directory sync does.
    if (opts.forceSync) await syncDir(this.logDir);
    return w;
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  private async closeWriter(): Promise<void> {
    await this.drain();
    // A background snapshot must land before files are removed or replaced.
    while (this.snapshotting) await this.snapshotting;
    const w = this.writer;
    this.writer = null;
    if (w) await w.close();
  }

  async truncate(zxid: bigint): Promise<void> {
    await this.closeWriter();
    await this.dropAfter(zxid);
    await this.reload();
    if (this.lastDurable > zxid) {
      throw new CorruptDataError(
        `after truncating to ${zxidHex(zxid)} the data dir still reaches ${
          zxidHex(this.lastDurable)
        }`,
      );
    }
  }

  /**
   * Removes every logged txn after zxid (log files that start after it, the
   * tail of the one holding it) and snapshots taken after it, which hold
   * txns the leader never committed (3.8 keeps such snapshots, so a reload
   * could bring those txns back).
   */
  private async dropAfter(zxid: bigint): Promise<void> {
    const logs = await listLogs(this.logDir);
    const keep = logsFrom(logs, zxid)[0];
    for (const l of logs) {
      if (l.zxid > zxid) {
        log.info(`Removing ${l.path}: it starts after ${zxidHex(zxid)}`);
        await Deno.remove(l.path);
      }
    }
    if (keep && keep.zxid <= zxid) {
      const r = await truncateTxnLog(keep.path, zxid, keep.path);
      if (r.dropped > 0) {
        log.info(`Truncated ${keep.path} after ${zxidHex(zxid)}: ${r.dropped} txns dropped`);
      }
    }
    for (const s of await listSnapshots(this.snapDir)) {
      if (s.zxid > zxid) {
        log.info(`Removing ${s.path}: it was taken after ${zxidHex(zxid)}`);
        await Deno.remove(s.path);
      }
    }
  }

  async loadSnapshot(zxid: bigint, receive: SnapReceiver): Promise<void> {
    await this.closeWriter();
    const t = new DataTree({ empty: true, extendedTypes: this.opts.extendedTypes ?? false });
    const load = (e: SnapEntry) => {
      switch (e.kind) {
        case "session":
          t.sessions.set(e.id, e.timeout);
          break;
        case "acl":
          t.acls.load(e.ref, e.acls);
          break;
        case "node":
          if (!t.loadNode(e.path, e.data, e.acl, e.stat, e.digest)) {
            throw new CorruptDataError(`SNAP node ${e.path} has no parent before it`);
          }
      }
    };
    await receive((batch: SnapEntry | SnapNode[]) => {
      if (Array.isArray(batch)) { for (const n of batch) load(n); }
      else load(batch);
    });
    t.setupQuota();
    t.acls.purgeUnused();
    t.lastProcessedZxid = zxid;
    // A SNAP carries no digest: nothing to check it against until the next snapshot.
    t.digestLog.snapshotLoaded(zxid, null, () => t.digest);
    // The leader's image supersedes whatever this log holds after it.
    await this.dropAfter(zxid);
    this.treeNow = this.withConfigNode(t);
    this.window = [];
    this.lastQueued = this.lastDurable = zxid;
    this.resetTail();
  }

  async takeSnapshot(_opts: { fsync: boolean }): Promise<bigint> {
    // One snapshot at a time: a background one may be writing the same name.
    while (this.snapshotting) await this.snapshotting;
    // writeSnapshot always fsyncs before its rename: stricter than 3.8's
    // unsynced TRUNC-mode snapshot, and a half file never gets the final name.
    const image = this.treeNow.freeze();
    const zxid = image.lastProcessedZxid;
    const file = join(this.snapDir, snapshotFileName(zxid));
    log.info(`Snapshotting: ${zxidHex(zxid)} to ${file}`);
    try {
      await writeSnapshot(file, image);
    } catch (e) {
      // A learner's sync snapshot: 3.8 exits 10 on an I/O error (else the
      // same SNAP would fail again on every try); the link still ends here.
      snapshotFailed(log, file, e);
      throw e;
    } finally {
      image.release();
    }
    return zxid;
  }

  async writeAcceptedEpoch(epoch: bigint): Promise<void> {
    await writeEpochFile(join(this.snapDir, "acceptedEpoch"), epoch);
    this.acceptedEpoch = epoch;
  }

  async writeCurrentEpoch(epoch: bigint): Promise<void> {
    await writeEpochFile(join(this.snapDir, "currentEpoch"), epoch);
    this.currentEpoch = epoch;
  }

  apply(txn: ZabLogTxn): ApplyResult {
    const { header, txn: body } = decodeTxnEntry(txn.entry);
    const before = this.treeNow.lastProcessedZxid;
    const r = applyTxn(this.treeNow, header, body);
    if (txn.zxid > before) {
      this.window.push(txn);
      const max = this.opts.windowSize ?? COMMITTED_WINDOW;
      // Trim in steps, not one shift per txn.
      if (this.window.length > max * 2) this.window = this.window.slice(-max);
    }
    return r;
  }

  async fastForward(): Promise<number> {
    await this.drain();
    const t = this.treeNow;
    let n = 0;
    if (this.tailFrom <= t.lastProcessedZxid) {
      // Every txn logged after what memory holds is in the tail.
      for (const x of this.tail) {
        if (x.zxid <= t.lastProcessedZxid) continue;
        const { header, txn } = decodeTxnEntry(x.entry);
        applyTxn(t, header, txn);
        n++;
      }
    } else {
      for (const l of logsFrom(await listLogs(this.logDir), t.lastProcessedZxid)) {
        for await (const e of readTxnLog(l.path)) {
          if (e.kind !== "txn" || e.header.zxid <= t.lastProcessedZxid) continue;
          applyTxn(t, e.header, e.txn);
          n++;
        }
      }
    }
    if (n > 0) log.info(`Fast-forwarded ${n} txns from the log to ${zxidHex(t.lastProcessedZxid)}`);
    // What is committed is no longer known: the window starts again.
    this.window = [];
    return n;
  }

  async reload(): Promise<void> {
    await this.closeWriter();
    const r = await restoreTree(
      this.snapDir,
      this.logDir,
      this.opts.extendedTypes ?? false,
      tailKeep(this.opts),
    );
    this.treeNow = this.withConfigNode(r.tree);
    this.window = [];
    this.lastQueued = this.lastDurable = r.tree.lastProcessedZxid;
    this.adoptTail(r);
  }

  /**
   * The last `size` txns logged, in zxid order, when the log since it was
   * opened (or last rewritten) holds them all in memory; null when only the
   * log files can say (a leader then reads them: leader_log.ts).
   */
  loggedTail(size: number): ZabLogTxn[] | null {
    const n = this.tail.length;
    if (n >= size) return this.tail.slice(n - size);
    // Shorter: whole only if nothing was logged before it.
    return this.tailFrom === 0n ? this.tail.slice() : null;
  }

  /** Adds durable txns to the tail; lets go of applied ones beyond what a window needs. */
  private keepTail(txns: readonly ZabLogTxn[]): void {
    for (const t of txns) this.tail.push(t);
    const keep = tailKeep(this.opts);
    if (this.tail.length <= 2 * keep) return;
    // Drop from the head, never a txn memory has not applied (fast-forward needs it).
    const applied = this.treeNow.lastProcessedZxid;
    let cut = this.tail.length - keep;
    while (cut > 0 && this.tail[cut - 1].zxid > applied) cut--;
    if (cut === 0) return;
    this.tailFrom = this.tail[cut - 1].zxid;
    this.tail = this.tail.slice(cut);
  }

  /** The tail a restore replayed (the files alone decide when it met txns out of order). */
  private adoptTail(r: RestoredLog): void {
    if (r.tail === null) return this.resetTail();
    this.tail = r.tail;
    this.tailFrom = r.from;
  }

  /** The log was rewritten under memory: the tail starts again at the last durable zxid. */
  private resetTail(): void {
    this.tail = [];
    this.tailFrom = this.lastDurable;
  }

  committedWindow(): readonly ZabLogTxn[] {
    const max = this.opts.windowSize ?? COMMITTED_WINDOW;
    return this.window.length > max ? this.window.slice(-max) : this.window;
  }

  image(): TreeImage {
    return this.treeNow.freeze();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.closeWriter().catch(() => {});
    this.closed = true;
  }
}

/** Applied txns the log's in-memory tail keeps (at least twice a committed window). */
function tailKeep(opts: FileZabLogOptions): number {
  return Math.max(2 * (opts.windowSize ?? COMMITTED_WINDOW), 1000);
}

/** A restored tree, and the logged txns its replay went through (the log's in-memory tail). */
interface RestoredLog {
  tree: DataTree;
  /** Every txn logged after `from`, in zxid order; null when the replay met txns out of order. */
  tail: ZabLogTxn[] | null;
  from: bigint;
}

async function restoreTree(
  snapDir: string,
  logDir: string,
  extendedTypes: boolean,
  keep: number,
): Promise<RestoredLog> {
  let tail: ZabLogTxn[] | null = [];
  let from: bigint | null = null;
  const r = await restore(snapDir, {
    logDir,
    extendedTypes,
    onSkip: (f, why) => log.warn(`skipping snapshot ${f}: ${why}`),
    onBehind: (b) => {
      log.error(describeBehind(b));
      // A txn logged twice (3.8.0 followers): the files decide, as before.
      tail = null;
    },
    onTorn: (e) => {
      if (e.offset !== 0) log.warn(`txn log ${e.file} ends with a torn record at ${e.offset}`);
    },
    onReplayed: (zxid, entry) => {
      if (tail === null) return;
      tail.push({ zxid, entry: entry.slice() });
      if (tail.length > 2 * keep) {
        from = tail[tail.length - keep - 1].zxid;
        tail = tail.slice(-keep);
      }
    },
  });
  for (const empty of r.emptyLogs) {
    const { level, message } = describeEmptyLog(empty, r.lastProcessedZxid);
    log.log(level, message);
  }
  log.info(
    `Restored ${r.snapshot ? r.snapshot.file : "an empty tree"} + ${r.txnsApplied} txns; ` +
      `last zxid ${zxidHex(r.lastProcessedZxid)}`,
  );
  // The replay read every logged txn after the snapshot it started from.
  return { tree: r.tree, tail, from: from ?? r.snapshot?.zxid ?? 0n };
}

async function syncDir(dir: string): Promise<void> {
  const d = await Deno.open(dir, { read: true });
  try {
    await d.sync();
  } finally {
    d.close();
  }
}
