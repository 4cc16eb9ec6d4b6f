// Bounds-checked reader for jute's BinaryInputArchive encoding (big-endian).
// Every failure is a DecodeError carrying the offset; no length is trusted
// before it is checked against both the remaining bytes and a caller limit.
import { DecodeError } from "./errors.ts";
import { decodeJuteString } from "./utf8.ts";

/** ZooKeeper's default jute.maxbuffer (0xfffff bytes). */
export const DEFAULT_MAX_BUFFER = 0xfffff;

/** Reads jute primitives from a byte array. */
export class Reader {
  readonly view: DataView;
  pos = 0;

  /**
   * @param bytes the input
   * @param maxLength the largest buffer, string or vector length accepted
   */
  constructor(readonly bytes: Uint8Array, readonly maxLength = DEFAULT_MAX_BUFFER) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** True when every byte has been read. */
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new DecodeError(
        this.pos,
        `truncated ${what}: need ${n} bytes, have ${this.bytes.length - this.pos}`,
      );
    }
  }

  /** Throws a DecodeError at the current offset. */
  fail(reason: string): never {
    throw new DecodeError(this.pos, reason);
  }

  int(): number {
    this.need(4, "int");
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A 64-bit signed long as bigint (zxids, session ids, any full-width long). */
  long(): bigint {
    this.need(8, "long");
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A 64-bit long as a number; fails when it is outside the safe integer range (times, counts). */
  longNumber(): number {
    this.need(8, "long");
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    // Safe means |v| <= 2^53 - 1: hi -0x200000 with lo 0 is -2^53, just outside.
    if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
      this.fail(`long ${this.view.getBigInt64(this.pos)} is outside the safe integer range`);
    }
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  boolean(): boolean {
    this.need(1, "boolean");
    return this.bytes[this.pos++] !== 0;
  }

  byte(): number {
    this.need(1, "byte");
    return this.view.getInt8(this.pos++);
  }

  /** Reads a length prefix for a buffer/string/vector; -1 means null. */
  private length(what: string, unit: number): number {
    const start = this.pos;
    const len = this.int();
    if (len === -1) return -1;
    if (len < -1) throw new DecodeError(start, `negative ${what} length ${len}`);
    if (len > this.maxLength) {
      throw new DecodeError(start, `${what} length ${len} exceeds the limit ${this.maxLength}`);
    }
    if (len * unit > this.remaining) {
      throw new DecodeError(
        start,
        `${what} length ${len} runs past the end (${this.remaining} bytes left)`,
      );
    }
    return len;
  }

  /** A length-prefixed byte buffer; null when the length is -1. Returns a copy. */
  buffer(): Uint8Array | null {
    const len = this.length("buffer", 1);
    if (len < 0) return null;
    const out = this.bytes.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A buffer read as a view into the input (no copy); valid while the input is. */
  bufferView(): Uint8Array | null {
    const len = this.length("buffer", 1);
    if (len < 0) return null;
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /**
   * A UTF-8 string; null when the length is -1. Non-BMP characters may also
   * come as surrogate pairs of 3-byte sequences (as ZooKeeper writes them);
   * any other invalid UTF-8 is a DecodeError at the offending byte.
   */
  ustring(): string | null {
    const len = this.length("string", 1);
    if (len < 0) return null;
    const s = decodeJuteString(this.bytes.subarray(this.pos, this.pos + len));
    if (typeof s === "number") throw new DecodeError(this.pos + s, "invalid UTF-8 in string");
    this.pos += len;
    return s;
  }

  /** A non-null string; null (length -1) is a DecodeError. */
  string(): string {
    const start = this.pos;
    const s = this.ustring();
    if (s === null) throw new DecodeError(start, "unexpected null string");
    return s;
  }

  /** A vector of elements; null when the count is -1. Each element takes at least one byte. */
  vector<T>(item: (r: Reader) => T): T[] | null {
    const n = this.length("vector", 1);
    if (n < 0) return null;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }

  /** Reads exactly n raw bytes (a view). */
  raw(n: number): Uint8Array {
    if (n < 0) this.fail(`negative raw length ${n}`);
    this.need(n, "bytes");
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
