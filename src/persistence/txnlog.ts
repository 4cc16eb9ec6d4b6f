// Transaction logs (version-2/log.<first zxid hex>), byte-compatible with
// ZooKeeper 3.8's FileTxnLog: FileHeader(ZKLG, 2, dbid), then records of
// Adler-32 (long), length (int), TxnHeader + txn + optional TxnDigest, and the
// end-of-record byte 0x42. Preallocated zero padding follows: a zero length ends
// the log. A record cut short by a crash is a "torn tail", reported as such.
import { CorruptDataError } from "../errors.ts";
import type { Reader } from "../jute/reader.ts";
import { Writer } from "../jute/writer.ts";
import type { TxnDigest, TxnHeader } from "../jute/txn.ts";
import { adler32 } from "./adler32.ts";
import { readFileHeader, TXNLOG_MAGIC, writeFileHeader } from "../jute/persistence.ts";
import { decodeTxnEntry, encodeTxnEntry } from "./records.ts";
import type { Txn } from "../jute/txn_body.ts";
import { ByteSource, TruncatedError } from "./source.ts";

/** "ZKLG" as a big-endian int. */
export const LOG_MAGIC = TXNLOG_MAGIC;
/** The log format version ZooKeeper writes. */
export const LOG_VERSION = 2;
/** The end-of-record marker ('B'). */
export const EOR = 0x42;

/** The log file header. */
export interface LogHeader {
  magic: number;
  version: number;
  dbid: bigint;
}

/** One decoded txn with where it sits in its file. */
export interface LogTxn {
  kind: "txn";
  file: string;
  offset: number;
  header: TxnHeader;
  txn: Txn;
  digest: TxnDigest | null;
  /** The record's txn bytes (header + body + digest), for copying verbatim. */
  bytes: Uint8Array;
  checksum: bigint;
}

/** How a log ended. */
export interface LogEnd {
  kind: "end";
  file: string;
  offset: number;
  /** eof: file ended on a record boundary; padding: zero length; torn: partial last record. */
  reason: "eof" | "padding" | "torn";
  detail?: string;
}

/** One record of a txn log, in file order. */
export type LogEntry = { kind: "header"; file: string; header: LogHeader } | LogTxn | LogEnd;

/** A record whose stored Adler-32 does not match its bytes. */
export class ChecksumError extends CorruptDataError {
  override name = "ChecksumError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly zxid: bigint | null,
    stored: bigint,
    computed: number,
  ) {
    super(
      `${file}: checksum mismatch in the record at offset ${offset}` +
        (zxid !== null ? ` (zxid 0x${zxid.toString(16)})` : "") +
        `: stored 0x${BigInt.asUintN(64, stored).toString(16)}, computed 0x${
          computed.toString(16)
        }`,
    );
  }
}

/** A framed log record: checksum, the txn bytes (null: a zero length, the padding), end marker. */
interface LogRecord {
  checksum: bigint;
  bytes: Uint8Array | null;
  eor: number;
}

function parseLogRecord(r: Reader): LogRecord {
  const checksum = r.long();
  const len = r.int();
  if (len === 0) return { checksum, bytes: null, eor: EOR };
  if (len < 0) r.fail(`negative record length ${len}`);
  if (len > r.maxLength) r.fail(`record length ${len} exceeds the limit ${r.maxLength}`);
  const bytes = r.raw(len).slice();
  return { checksum, bytes, eor: r.byte() & 0xff };
}

/**
 * Streams a txn log: the header, every txn in order, then how it ended.
 * Memory stays at one record. A checksum mismatch throws a ChecksumError;
 * a torn tail ends the stream with reason "torn".
 */
