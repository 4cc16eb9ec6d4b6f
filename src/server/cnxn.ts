// One client connection: the first four bytes are either a four-letter word or
// the length of the connect request; after the handshake every frame is a
// request. The server decides what each frame means; this shell moves bytes,
// keeps the per-connection numbers cons prints, and enforces the frame limit.
import { FramedConn } from "../net/framed_conn.ts";
import { FrameError } from "../net/errors.ts";
import { logger } from "../log/logger.ts";
import { type AuthId, authInfoOrder } from "./acl.ts";
import { type CnxnView, MinAvgMax, wordOfInt } from "./four_letter.ts";

const log = logger("ServerCnxn");

/** What a connection asks of the server behind it. */
export interface CnxnHandler {
  /** A four-letter word arrived on a fresh connection; returns the reply text. `arg`: stmk's mask. */
  fourLetter(word: string, cnxn: ClientCnxn, arg?: bigint): string;
  /** Whether a four-letter word is enabled (stmk reads its 8-byte mask only then). */
  fourLetterEnabled(word: string): boolean;
  /** The connect request payload; the handler replies (or closes). */
  connect(cnxn: ClientCnxn, payload: Uint8Array): void;
  /** One request frame after the handshake. */
  packet(cnxn: ClientCnxn, payload: Uint8Array): void;
  /** The connection is gone (either side closed it). */
  closed(cnxn: ClientCnxn): void;
  /** True while the server serves requests (false when e.g. LOOKING). */
  serving(): boolean;
  /** A connection was closed for staying without a session too long (for metrics). */
  sessionlessExpired?(cnxn: ClientCnxn): void;
  /** A connection was closed because the server was not serving (for metrics). */
  closedNotServing?(cnxn: ClientCnxn): void;
}

let nextCnxnId = 1;

/** Requests a connection may have in flight before we stop reading it (3.8's globalOutstandingLimit). */
export const MAX_OUTSTANDING = 1000;
/** Reply bytes queued for a slow reader before we stop reading its requests. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** A client connection and its statistics. */
export class ClientCnxn {
  readonly id = nextCnxnId++;
  readonly framed: FramedConn;
  readonly remoteIp: string;
  readonly remotePort: number;
  sessionId = 0n;
  timeoutMs = 0;
  /** Set once the connect request was accepted (frames are requests from then on). */
  get initialized(): boolean {
    return this.ready;
  }
  private ready = false;
  private readyWaiter: (() => void) | null = null;

  /** The session is established: requests may flow (3.8 re-enables reading here). */
  markInitialized(): void {
    this.ready = true;
    this.readyWaiter?.();
    this.readyWaiter = null;
  }

  private waitReady(): Promise<void> {
    if (this.ready || this.framed.closed) return Promise.resolve();
    return new Promise((r) => this.readyWaiter = r);
  }
  /** Set when the server told the client to go away; later frames are ignored. */
  closing = false;
  /** The ids this connection is authenticated as, in 3.8's order (see authInfoOrder). */
  authInfo: AuthId[];
  /** The same ids in the order they were added. */
  private authAdded: AuthId[];
  readonly establishedMs = Date.now();
  packetsReceived = 0;
  packetsSent = 0;
  outstanding = 0;
  lastOp = "NA";
  lastCxid = -1;
  lastZxid = -1n;
  lastResponseMs = 0;
  lastLatency = 0;
  readonly latency = new MinAvgMax();
  /** Set while this connection is answering a four-letter word. */
  fourLetterWord = false;
  /** The client sent the readOnly byte in its connect request. */
  oldClient = true;

  constructor(conn: Deno.Conn, maxFrame: number) {
    this.framed = new FramedConn(conn, { maxFrame });
    const a = conn.remoteAddr as Deno.NetAddr;
    this.remoteIp = a.hostname;
    this.remotePort = a.port;
    this.authAdded = [{ scheme: "ip", id: a.hostname }];
    this.authInfo = this.authAdded;
  }

  /** Adds an authenticated id (a repeat is ignored). */
  addAuthId(id: AuthId): void {
    if (this.authAdded.some((a) => a.scheme === id.scheme && a.id === id.id)) return;
    this.authAdded = [...this.authAdded, id];
    this.authInfo = authInfoOrder(this.authAdded);
  }

  /** Java's InetSocketAddress.toString form: "/127.0.0.1:5000". */
  get remote(): string {
    return `/${this.remoteIp}:${this.remotePort}`;
  }

  private wake: (() => void) | null = null;

