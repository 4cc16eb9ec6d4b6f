// A quorum-port connection over a Deno.Conn: TCP_NODELAY, reads fed to the
// QuorumStreamParser, outgoing packets queued and coalesced into few writes,
// a per-read deadline (Java's SO_TIMEOUT: initLimit*tickTime while syncing,
// syncLimit*tickTime after), and one log line naming the peer and the reason
// when the peer sends garbage or goes silent.
import type { QuorumPacket } from "../jute/quorum.ts";
import { Writer } from "../jute/writer.ts";
import { logger } from "../log/logger.ts";
import { TimeoutError } from "../net/errors.ts";
import { formatAddr } from "../net/framed_conn.ts";
import type { TreeImage } from "../data/node_view.ts";
import type { SnapEntry, SnapNode } from "../persistence/snapshot.ts";
import { ZabProtocolError } from "./errors.ts";
import {
  QUORUM_MAX_LENGTH,
  QuorumStreamParser,
  receiveSnap,
  snapStreamChunks,
  writePacket,
} from "./quorum_stream.ts";
import { endOfTurn } from "../net/end_of_turn.ts";

const log = logger("QuorumConn");

/** Options for a quorum connection. */
export interface QuorumConnOptions {
  /** Name in log lines and errors (default: the remote address). */
  name?: string;
  /** Largest length field accepted (default jute.maxbuffer + extrasize). */
  maxLength?: number;
  /** Socket read size (default 64 KiB). */
  readSize?: number;
}

/** Queued bytes above which sendSnap() waits for the socket before serializing more. */
const SNAP_HIGH_WATER = 1 << 20;

/** One Zab connection between a leader and a learner. */
export class QuorumConn {
  readonly name: string;
  readonly parser: QuorumStreamParser;
  private readonly readBuf: Uint8Array;
  private readonly maxLength: number;
  private deadlineMs: number | null = null;
  private out = new Writer(4096);
  private flushing: Promise<void> | null = null;
  private writeError: Error | null = null;
  private closedFlag = false;
  private eof = false;
  /** Bytes and packets moved; lastZxidOut is the last packet zxid > 0 sent (-1 before one). */
  readonly stats = { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, lastZxidOut: -1n };
  /** Packets queued since the last write started. */
  private queuedCount = 0;
  /**
   * Called as queued packets are taken for a write: how many, and how long
   * the marker waited if one was among them (3.8's LearnerHandler queues a
   * marker every 1000 packets and times it: learner_handler_qp_time_ms).
   */
  onTaken: ((packets: number, markerWaitMs: number | null) => void) | null = null;
  private markerCounter = 0;
  private markerAt: number | null = null;

  constructor(readonly conn: Deno.Conn, opts: QuorumConnOptions = {}) {
    let remote = "?";
    try {
      remote = formatAddr(conn.remoteAddr);
    } catch { /* closed already */ }
    this.name = opts.name ?? remote;
    this.maxLength = opts.maxLength ?? QUORUM_MAX_LENGTH;
    this.parser = new QuorumStreamParser({ name: this.name, maxLength: this.maxLength });
    this.readBuf = new Uint8Array(opts.readSize ?? 64 * 1024);
    try {
      // Zab is request/response in small packets: Nagle would stall every ACK.
      (conn as Deno.TcpConn).setNoDelay?.(true);
    } catch { /* not TCP or closed */ }
  }

  /** Packets queued and not yet handed to the socket (3.8's queued_packets). */
  get queuedPackets(): number {
    return this.queuedCount;
  }

  /** True once closed (by us, by a failed write, or at EOF). */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes queued and not yet written. */
  get queuedBytes(): number {
    return this.out.pos;
  }

  /**
   * Each later socket read must complete within ms or the connection closes
   * with a TimeoutError; null waits forever. As Java's SO_TIMEOUT, any bytes
   * arriving reset it, so a leader's PINGs keep a learner's reads alive.
   */
  setReadDeadline(ms: number | null): void {
    this.deadlineMs = ms;
  }