export async function* readTxnLog(file: string): AsyncGenerator<LogEntry> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(file);
  } catch (e) {
    throw new Error(`cannot open ${file}: ${(e as Error).message}`);
  }
  const src = new ByteSource(f.readable, file);
  try {
    let header: LogHeader;
    try {
      header = await src.record("file header", readFileHeader);
    } catch (e) {
      if (!(e instanceof TruncatedError)) throw e;
      // Created, then the process died before the header was written.
      yield { kind: "end", file, offset: 0, reason: "torn", detail: "no complete file header" };
      return;
    }
    if (header.magic === 0 && header.version === 0 && header.dbid === 0n) {
      // Zeros where the header belongs: preallocated but never written.
      yield { kind: "end", file, offset: 0, reason: "torn", detail: "the file header is zeros" };
      return;
    }
    if (header.magic !== LOG_MAGIC) {
      throw new CorruptDataError(
        `${file}: not a txn log: magic 0x${(header.magic >>> 0).toString(16)} at offset 0, ` +
          `expected 0x${LOG_MAGIC.toString(16)} ("ZKLG")`,
      );
    }
    yield { kind: "header", file, header };
    while (true) {
      const offset = src.offset;
      if (src.available === 0 && await src.atEnd()) {
        yield { kind: "end", file, offset, reason: "eof" };
        return;
      }
      let rec: LogRecord;
      try {
        // A record already buffered parses without an await; else read more.
        rec = src.tryRecord(parseLogRecord) ?? await src.record("txn record", parseLogRecord);
      } catch (e) {
        if (e instanceof TruncatedError) {
          yield {
            kind: "end",
            file,
            offset,
            reason: "torn",
            detail: `partial record at offset ${offset} (file ends after ${src.available} bytes)`,
          };
          return;
        }
        throw e;
      }
      if (rec.bytes === null) {
        yield { kind: "end", file, offset, reason: "padding" };
        return;
      }
      if (rec.eor !== EOR) {
        yield {
          kind: "end",
          file,
          offset,
          reason: "torn",
          detail: `record at offset ${offset} lacks the end marker 0x42 (found 0x${
            rec.eor.toString(16)
          })`,
        };
        return;
      }
      const computed = adler32(rec.bytes);
      if (BigInt(computed) !== rec.checksum) {
        // TxnHeader starts clientId (8), cxid (4), zxid (8): read the zxid even
        // when the damage makes the rest undecodable.
        const zxid = rec.bytes.length >= 20
          ? new DataView(rec.bytes.buffer, rec.bytes.byteOffset).getBigInt64(12)
          : null;
        throw new ChecksumError(file, offset, zxid, rec.checksum, computed);
      }
      let entry;
      try {
        entry = decodeTxnEntry(rec.bytes);
      } catch (e) {
        throw new CorruptDataError(
          `${file}: undecodable txn in the record at offset ${offset}: ${(e as Error).message}`,
        );
      }
      yield {
        kind: "txn",
        file,
        offset,
        header: entry.header,
        txn: entry.txn,
        digest: entry.digest,
        bytes: rec.bytes,
        checksum: rec.checksum,
      };
    }
  } finally {
    await src.close();
  }
}

/** The framed bytes of one record: checksum, length, txn bytes, 0x42. */
export function frameRecord(w: Writer, txnBytes: Uint8Array): void {
  w.long(BigInt(adler32(txnBytes)));
  w.buffer(txnBytes);
  w.byte(EOR);
}

/** The bytes of a log file header. */
export function logHeaderBytes(dbid: bigint): Uint8Array {
  const w = new Writer(16);
  writeFileHeader(w, { magic: LOG_MAGIC, version: LOG_VERSION, dbid });
  return w.toBytes();
}

/** The file operations a log writer needs (a Deno.FsFile has them); tests inject their own. */
export interface LogFile {
  write(p: Uint8Array): Promise<number>;
  /**
   * Writes without a trip through the blocking-I/O thread pool. A batch is
   * small and lands in the page cache at once; the fdatasync after it is what
   * waits for the disk, and it stays asynchronous.
   */
  writeSync?(p: Uint8Array): number;
  /** Moves the write position (with writeSync, lets the writer zero-fill ahead). */
  seekSync?(offset: number, whence: Deno.SeekMode): number;
  /** Makes written data durable (fdatasync, as FileChannel.force(false)). */
  syncData(): Promise<void>;
  /** Sets the file length; growing it fills with zeros. */
  truncate(len?: number): Promise<void>;
  close(): void;
}

/** How a log writer syncs and pads. */
export interface TxnLogWriterOptions {
  /** fdatasync after each flush (ZooKeeper's forceSync); default true. */
  forceSync?: boolean;
  /** Preallocation chunk in bytes (ZooKeeper's preAllocSize × 1024); 0 disables. Default 0. */
  preAllocSize?: number;
  /** Opens the new file (default: Deno.open with createNew). */
  open?: (file: string) => Promise<LogFile>;
}

