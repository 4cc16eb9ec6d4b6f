// The server's durable state: the DataTree restored from the data dir, the txn
// log it appends to (group commit: one write + one fsync per batch), and
// snapshots taken every snapCount txns. Formats and restore are persistence's;
// this file only sequences them for a live server.
import { join, resolve } from "node:path";
import { ConfigError, CorruptDataError } from "../errors.ts";
import type { ZkConfig } from "../config/types.ts";
import type { DataTree } from "../data/tree.ts";
import type { TreeImage } from "../data/node_view.ts";
import { DIGEST_VERSION } from "../data/digest.ts";
import type { TxnDigest, TxnHeader } from "../jute/txn.ts";
import { logger } from "../log/logger.ts";
import { isIoError, snapshotFailed } from "../log/fatal.ts";
import {
  describeBehind,
  describeEmptyLog,
  listLogs,
  listSnapshots,
  restore,
} from "../persistence/datadir.ts";
import type { Txn } from "../jute/txn_body.ts";
import { writeSnapshot } from "../persistence/snapshot.ts";
import { logFileName, readTxnLog, snapshotFileName, TxnLogWriter } from "../persistence/txnlog.ts";
import { MinAvgMax } from "./four_letter.ts";

const log = logger("FileTxnSnapLog");

/** Snapshot bytes serialized between two yields to requests (~2k znodes of 100 B). */
const SNAPSHOT_CHUNK = 256 * 1024;

/** 3.8's default zookeeper.fsync.warningthresholdms: a slower fsync is logged. */
const FSYNC_WARNING_MS = 1000;

/** One txn as it goes to the log. */
export interface LoggedTxn {
  header: TxnHeader;
  txn: Txn;
  digest: TxnDigest | null;
}

/**
 * What the client-port server needs from its storage. A standalone server uses
 * Database below; a quorum peer can supply one whose commit() is its Zab
 * proposal path (log locally + quorum acks) over the same tree.
 */
export interface ServerDatabase {
  readonly tree: DataTree;
  readonly snapDir: string;
  readonly logDir: string;
  /** Makes a batch of already applied txns durable; replies wait for it. */
  commit(batch: LoggedTxn[]): Promise<void>;
  /** The TxnDigest recorded after a txn (the tree's digest once it is applied). */
  digestRecord(): TxnDigest;
  /** Asks for a log roll + snapshot between batches; false when one is pending. */
  requestSnapshot(): boolean;
  close(): Promise<void>;
  /** Startup numbers (3.8's dbinittime, startup_txns_loaded), when this database restored one. */
  readonly startup?: { initMs: number; txnsLoaded: number; digestMismatches: number };
  /** Milliseconds per snapshot written (3.8's snapshottime). */
  readonly snapshotTimes?: MinAvgMax;
  /** Log fsyncs slower than the warning threshold (ServerStats.fsync_threshold_exceed_count). */
  readonly slowSyncs?: number;
}

/** The tree plus where its txns and snapshots go. */
export class Database implements ServerDatabase {
  private writer: TxnLogWriter | null = null;
  private closed = false;
  /** The tree as of the snapshot asked for, written once its zxid is durable. */
  private pendingImage: TreeImage | null = null;
  private snapshotting: Promise<void> | null = null;
  private closedWrites = 0;
  private closedSyncs = 0;
  private dirSyncs = 0;
  /** Data syncs slower than FSYNC_WARNING_MS (3.8's fsync_threshold_exceed_count). */
  slowSyncs = 0;
  startup = { initMs: 0, txnsLoaded: 0, digestMismatches: 0 };
  readonly snapshotTimes = new MinAvgMax();

  /** The last zxid written to the current (or last closed) log. */
  private lastLogged: bigint;

  private constructor(
    readonly tree: DataTree,
    readonly dataDir: string,
    readonly snapDir: string,
    readonly logDir: string,
    readonly forceSync: boolean,
    /** Txn log preallocation chunk in bytes (preAllocSize KiB × 1024). */
    readonly preAllocSize: number,
  ) {
    this.lastLogged = tree.lastProcessedZxid;
  }