  /** One socket read (a copy), null at EOF; enforces the deadline. */
  private async readChunk(): Promise<Uint8Array | null> {
    if (this.eof || this.closedFlag) return null;
    const read = this.conn.read(this.readBuf);
    let n: number | null;
    if (this.deadlineMs === null) {
      n = await read;
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), this.deadlineMs!);
      });
      const r = await Promise.race([read, timeout]).finally(() => clearTimeout(timer));
      if (r === "timeout") {
        // A pending read cannot be cancelled; closing the socket ends it.
        read.catch(() => {});
        throw new TimeoutError(`${this.name}: no data within ${this.deadlineMs} ms`);
      }
      n = r;
    }
    if (n === null) {
      this.eof = true;
      return null;
    }
    this.stats.bytesIn += n;
    return this.readBuf.slice(0, n);
  }

  /** Runs f; a protocol error, timeout or socket error closes the connection with one log line. */
  private async guarded<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      this.fail(e as Error);
      throw e;
    }
  }

  private fail(e: Error): void {
    if (this.closedFlag) return;
    const reason = e instanceof ZabProtocolError || e instanceof TimeoutError
      ? e.message.startsWith(this.name + ": ") ? e.message.slice(this.name.length + 2) : e.message
      : `${e.name}: ${e.message}`;
    log.warn(`Closing quorum connection to ${this.name}: ${reason}`);
    this.close();
  }

  /**
   * The next packet; null when the peer closed cleanly between packets. After
   * a SNAP packet, call receiveSnap() before reading on.
   */
  read(): Promise<QuorumPacket | null> {
    return this.guarded(async () => {
      while (true) {
        const p = this.parser.next();
        if (p !== null) {
          this.stats.packetsIn++;
          return p;
        }
        if (this.parser.mode === "snap") {
          throw new Error("read() inside a SNAP stream: call receiveSnap() first");
        }
        const chunk = await this.readChunk();
        if (chunk === null) {
          this.closedFlag = true;
          this.parser.finish();
          return null;
        }
        this.parser.feed(chunk);
      }
    });
  }

  /** Reads the SNAP body after a SNAP packet, handing batches of records to onEntries. */
  receiveSnap(onEntries: (e: SnapEntry | SnapNode[]) => void | Promise<void>): Promise<void> {
    return this.guarded(() => receiveSnap(this.parser, () => this.readChunk(), onEntries));
  }

  /** Queues a packet; packets queued in the same turn go out in one write. */
  send(p: QuorumPacket): void {
    if (this.closedFlag) return;
    writePacket(this.out, p, this.maxLength);
    this.stats.packetsOut++;
    this.queuedCount++;
    if (p.zxid > 0n) this.stats.lastZxidOut = p.zxid;
    if (this.onTaken !== null && this.markerCounter++ % 1000 === 0) {
      this.markerAt ??= performance.now();
    }
    this.kick();
  }

  /** Queues raw bytes (a SNAP stream chunk). */
  sendBytes(b: Uint8Array): void {
    if (this.closedFlag || b.length === 0) return;
    this.out.raw(b);
    this.kick();
  }

  /**
   * Sends a whole SNAP transfer (packet, body, BenWasHere) from a tree image,
   * waiting for the socket whenever a megabyte is queued, so memory stays
   * bounded and timers (pings to other learners) keep running.
   */
  async sendSnap(tree: TreeImage, chunk = 1 << 16): Promise<void> {
    for (const part of snapStreamChunks(tree, chunk)) {
      if (this.closedFlag) break;
      this.sendBytes(part);
      if (this.out.pos >= SNAP_HIGH_WATER) await this.flush();
    }
    this.stats.packetsOut++;
    await this.flush();
  }

  private kick(): void {
    if (!this.flushing) this.flushing = this.drain();
  }

  private async drain(): Promise<void> {
    // Let the current turn queue more so they share one write (end_of_turn.ts).
    await endOfTurn();
    try {
      while (this.out.pos > 0 && !this.closedFlag) {
        const bytes = this.out.toBytes();
        this.out.reset();
        const taken = this.queuedCount;
        const marker = this.markerAt;
        this.queuedCount = 0;
        this.markerAt = null;
        if (taken > 0) {
          this.onTaken?.(taken, marker === null ? null : Math.floor(performance.now() - marker));
        }
        let off = 0;
        while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
        this.stats.bytesOut += bytes.length;
      }
    } catch (e) {
      this.writeError = e as Error;
      this.fail(e as Error);
    } finally {
      this.flushing = null;
    }
  }

  /** Resolves when everything queued so far is written; throws if a write failed. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.writeError) throw this.writeError;
  }

  /** Closes the socket; queued bytes not yet written are dropped. */
  close(): void {
    this.closedFlag = true;
    this.out.reset();
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  /** Closes with one log line naming the peer and why (leader shutdown, sync failure). */
  closeWithReason(reason: string): void {
    if (!this.closedFlag) log.info(`Closing quorum connection to ${this.name}: ${reason}`);
    this.close();
  }
}