/** At most this far ahead of the records are a log's zeros physically written (zeroAhead). */
export const ZERO_AHEAD_MAX = 1 << 20;
/** At least this far ahead, for a log still smaller than that. */
export const ZERO_AHEAD_MIN = 64 * 1024;
const ZEROS = new Uint8Array(ZERO_AHEAD_MAX);

/** How close (bytes) the write position may come to the padded end before it grows. */
export const PAD_MARGIN = 4096;

/**
 * The file size a log should have once `end` bytes are written, given its
 * current size (FilePadding's rule): unchanged unless the end comes within 4 KiB
 * of the size; then one more chunk, or — when the end ran past the size — the
 * end plus a chunk rounded down to a multiple of the chunk.
 */
export function paddedSize(end: number, size: number, chunk: number): number {
  if (chunk <= 0 || end + PAD_MARGIN < size) return size;
  if (end > size) {
    const grown = end + chunk;
    return grown - (grown % chunk);
  }
  return size + chunk;
}

/**
 * Appends txns to a new log file. Records are buffered; flush() writes them
 * with one write and — with forceSync — one fdatasync (group commit). With
 * preAllocSize the file is kept at least 4 KiB longer than the records, in
 * zero-filled chunks, so most fdatasyncs need not update the file size;
 * readers stop at the zero length.
 */
export class TxnLogWriter {
  private readonly w = new Writer(64 * 1024);
  private readonly entry = new Writer(1024);
  /** Bytes written to the file so far (the write position). */
  private written = 0;
  /** Zeros are physically written up to here (see zeroAhead). */
  private zeroedTo = 0;
  /** The file's length including zero padding. */
  private size = 0;
  private readonly forceSync: boolean;
  private readonly preAllocSize: number;
  /** Bytes written since the last sync (or the header, not yet synced). */
  private unsynced = true;
  /** Bytes of header and records written to the file. */
  get bytesWritten(): number {
    return this.written;
  }
  /** Counters for stats and tests: flushes that wrote, and data syncs issued. */
  writes = 0;
  syncs = 0;
  /** How long the last data sync took (ms); 0 before the first. */
  lastSyncMs = 0;

  private constructor(
    readonly file: string,
    private readonly f: LogFile,
    opts: TxnLogWriterOptions,
  ) {
    this.forceSync = opts.forceSync ?? true;
    this.preAllocSize = Math.max(0, Math.floor(opts.preAllocSize ?? 0));
  }

  /**
   * Creates the file (failing if it exists) and writes its header at once, as
   * 3.8's FileTxnLog flushes it on creation: a process killed before the
   * first batch leaves a file with a header, not an empty one (3.8.0's
   * restore stops with an EOFException on an empty log file, so a Java peer
   * could not start on a data dir a killed zkt peer left). Not synced here:
   * the first batch's sync covers it.
   */
  static async create(
    file: string,
    dbid = 0n,
    opts: TxnLogWriterOptions = {},
  ): Promise<TxnLogWriter> {
    const f = opts.open
      ? await opts.open(file)
      : await Deno.open(file, { write: true, createNew: true });
    const lw = new TxnLogWriter(file, f, opts);
    let header = logHeaderBytes(dbid);
    while (header.length > 0) {
      const n = f.writeSync ? f.writeSync(header) : await f.write(header);
      lw.written += n;
      header = header.subarray(n);
    }
    return lw;
  }

  /** Buffers one txn. */
  append(header: TxnHeader, txn: Txn, digest: TxnDigest | null = null): void {
    this.entry.reset();
    encodeTxnEntry(this.entry, header, txn, digest);
    frameRecord(this.w, this.entry.peek());
  }

  /** Buffers an already encoded record body (header + txn + digest). */
  appendRaw(txnBytes: Uint8Array): void {
    frameRecord(this.w, txnBytes);
  }

  /** Writes buffered records, pads the file when due and, with forceSync, syncs. */
  async flush(): Promise<void> {
    let buf = this.w.peek();
    if (buf.length > 0) {
      while (buf.length > 0) {
        const n = this.f.writeSync ? this.f.writeSync(buf) : await this.f.write(buf);
        this.written += n;
        buf = buf.subarray(n);
      }
      this.w.reset();
      this.writes++;
      this.unsynced = true;
      // Pad after writing, so a crash never leaves a file of zeros without its
      // header (ZooKeeper likewise writes the header before padding).
      const size = paddedSize(this.written, this.size, this.preAllocSize);
      if (size !== this.size) {
        await this.f.truncate(size);
        this.size = size;
      }
      if (this.written > this.size) this.size = this.written;
      this.zeroAhead();
    }
    if (this.forceSync && this.unsynced) {
      const t0 = performance.now();
      await this.f.syncData();
      this.lastSyncMs = performance.now() - t0;
      this.syncs++;
      this.unsynced = false;
    }
  }

