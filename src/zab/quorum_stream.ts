// The quorum port's byte stream: back-to-back jute QuorumPackets with no length
// prefix (zab-3.8.md §1), and after a SNAP packet a raw snapshot body ended by
// "BenWasHere" (§3.9). QuorumStreamParser is the pure, push-fed reader: feed it
// chunks as they arrive, take whole packets out; a packet may be split at any
// byte. The SNAP body is read by persistence's snapshot body reader (the same
// code that reads snapshot files); encoders for both directions are here too.
import type { Id } from "../jute/data.ts";
import { type QuorumPacket, writeQuorumPacket } from "../jute/quorum.ts";
import { DEFAULT_MAX_BUFFER } from "../jute/reader.ts";
import { decodeJuteString } from "../jute/utf8.ts";
import { Writer } from "../jute/writer.ts";
import { CorruptDataError } from "../errors.ts";
import type { TreeImage } from "../data/node_view.ts";
import { ByteSource } from "../persistence/source.ts";
import {
  type SnapEntry,
  type SnapNode,
  snapshotBody,
  snapshotBodyChunks,
} from "../persistence/snapshot.ts";
import { ZabProtocolError } from "./errors.ts";
import { packetName, PacketType, SNAP_END_MARKER } from "./packet_types.ts";

/**
 * The largest buffer, string or vector length accepted: jute.maxbuffer
 * (0xfffff) plus zookeeper.jute.maxbuffer.extrasize (the same by default), as
 * BinaryInputArchive.checkLength allows.
 */
export const QUORUM_MAX_LENGTH = DEFAULT_MAX_BUFFER * 2;

/** Fixed part of a QuorumPacket: int type, long zxid, int data length. */
const HEAD = 16;

/** Parser state: reading packets, or holding raw bytes of a SNAP body for its reader. */
export type StreamMode = "packets" | "snap";

/** Options for a parser. */
export interface QuorumStreamOptions {
  /** Largest length field accepted (default QUORUM_MAX_LENGTH). */
  maxLength?: number;
  /** The peer, for error messages. */
  name?: string;
}

/**
 * Reads QuorumPackets from bytes fed in arbitrary chunks. next() returns a
 * whole packet or null when more bytes are needed. After a SNAP packet it
 * switches to "snap" mode: next() returns null, takeRaw() hands out the bytes
 * that follow (the snapshot body), and resumePackets() goes back to packets
 * with whatever the body reader did not consume. A malformed length throws a
 * ZabProtocolError naming the field, the value and the stream offset.
 */
export class QuorumStreamParser {
  readonly maxLength: number;
  readonly name: string;
  private buf = new Uint8Array(4096);
  private start = 0;
  private end = 0;
  /** Bytes that must be buffered before a parse attempt can succeed. */
  private want = HEAD;
  private modeNow: StreamMode = "packets";
  /** Stream offset of buf[start]. */
  private base = 0;
  /** Packets returned so far. */
  packets = 0;

  constructor(opts: QuorumStreamOptions = {}) {
    this.maxLength = opts.maxLength ?? QUORUM_MAX_LENGTH;
    this.name = opts.name ?? "quorum peer";
  }

  /** "packets", or "snap" between a SNAP packet and resumePackets(). */
  get mode(): StreamMode {
    return this.modeNow;
  }

  /** Bytes buffered and not yet returned. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Stream offset of the next byte not yet returned (packets and raw bytes). */
  get offset(): number {
    return this.base;
  }

