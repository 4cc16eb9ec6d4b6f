// Length-prefixed frames over a Deno.Conn: one read loop per connection,
// outgoing frames queued and coalesced into as few writes as possible.
import { FrameError, TimeoutError } from "./errors.ts";
import { endOfTurn } from "./end_of_turn.ts";

/** Options for a framed connection. */
export interface FramedConnOptions {
  /** Largest frame payload accepted, in bytes. */
  maxFrame: number;
  /** Name used in error messages (defaults to the remote address). */
  name?: string;
  /** Initial read buffer size. */
  readBufferSize?: number;
}

/** Formats a Deno address as host:port. */
export function formatAddr(a: Deno.Addr): string {
  if (a.transport === "tcp" || a.transport === "udp") {
    return a.hostname.includes(":") ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
  }
  return a.transport;
}

/** A TCP connection carrying 4-byte big-endian length-prefixed frames. */
export class FramedConn {
  readonly remote: string;
  readonly maxFrame: number;
  private buf: Uint8Array;
  private start = 0;
  private end = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushing: Promise<void> | null = null;
  private deadlineMs: number | null = null;
  private closedFlag = false;
  private writeError: Error | null = null;
  /** Bytes and frames moved, for connection stats. */
  readonly stats = { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0 };

  constructor(readonly conn: Deno.Conn, opts: FramedConnOptions) {
    this.maxFrame = opts.maxFrame;
    let remote = "?";
    try {
      remote = formatAddr(conn.remoteAddr);
    } catch { /* address unavailable after close */ }
    this.remote = opts.name ?? remote;
    this.buf = new Uint8Array(opts.readBufferSize ?? 16 * 1024);
  }

  /** True once close() ran or the peer went away. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes buffered for writing but not yet written. */
  get queuedBytes(): number {
    return this.pendingBytes;
  }

  /** Every later read fails with TimeoutError (and closes) if not done within ms; null clears. */
  setReadDeadline(ms: number | null): void {
    this.deadlineMs = ms;
  }

  private async fill(): Promise<boolean> {
    if (this.start > 0 && this.start === this.end) {
      this.start = this.end = 0;
    }
    if (this.end === this.buf.length) {
      if (this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else {
        const next = new Uint8Array(this.buf.length * 2);
        next.set(this.buf.subarray(0, this.end));
        this.buf = next;
      }
    }
    const read = this.conn.read(this.buf.subarray(this.end));
    let n: number | null;
    if (this.deadlineMs === null) {
      n = await read;
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), this.deadlineMs!);
      });
      const r = await Promise.race([read, timeout]);
      clearTimeout(timer);
      if (r === "timeout") {
        // A pending read cannot be cancelled; closing the socket ends it.
        read.catch(() => {});
        this.close();
        throw new TimeoutError(`${this.remote}: no data within ${this.deadlineMs} ms`);
      }
      n = r;
    }
    if (n === null) return false;
    this.end += n;
    this.stats.bytesIn += n;
    return true;
  }

  /** Ensures n bytes are buffered; false on EOF with nothing buffered, throws on EOF mid-way. */
  private async ensure(n: number): Promise<boolean> {
    if (n > this.buf.length) {
      const next = new Uint8Array(n);
      next.set(this.buf.subarray(this.start, this.end));
      this.end -= this.start;
      this.start = 0;
      this.buf = next;
    }
    while (this.end - this.start < n) {
      let more: boolean;
      try {
        more = await this.fill();
      } catch (e) {
        if (e instanceof TimeoutError) throw e;
        this.closedFlag = true;
        if (this.end === this.start) return false; // reset by peer between messages
        throw new FrameError(`${this.remote}: connection lost mid-read (${(e as Error).message})`);
      }
      if (!more) {
        this.closedFlag = true;
        if (this.end === this.start) return false;
        throw new FrameError(
          `${this.remote}: connection closed mid-read (${this.end - this.start} of ${n} bytes)`,
        );
      }
    }
    return true;
  }

  /** Reads exactly n bytes (a fresh copy); null on clean EOF before any byte. */
  async readExact(n: number): Promise<Uint8Array | null> {
    if (!(await this.ensure(n))) return null;
    const out = this.buf.slice(this.start, this.start + n);
    this.start += n;
    return out;
  }

  /** Reads a 4-byte big-endian signed int; null on clean EOF. */
  async readInt(): Promise<number | null> {
    if (!(await this.ensure(4))) return null;
    const b = this.buf;
    const s = this.start;
    this.start += 4;
    return (b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3];
  }

  /** Reads an 8-byte big-endian signed long; null on clean EOF. */
  async readLong(): Promise<bigint | null> {
    if (!(await this.ensure(8))) return null;
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.start, 8).getBigInt64(0);
    this.start += 8;
    return v;
  }

  /** Reads one frame's payload; null on clean EOF; FrameError on a bad length. */
  async readFrame(): Promise<Uint8Array | null> {
    const len = await this.readInt();
    if (len === null) return null;
    if (len < 0) throw new FrameError(`${this.remote}: negative frame length ${len}`);
    if (len > this.maxFrame) {
      throw new FrameError(
        `${this.remote}: frame length ${len} exceeds the limit ${this.maxFrame}`,
      );
    }
    if (len === 0) return new Uint8Array(0);
    const payload = await this.readExact(len);
    if (payload === null) {
      throw new FrameError(`${this.remote}: connection closed before a ${len}-byte frame`);
    }
    this.stats.framesIn++;
    return payload;
  }

  /** Queues one frame (length prefix + payload); written with other queued frames. */
  send(payload: Uint8Array): void {
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setInt32(0, payload.length);
    this.stats.framesOut++;
    this.enqueue(prefix);
    this.enqueue(payload);
  }

  /** Queues one frame already carrying its length prefix. */
  sendFrame(frame: Uint8Array): void {
    this.stats.framesOut++;
    this.enqueue(frame);
  }

  /** Queues bytes with no length prefix (handshakes, 4lw replies). */
  sendRaw(bytes: Uint8Array): void {
    this.enqueue(bytes);
  }

  private enqueue(bytes: Uint8Array): void {
    if (this.closedFlag || bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (!this.flushing) {
      this.flushing = this.drain();
    }
  }

  private async drain(): Promise<void> {
    // Let the current turn queue more so they share one write (end_of_turn.ts).
    await endOfTurn();
    try {
      while (this.pending.length > 0 && !this.closedFlag) {
        const chunks = this.pending;
        const total = this.pendingBytes;
        this.pending = [];
        this.pendingBytes = 0;
        let out: Uint8Array;
        if (chunks.length === 1) {
          out = chunks[0];
        } else {
          out = new Uint8Array(total);
          let o = 0;
          for (const c of chunks) {
            out.set(c, o);
            o += c.length;
          }
        }
        let off = 0;
        while (off < out.length) {
          off += await this.conn.write(out.subarray(off));
        }
        this.stats.bytesOut += out.length;
      }
    } catch (e) {
      this.writeError = e as Error;
      this.close();
    } finally {
      this.flushing = null;
    }
  }

  /** Resolves when everything queued so far is written; throws if the write failed. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.writeError) throw this.writeError;
  }

  /** Closes the socket; queued frames not yet written are dropped. */
  close(): void {
    if (this.closedFlag && this.pending.length === 0) {
      try {
        this.conn.close();
      } catch { /* already closed */ }
      return;
    }
    this.closedFlag = true;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  /** Writes what is queued, then closes. */
  async closeAfterFlush(): Promise<void> {
    try {
      await this.flush();
    } catch { /* closing anyway */ }
    this.close();
  }
}
