// A buffered byte source over a file stream that parses jute records with the
// synchronous Reader: a record that runs past the buffered bytes is retried after
// reading more, so memory stays at the largest record however big the file is.
// Bytes consumed can feed an Adler-32, as ZooKeeper's CheckedInputStream does.
import { CorruptDataError } from "../errors.ts";
import { DecodeError } from "../jute/errors.ts";
import { DEFAULT_MAX_BUFFER, Reader } from "../jute/reader.ts";
import type { Adler32 } from "./adler32.ts";

const CHUNK = 64 * 1024;

/**
 * The largest length field a data file may hold: ZooKeeper's archives accept
 * jute.maxbuffer plus an equal "extrasize" allowance, so a txn near the request
 * limit (a multi, say) can be logged above 0xfffff and must still be read.
 */
export const FILE_MAX_LENGTH = DEFAULT_MAX_BUFFER * 2;

/** Thrown when a file ends in the middle of a record. */
export class TruncatedError extends CorruptDataError {
  override name = "TruncatedError";
  constructor(readonly file: string, readonly offset: number, readonly what: string) {
    super(`${file}: file ends inside ${what} at offset ${offset}`);
  }
}

function isTruncation(e: unknown): boolean {
  return e instanceof DecodeError &&
    (e.reason.startsWith("truncated") || e.reason.includes("runs past the end"));
}

/** Streams bytes from a ReadableStream with look-ahead and record parsing. */
export class ByteSource {
  private buf = new Uint8Array(CHUNK);
  private start = 0;
  private end = 0;
  private eof = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Absolute offset (in the uncompressed stream) of the next unconsumed byte. */
  offset = 0;
  /** When set, every consumed byte is added to it. */
  checksum: Adler32 | null = null;

  /**
   * @param lazy never read ahead of the record in hand: for a socket, whose
   * peer may send nothing more until it gets an answer (a SNAP body followed
   * by NEWLEADER), where a file's read-ahead would wait forever.
   */
  constructor(
    stream: ReadableStream<Uint8Array>,
    readonly file: string,
    readonly maxLength = FILE_MAX_LENGTH,
    readonly lazy = false,
  ) {
    this.reader = stream.getReader();
  }

  /** Reads ahead to about n buffered bytes for batching; a no-op on a lazy source. */
  async prefetch(n: number): Promise<void> {
    if (!this.lazy && this.available < n) await this.fill(n);
  }

  /** Hands back the buffered, unconsumed bytes (a copy) and empties the buffer. */
  takeBuffered(): Uint8Array {
    const out = this.buf.slice(this.start, this.end);
    this.start = this.end = 0;
    return out;
  }

  /** Buffered, unconsumed bytes. */
  get available(): number {
    return this.end - this.start;
  }

  /** Reads until at least n bytes are buffered; false when the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.end - this.start < n && !this.eof) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader.read();
      } catch (e) {
        throw new CorruptDataError(`${this.file}: cannot read: ${(e as Error).message}`);
      }
      if (chunk.done) {
        this.eof = true;
        break;
      }
      this.push(chunk.value);
    }
    return this.end - this.start >= n;
  }

  private push(bytes: Uint8Array): void {
    const live = this.end - this.start;
    if (this.end + bytes.length > this.buf.length) {
      if (live + bytes.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, live + bytes.length));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** The buffered bytes (a view valid until the next fill). */
  peek(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Marks n buffered bytes read (feeding the checksum). */
  consume(n: number): void {
    if (this.checksum) this.checksum.update(this.buf.subarray(this.start, this.start + n));
    this.start += n;
    this.offset += n;
  }

  /** True when every byte has been consumed and the stream has ended. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /**
   * Parses one record with `parse`, reading more input while the record runs past
   * the buffered bytes. A file that ends inside the record is a TruncatedError;
   * malformed bytes are a CorruptDataError naming the file and absolute offset.
   */
  async record<T>(what: string, parse: (r: Reader) => T): Promise<T> {
    await this.prefetch(CHUNK);
    while (true) {
      const r = new Reader(this.peek(), this.maxLength);
      try {
        const v = parse(r);
        this.consume(r.pos);
        return v;
      } catch (e) {
        if (isTruncation(e)) {
          if (!this.eof) {
            await this.fill(
              this.available + (this.lazy ? 1 : Math.max(CHUNK, this.available)),
            );
            continue;
          }
          throw new TruncatedError(this.file, this.offset, what);
        }
        if (e instanceof DecodeError) {
          throw new CorruptDataError(
            `${this.file}: bad ${what} at offset ${this.offset + e.offset}: ${e.reason}`,
          );
        }
        throw e;
      }
    }
  }

  /**
   * Parses one record from the bytes already buffered, with no read and no
   * await; undefined when it does not parse there (too short or malformed),
   * and then nothing is consumed: record() reads more or reports the error.
   */
  tryRecord<T>(parse: (r: Reader) => T): T | undefined {
    const r = new Reader(this.peek(), this.maxLength);
    try {
      const v = parse(r);
      this.consume(r.pos);
      return v;
    } catch (e) {
      if (e instanceof DecodeError) return undefined;
      throw e;
    }
  }

  /** Stops reading and releases the stream. */
  async close(): Promise<void> {
    try {
      await this.reader.cancel();
    } catch { /* already closed */ }
  }
}