  /** Restores dataDir (newest valid snapshot + logs after it) and snapshots the result, as 3.8 does at startup. */
  static async open(cfg: ZkConfig): Promise<Database> {
    const t0 = performance.now();
    // Absolute, as 3.8's conf prints them.
    const snapDir = resolve(cfg.dataDir, "version-2");
    const logDir = resolve(cfg.dataLogDir, "version-2");
    await Deno.mkdir(snapDir, { recursive: true });
    await Deno.mkdir(logDir, { recursive: true });
    await removeUnfinishedSnapshots(snapDir);
    if (snapDir !== logDir) await checkSeparateDirs(snapDir, logDir);
    const r = await restore(cfg.dataDir, {
      logDir,
      extendedTypes: cfg.extendedTypesEnabled,
      onSkip: (f, why) => log.warn(`skipping snapshot ${f}: ${why}`),
      onBehind: (b) => log.error(describeBehind(b)),
      onTorn: (e) => {
        // A log without its header is reported below, with the zxids it may have held.
        if (e.offset === 0) return;
        log.warn(`txn log ends with a torn record: ${JSON.stringify(e, bigints)}`);
      },
    });
    for (const empty of r.emptyLogs) {
      const { level, message } = describeEmptyLog(empty, r.lastProcessedZxid);
      log.log(level, message);
    }
    log.info(
      `Restored ${r.snapshot ? r.snapshot.file : "an empty tree"} + ${r.txnsApplied} txns; ` +
        `last zxid 0x${r.lastProcessedZxid.toString(16)}`,
    );
    const db = new Database(
      r.tree,
      cfg.dataDir,
      snapDir,
      logDir,
      cfg.forceSync,
      cfg.preAllocSizeKb * 1024,
    );
    // 3.8's dbinittime covers loading the data (snapshot + logs), not the startup snapshot.
    db.startup = {
      initMs: Math.round(performance.now() - t0),
      txnsLoaded: r.txnsApplied,
      // Restore reports the snapshot's digest check and the first txn whose
      // digest differs (3.8 counts each such txn; this is a lower bound).
      digestMismatches: (r.snapshotDigest === "mismatch" ? 1 : 0) + (r.digestMismatch ? 1 : 0),
    };
    await db.takeSnapshot();
    return db;
  }

  /** Appends a batch and makes it durable (fsync unless forceSync=no). */
  async commit(batch: LoggedTxn[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.closed) throw new Error("database is closed");
    if (!this.writer) {
      const file = join(this.logDir, logFileName(batch[0].header.zxid));
      this.writer = await this.createLog(file);
    }
    const w = this.writer;
    for (const t of batch) w.append(t.header, t.txn, t.digest);
    // One write and (with forceSync) one fdatasync for the whole batch.
    const syncsBefore = w.syncs;
    await w.flush();
    if (w.syncs > syncsBefore && w.lastSyncMs > FSYNC_WARNING_MS) {
      this.slowSyncs++;
      log.warn(
        `fsync-ing the write ahead log in SyncThread took ${Math.round(w.lastSyncMs)}ms ` +
          `which will adversely effect operation latency.File size is ${
            (await Deno.stat(w.file).catch(() => ({ size: 0 }))).size
          } bytes. See the ZooKeeper troubleshooting guide`,
      );
    }
    this.lastLogged = batch[batch.length - 1].header.zxid;
    await this.rollIfRequested();
  }

  /**
   * Creates the next log. A file already under that name holds no complete txn
   * (restore applied every one, and this name is for the zxid after them): a
   * crash cut it before its first record was whole. It is replaced, as
   * ZooKeeper's FileOutputStream would overwrite it.
   */
  private async createLog(file: string): Promise<TxnLogWriter> {
    const opts = { forceSync: this.forceSync, preAllocSize: this.preAllocSize };
    let w: TxnLogWriter;
    try {
      w = await TxnLogWriter.create(file, 0n, opts);
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      for await (const entry of readTxnLog(file)) {
        if (entry.kind === "txn") {
          throw new CorruptDataError(
            `${file} already exists and holds txn 0x${entry.header.zxid.toString(16)}, ` +
              `which the restore did not reach`,
          );
        }
      }
      log.warn(`replacing ${file}: it holds no complete txn (cut short by a crash)`);
      await Deno.remove(file);
      w = await TxnLogWriter.create(file, 0n, opts);
    }
    if (this.forceSync) {
      // The file's fdatasyncs do not make its name durable; one directory sync
      // per new log does (stricter than 3.8, which relies on the file system).
      const d = await Deno.open(this.logDir, { read: true });
      try {
        await d.sync();
      } finally {
        d.close();
      }
      this.dirSyncs++;
    }
    return w;
  }

