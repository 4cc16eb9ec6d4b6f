// Growable writer for jute's BinaryOutputArchive encoding (big-endian).
import { encodeJuteString, maxEncodedLength } from "./utf8.ts";

/** Writes jute primitives into a growing buffer. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  /** A 64-bit long from a bigint or a safe-integer number. */
  long(v: bigint | number): this {
    this.ensure(8);
    if (typeof v === "number" && Number.isSafeInteger(v)) {
      // Two 32-bit halves: no bigint for a time or a count.
      const hi = Math.floor(v / 0x100000000);
      this.view.setInt32(this.pos, hi);
      this.view.setUint32(this.pos + 4, v - hi * 0x100000000);
    } else {
      this.view.setBigInt64(this.pos, typeof v === "bigint" ? BigInt.asIntN(64, v) : BigInt(v));
    }
    this.pos += 8;
    return this;
  }

  boolean(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.view.setInt8(this.pos++, v);
    return this;
  }

  /** A length-prefixed buffer; null is written as length -1. */
  buffer(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    return this.raw(v);
  }

  /** A string as ZooKeeper writes it (UTF-8; non-BMP as 3-byte surrogates); null is length -1. */
  ustring(v: string | null): this {
    if (v === null) return this.int(-1);
    this.ensure(4 + maxEncodedLength(v));
    // ASCII (most paths) is copied by hand: cheaper than the native encoder call.
    const buf = this.buf;
    const at = this.pos + 4;
    const n = v.length;
    let i = 0;
    for (; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    const written = i === n ? n : encodeJuteString(v, buf.subarray(at));
    this.view.setInt32(this.pos, written);
    this.pos += 4 + written;
    return this;
  }

  /** A vector; null is written as count -1. */
  vector<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  /** Raw bytes with no length prefix. */
  raw(v: Uint8Array): this {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** Overwrites an int at an earlier offset (e.g. a length prefix reserved with int(0)). */
  patchInt(offset: number, v: number): this {
    this.view.setInt32(offset, v);
    return this;
  }

  /** Resets to empty, keeping the allocation. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** The bytes written so far, as a copy. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The bytes written so far, as a view valid until the next write. */
  peek(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** A writer lent to bytesOf: a fresh buffer per record was most of a small record's cost. */
let scratch: Writer | null = new Writer(1024);

/** Largest scratch buffer kept between records. */
const SCRATCH_KEEP = 1 << 20;

/**
 * The bytes `write` puts in a writer, as a copy. A shared scratch writer is
 * lent out (a fresh one while it is in use, so a nested call is safe).
 */
export function bytesOf(write: (w: Writer) => void, size = 256): Uint8Array {
  const w = scratch ?? new Writer(size);
  scratch = null;
  try {
    write(w.reset());
    return w.toBytes();
  } finally {
    if (w.pos <= SCRATCH_KEEP) scratch = w;
  }
}

/** Encodes one value with a write function and returns the bytes. */
export function encode<T>(write: (w: Writer, v: T) => void, v: T, size = 256): Uint8Array {
  return bytesOf((w) => write(w, v), size);
}