  /** Appends bytes (copied). */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const live = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (live + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let size = this.buf.length * 2;
        while (size < live + chunk.length) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The next whole packet, or null when more bytes are needed (or in snap mode). */
  next(): QuorumPacket | null {
    if (this.modeNow !== "packets" || this.end - this.start < this.want) return null;
    const got = this.parse();
    if (typeof got === "number") {
      this.want = got;
      return null;
    }
    this.want = HEAD;
    this.packets++;
    if (got.type === PacketType.SNAP) this.modeNow = "snap";
    return got;
  }

  /** Every whole packet buffered now (stops at a SNAP packet, which is included). */
  *drain(): Generator<QuorumPacket> {
    while (true) {
      const p = this.next();
      if (p === null) return;
      yield p;
    }
  }

  /** In snap mode: the buffered bytes (a copy), which the parser then forgets. */
  takeRaw(): Uint8Array {
    if (this.modeNow !== "snap") throw new Error("takeRaw() outside a SNAP stream");
    const out = this.buf.slice(this.start, this.end);
    this.base += out.length;
    this.start = this.end = 0;
    return out;
  }

  /** Ends snap mode; `leftover` (bytes after the SNAP body's end marker) is read first. */
  resumePackets(leftover: Uint8Array = new Uint8Array(0)): void {
    if (this.modeNow !== "snap") throw new Error("resumePackets() outside a SNAP stream");
    this.modeNow = "packets";
    this.want = HEAD;
    if (leftover.length === 0) return;
    const rest = this.buf.slice(this.start, this.end);
    this.start = this.end = 0;
    this.base -= leftover.length;
    this.feed(leftover);
    this.feed(rest);
  }

  /**
   * Call at end of stream: throws a ZabProtocolError when it ends inside a
   * packet (or inside a SNAP body), naming how far the packet got.
   */
  finish(): void {
    const have = this.end - this.start;
    if (this.modeNow === "snap") {
      throw new ZabProtocolError(`${this.name}: stream ended inside a SNAP body`);
    }
    if (have === 0) return;
    throw new ZabProtocolError(
      `${this.name}: stream ended inside packet ${this.packets + 1} at stream offset ${
        this.base + have
      }: ${have} bytes of at least ${this.want}`,
    );
  }

  private fail(at: number, what: string): never {
    throw new ZabProtocolError(
      `${this.name}: ${what} at stream offset ${this.base + at - this.start} (packet ${
        this.packets + 1
      })`,
    );
  }

  /** A length field at buf[at]: -1 null, else checked against the limit. */
  private length(at: number, field: string): number {
    const b = this.buf;
    const n = (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
    if (n < -1) this.fail(at, `${field} length ${n} is negative`);
    if (n > this.maxLength) {
      this.fail(at, `${field} length ${n} exceeds the limit ${this.maxLength}`);
    }
    return n;
  }

  private string(at: number, n: number, field: string): string {
    const s = decodeJuteString(this.buf.subarray(at, at + n));
    if (typeof s === "number") this.fail(at + s, `invalid UTF-8 in ${field}`);
    return s;
  }

  /** One packet from buf[start], or the number of bytes needed before it can be parsed. */
  private parse(): QuorumPacket | number {
    const b = this.buf;
    const s = this.start;
    const avail = this.end - s;
    const v = new DataView(b.buffer, b.byteOffset + s, avail);
    const type = v.getInt32(0);
    const zxid = v.getBigInt64(4);
    const dataLen = this.length(s + 12, "data");
    let p = HEAD + Math.max(dataLen, 0);
    if (avail < p + 4) return p + 4;
    const data = dataLen < 0 ? null : b.slice(s + HEAD, s + HEAD + dataLen);
    const count = this.length(s + p, "authinfo");
    p += 4;
    let authinfo: Id[] | null = null;
    if (count >= 0) {
      // Each Id takes at least 8 bytes: ask for them all before decoding any.
      if (avail < p + 8 * count) return p + 8 * count;
      authinfo = new Array<Id>(count);
      for (let i = 0; i < count; i++) {
        const field = `authinfo[${i}].scheme`;
        if (avail < p + 4) return p + 4;
        const sl = this.length(s + p, field);
        if (sl < 0) this.fail(s + p, `${field} is null`);
        if (avail < p + 4 + sl + 4) return p + 4 + sl + 4;
        const scheme = this.string(s + p + 4, sl, field);
        p += 4 + sl;
        const il = this.length(s + p, `authinfo[${i}].id`);
        const need = p + 4 + Math.max(il, 0);
        if (avail < need) return need;
        // A null id reads as "" (as jute/data.ts readId does).
        const id = il < 0 ? "" : this.string(s + p + 4, il, `authinfo[${i}].id`);
        p = need;
        authinfo[i] = { scheme, id };
      }
    }
    this.start += p;
    this.base += p;
    if (this.start === this.end) this.start = this.end = 0;
    return { type, zxid, data, authinfo };
  }
}

/** The bytes of one packet; data longer than a Java reader accepts is refused. */
export function encodePacket(p: QuorumPacket, maxLength = QUORUM_MAX_LENGTH): Uint8Array {
  const w = new Writer(HEAD + 4 + (p.data?.length ?? 0) + 32);
  writePacket(w, p, maxLength);
  return w.toBytes();
}

/** Writes one packet into w (for coalescing many into one buffer). */
export function writePacket(w: Writer, p: QuorumPacket, maxLength = QUORUM_MAX_LENGTH): void {
  if (p.data !== null && p.data.length > maxLength) {
    throw new ZabProtocolError(
      `${packetName(p.type)}: data length ${p.data.length} exceeds the limit ${maxLength}`,
    );
  }
  writeQuorumPacket(w, p);
}

/**
 * A whole SNAP transfer as Java's LearnerHandler writes it: the SNAP packet
 * (zxid the image's lastProcessedZxid), the snapshot body in chunks of about
 * `chunk` bytes, then the "BenWasHere" marker. Lazy, so a big tree can be
 * streamed between other work.
 */
export function* snapStreamChunks(tree: TreeImage, chunk = 1 << 16): Generator<Uint8Array> {
  yield encodePacket({
    type: PacketType.SNAP,
    zxid: tree.lastProcessedZxid,
    data: null,
    authinfo: null,
  });
  yield* snapshotBodyChunks(tree, chunk);
  yield new Writer(16).ustring(SNAP_END_MARKER).toBytes();
}

/**
 * A ByteSource over the bytes of a SNAP body as they arrive: lazy, so it never
 * waits for bytes beyond the record it is reading (the leader sends nothing
 * more until it hears back).
 */
export function snapSource(stream: ReadableStream<Uint8Array>, name: string): ByteSource {
  return new ByteSource(stream, `SNAP stream from ${name}`, QUORUM_MAX_LENGTH, true);
}

/**
 * Reads a SNAP body from src: sessions, ACL entries and node batches (as
 * persistence's snapshot reader yields them), then checks the "BenWasHere"
 * marker. Bytes src read beyond the marker are left in it (src.takeBuffered()).
 * Any malformed or truncated record is a ZabProtocolError.
 */
export async function* readSnapBody(src: ByteSource): AsyncGenerator<SnapEntry | SnapNode[]> {
  try {
    yield* snapshotBody(src);
    const marker = await src.record("SNAP end marker", (r) => r.ustring());
    if (marker !== SNAP_END_MARKER) {
      throw new ZabProtocolError(
        `${src.file}: SNAP stream ends with ${
          JSON.stringify(marker)
        }, expected "${SNAP_END_MARKER}"`,
      );
    }
  } catch (e) {
    if (e instanceof CorruptDataError) throw new ZabProtocolError(e.message);
    throw e;
  }
}

/**
 * Receives the SNAP body that follows a SNAP packet: reads the bytes the
 * parser already holds, then `more()` chunks (null at end of stream) as the
 * body reader needs them, hands each batch of records to `onEntries`, checks
 * the end marker, and puts the bytes after it back into the parser, which is
 * then in packet mode again.
 */
export async function receiveSnap(
  parser: QuorumStreamParser,
  more: () => Promise<Uint8Array | null>,
  onEntries: (e: SnapEntry | SnapNode[]) => void | Promise<void>,
): Promise<void> {
  if (parser.mode !== "snap") throw new Error("receiveSnap() without a SNAP packet");
  // highWaterMark 0: pull only when the body reader asks, never read ahead of it.
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (parser.buffered > 0) return ctl.enqueue(parser.takeRaw());
      const chunk = await more();
      if (chunk === null) ctl.close();
      else ctl.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const src = snapSource(stream, parser.name);
  for await (const e of readSnapBody(src)) await onEntries(e);
  // Bytes that arrived while the body was read but after it still sit in the parser.
  parser.resumePackets(src.takeBuffered());
}