  /**
   * Writes real zeros a step ahead of the records. Padding by truncate leaves a
   * hole, and each fdatasync that first writes into a hole must also commit
   * the block allocation to the journal; blocks already written with zeros
   * skip that (an fdatasync here: ~185 µs instead of ~240 µs). Readers stop at
   * the zeros as at the padding. Only with forceSync, and a file that can seek.
   * The step grows with the log (its own size, 64 KiB to 1 MiB), so a short
   * log — snapCount rolls one every few dozen txns — costs little real disk,
   * and close() hands the zeros past the records back.
   */
  private zeroAhead(): void {
    const f = this.f;
    if (!this.forceSync || this.preAllocSize <= 0 || !f.writeSync || !f.seekSync) return;
    this.zeroedTo = Math.max(this.zeroedTo, this.written);
    const step = Math.min(ZERO_AHEAD_MAX, Math.max(ZERO_AHEAD_MIN, this.written));
    if (this.zeroedTo - this.written >= step / 2) return;
    // Within the padded size only: the file's length stays FilePadding's.
    const end = Math.min(this.size, this.written + step);
    if (end <= this.zeroedTo) return;
    f.seekSync(this.zeroedTo, Deno.SeekMode.Start);
    let rest = ZEROS.subarray(0, end - this.zeroedTo);
    while (rest.length > 0) rest = rest.subarray(f.writeSync(rest));
    this.zeroedTo = end;
    f.seekSync(this.written, Deno.SeekMode.Start);
  }

  /**
   * Flushes and closes. Zeros written ahead are given back: cutting the file
   * to its records and growing it again leaves a hole of FilePadding's length,
   * as ZooKeeper's own logs have, instead of real blocks of zeros.
   */
  async close(): Promise<void> {
    try {
      await this.flush();
      if (this.zeroedTo > this.written) {
        await this.f.truncate(this.written);
        await this.f.truncate(this.size);
        this.zeroedTo = this.written;
      }
    } finally {
      this.f.close();
    }
  }
}

/** The name ZooKeeper gives a log whose first txn is zxid. */
export function logFileName(zxid: bigint): string {
  return `log.${BigInt.asUintN(64, zxid).toString(16)}`;
}

/** The name ZooKeeper gives a snapshot taken at zxid. */
export function snapshotFileName(zxid: bigint, suffix = ""): string {
  return `snapshot.${BigInt.asUintN(64, zxid).toString(16)}${suffix}`;
}

/** Result of truncating a log. */
export interface TruncateResult {
  kept: number;
  dropped: number;
  lastKept: bigint | null;
  out: string;
}

/**
 * Copies the header and every txn with zxid ≤ `zxid` to `out` (TxnLogToolkit
 * --chop). With out === file the original is replaced atomically.
 */
export async function truncateTxnLog(
  file: string,
  zxid: bigint,
  out: string,
): Promise<TruncateResult> {
  const tmp = `${out}.tmp-${Deno.pid}`;
  let writer: TxnLogWriter | null = null;
  let kept = 0;
  let dropped = 0;
  let lastKept: bigint | null = null;
  try {
    for await (const e of readTxnLog(file)) {
      if (e.kind === "header") writer = await TxnLogWriter.create(tmp, e.header.dbid);
      else if (e.kind === "txn") {
        if (e.header.zxid <= zxid) {
          writer!.appendRaw(e.bytes);
          kept++;
          lastKept = e.header.zxid;
        } else dropped++;
      }
    }
    if (!writer) {
      // No header: created, then the process died before writing into it (a
      // kill -9 right after a log roll). It holds no txns: nothing to keep or drop.
      if (out !== file) await Deno.copyFile(file, out);
      return { kept, dropped, lastKept, out };
    }
    await writer.close();
    writer = null;
    await Deno.rename(tmp, out);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return { kept, dropped, lastKept, out };
}