  /** The digest record 3.8 writes after each txn (the tree digest once it is applied). */
  digestRecord(): TxnDigest {
    return { version: DIGEST_VERSION, treeDigest: this.tree.digest };
  }

  /**
   * Asks for a log roll + snapshot after the next batch is durable (3.8's
   * SyncRequestProcessor does both between batches). False when one is
   * already on the way.
   */
  requestSnapshot(): boolean {
    if (this.pendingImage || this.snapshotting) return false;
    this.pendingImage = this.tree.freeze();
    return true;
  }

  /** Resolves when no snapshot is being written. */
  async snapshotDone(): Promise<void> {
    while (this.snapshotting) await this.snapshotting;
  }

  /**
   * After a durable batch: once the image asked for is durable too, closes the
   * log (the next batch opens a new one) and writes the image as
   * snapshot.<its zxid>. The image is a frozen copy of the tree, so requests go
   * on changing the live tree meanwhile; the writer yields to them every
   * SNAPSHOT_CHUNK bytes.
   */
  private async rollIfRequested(): Promise<void> {
    const image = this.pendingImage;
    if (!image || image.lastProcessedZxid > this.lastLogged) return;
    this.pendingImage = null;
    await this.rollLog();
    const zxid = image.lastProcessedZxid;
    const file = join(this.snapDir, snapshotFileName(zxid));
    const t0 = performance.now();
    log.info(`Snapshotting: 0x${zxid.toString(16)} to ${file}`);
    this.snapshotting = writeSnapshot(file, image, { chunk: SNAPSHOT_CHUNK })
      .then(() => this.snapshotTimes.add(Math.round(performance.now() - t0)))
      .catch((e) => snapshotFailed(log, file, e)).finally(() => {
        image.release();
        this.snapshotting = null;
      });
  }

  private async rollLog(): Promise<void> {
    const w = this.writer;
    this.writer = null;
    if (!w) return;
    try {
      await w.close();
    } finally {
      this.closedWrites += w.writes;
      this.closedSyncs += w.syncs;
    }
  }

  /**
   * Log writes and data syncs issued since open (group commit: one of each per
   * batch), and directory syncs (one per new log file).
   */
  logStats(): { writes: number; syncs: number; dirSyncs: number } {
    return {
      dirSyncs: this.dirSyncs,
      writes: this.closedWrites + (this.writer?.writes ?? 0),
      syncs: this.closedSyncs + (this.writer?.syncs ?? 0),
    };
  }

  private async takeSnapshot(): Promise<void> {
    const zxid = this.tree.lastProcessedZxid;
    const file = join(this.snapDir, snapshotFileName(zxid));
    log.info(`Snapshotting: 0x${zxid.toString(16)} to ${file}`);
    const t0 = performance.now();
    try {
      await writeSnapshot(file, this.tree);
    } catch (e) {
      // 3.8 exits 10 on this startup snapshot's I/O errors too; others fail the start.
      if (isIoError(e)) snapshotFailed(log, file, e);
      throw e;
    }
    this.snapshotTimes.add(Math.round(performance.now() - t0));
  }

  /** Flushes and closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.snapshotDone();
    await this.rollLog();
    this.closed = true;
  }
}

/**
 * Deletes snapshot.<zxid>.tmp-<pid> files: snapshots a killed server was still
 * writing (they are only renamed into place once complete, so never restored).
 */
async function removeUnfinishedSnapshots(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !/^snapshot\.[0-9a-f]+(\.gz|\.snappy)?\.tmp-\d+$/.test(e.name)) continue;
    log.warn(`removing ${e.name}: a snapshot left unfinished by a crash`);
    await Deno.remove(join(dir, e.name)).catch(() => {});
  }
}

function bigints(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `0x${v.toString(16)}` : v;
}

/**
 * With dataLogDir apart from dataDir, each must hold only its own kind of file
 * (FileTxnSnapLog's checks): a mix means the two keys were swapped or changed.
 */
async function checkSeparateDirs(snapDir: string, logDir: string): Promise<void> {
  if ((await listLogs(snapDir)).length > 0) {
    throw new ConfigError(
      `dataDir ${snapDir} has log files: check that dataLogDir and dataDir are set correctly`,
    );
  }
  if ((await listSnapshots(logDir)).length > 0) {
    throw new ConfigError(
      `dataLogDir ${logDir} has snapshot files: check that dataLogDir and dataDir are set correctly`,
    );
  }
}