  /** One request was answered: lets a throttled read loop go on. */
  requestDone(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.wake && this.outstanding <= MAX_OUTSTANDING / 2) {
      const w = this.wake;
      this.wake = null;
      w();
    }
  }

  /** Waits while too many requests are in flight or too many reply bytes are queued. */
  private async throttle(): Promise<void> {
    while (!this.framed.closed && this.outstanding > MAX_OUTSTANDING) {
      await new Promise<void>((r) => this.wake = r);
    }
    if (this.framed.queuedBytes > MAX_QUEUED_BYTES) await this.framed.flush().catch(() => {});
  }

  /** Queues one reply frame. */
  send(payload: Uint8Array): void {
    if (this.framed.closed) return;
    this.packetsSent++;
    this.framed.send(payload);
  }

  /** Queues one reply frame that carries its length prefix. */
  sendFrame(frame: Uint8Array): void {
    if (this.framed.closed) return;
    this.packetsSent++;
    this.framed.sendFrame(frame);
  }

  /** Records a finished request for cons/stat. */
  finished(op: string, cxid: number, zxid: bigint, startMs: number, now: number): void {
    this.lastOp = op;
    if (cxid >= 0) this.lastCxid = cxid;
    this.lastZxid = zxid;
    this.lastResponseMs = now;
    this.lastLatency = now - startMs;
    this.latency.add(this.lastLatency);
  }

  /** Resets the numbers `crst` resets. */
  resetStats(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.lastCxid = -1;
    this.lastZxid = -1n;
    this.lastResponseMs = 0;
    this.lastLatency = 0;
    this.latency.reset();
  }

  /** Sends what is queued, then closes. */
  closeAfterFlush(): void {
    this.closing = true;
    this.framed.closeAfterFlush().then(() => {
      this.readyWaiter?.();
      this.readyWaiter = null;
    });
    this.wake?.();
    this.wake = null;
  }

  /** Closes at once. */
  close(): void {
    this.closing = true;
    this.framed.close();
    this.wake?.();
    this.wake = null;
    this.readyWaiter?.();
    this.readyWaiter = null;
  }

  /** The numbers cons/stat print. */
  view(): CnxnView {
    return {
      remote: this.remote,
      // A four-letter-word connection is off the selector in 3.8: interest ops 0.
      interestOps: this.framed.closed || this.fourLetterWord ? 0 : 1,
      queued: this.outstanding,
      received: this.packetsReceived,
      sent: this.packetsSent,
      sessionId: this.sessionId,
      lastOp: this.lastOp,
      establishedMs: this.establishedMs,
      timeoutMs: this.timeoutMs,
      lastCxid: this.lastCxid,
      lastZxid: this.lastZxid,
      lastResponseMs: this.lastResponseMs,
      lastLatency: this.lastLatency,
      latency: this.latency,
    };
  }

  /**
   * Reads until the connection ends. `handshakeMs` bounds the time a connection
   * may stay without a session (ZooKeeper's sessionless connection timeout).
   */
  async run(handler: CnxnHandler, handshakeMs: number): Promise<void> {
    const f = this.framed;
    // A connection must establish a session (or send a four-letter word) within
    // handshakeMs; closing the socket ends whatever read is pending.
    let sessionless: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
      if (this.initialized) return;
      log.info(`Closing sessionless connection from ${this.remote} after ${handshakeMs} ms`);
      handler.sessionlessExpired?.(this);
      this.close();
    }, handshakeMs);
    try {
      const first = await f.readInt();
      if (first === null) return;
      this.packetsReceived++;
      const word = wordOfInt(first);
      if (word !== undefined) {
        clearTimeout(sessionless);
        sessionless = undefined;
        this.fourLetterWord = true;
        let arg: bigint | undefined;
        if (word === "stmk" && handler.fourLetterEnabled(word)) {
          const mask = await f.readLong();
          if (mask === null) return;
          arg = mask;
        }
        const text = handler.fourLetter(word, this, arg);
        f.sendRaw(new TextEncoder().encode(text));
        await f.closeAfterFlush();
        return;
      }
      if (first < 0 || first > f.maxFrame) {
        log.warn(
          `Len error. A message from ${this.remote} with advertised length of ${first} is either ` +
            `a malformed message or too large to process (length is greater than ` +
            `jute.maxbuffer=${f.maxFrame})`,
        );
        return;
      }
      if (!handler.serving()) {
        log.info(`Closing connection from ${this.remote}: ZooKeeperServer not running`);
        handler.closedNotServing?.(this);
        return;
      }
      const connectReq = await f.readExact(first);
      if (connectReq === null) return;
      handler.connect(this, connectReq);
      // Like 3.8 (disableRecv until the session is set up), requests a client
      // pipelines behind its connect request are read only once it is answered.
      await this.waitReady();
      while (!f.closed) {
        await this.throttle();
        const frame = await f.readFrame();
        if (frame === null) break;
        this.packetsReceived++;
        if (this.closing) continue;
        handler.packet(this, frame);
      }
    } catch (e) {
      if (e instanceof FrameError) {
        log.warn(`Closing connection from ${this.remote}: ${e.message}`);
      } else if (!this.closing) {
        log.warn(`Connection from ${this.remote} failed: ${(e as Error).message}`);
      }
    } finally {
      clearTimeout(sessionless);
      f.close();
      handler.closed(this);
    }
  }
}
