// QuorumCnxManager: the election port's connections, as ZooKeeper 3.8 runs them.
// One TCP connection per peer pair; the larger sid keeps the connection it
// initiates, a smaller sid's connection is closed and answered by connecting
// back. The queues (per-peer send slot of capacity 1, last message re-sent on a
// new connection, receive queue dropping the oldest) are qcm_queues.ts.
import type { HostPort } from "../config/types.ts";
import { logger } from "../log/logger.ts";
import { acceptLoop } from "../net/accept_loop.ts";
import { FrameError, TimeoutError } from "../net/errors.ts";
import { FramedConn } from "../net/framed_conn.ts";
import {
  checkInitialLength,
  decodeInitialAddrs,
  encodeInitialMessage,
  formatElectionAddr,
  OBSERVER_ID,
  PROTOCOL_VERSION_V1,
  PROTOCOL_VERSION_V2,
} from "./handshake.ts";
import { RecvQueue, SendSlots } from "./qcm_queues.ts";

const log = logger("QuorumCnxManager");

/** Largest election frame (PACKETMAXSIZE, 512 KiB). */
export const PACKET_MAX_SIZE = 512 * 1024;
/** Bind attempts before the election port is given up (portBindMaxRetry default). */
export const PORT_BIND_MAX_RETRY = 3;

/** A received election message. */
export interface QcmMessage {
  sid: bigint;
  payload: Uint8Array;
}

/** Settings of one connection manager. */
export interface QcmOptions {
  myid: bigint;
  /** Our election addresses: what we listen on and announce. */
  electionAddrs: HostPort[];
  /** Listen on 0.0.0.0 at the election port(s) (quorumListenOnAllIPs). */
  listenOnAllIPs?: boolean;
  /** Announce with protocol v2 (multiAddress.enabled). */
  multiAddress?: boolean;
  /** Connect timeout in ms (cnxTimeout). */
  cnxTimeout?: number;
  /** Read deadline for a peer's initial message (tickTime × syncLimit in 3.8). */
  handshakeTimeout?: number;
  /** The election addresses of a configured peer; undefined for unknown sids. */
  addrOf(sid: bigint): HostPort[] | undefined;
  /** Called whenever a message was queued for receive(). */
  onMessage?(): void;
  /** Delay between bind attempts, ms. */
  bindRetryDelay?: number;
  /** Called when the connection to sid comes up (with who opened it) or goes down. */
  onLink?(sid: bigint, up: boolean, initiator: "self" | "peer"): void;
}

/** Raised when an election port cannot be bound after the retries. */
export class BindError extends Error {
  override name = "BindError";
}

interface Worker {
  sid: bigint;
  conn: FramedConn;
  initiator: "self" | "peer";
}

/** The election port's connection manager. */
export class QuorumCnxManager {
  readonly myid: bigint;
  private readonly opts: QcmOptions;
  private listeners: Deno.TcpListener[] = [];
  private workers = new Map<bigint, Worker>();
  private readonly sendSlots = new SendSlots<Uint8Array>();
  private connecting = new Set<bigint>();
  private readonly recvQueue = new RecvQueue<QcmMessage>();
  private observerCounter = -1n;
  private halted = false;

  constructor(opts: QcmOptions) {
    this.myid = opts.myid;
    this.opts = opts;
  }

  /** The bound listener addresses (for tests and logs). */
  get listenAddrs(): Deno.NetAddr[] {
    return this.listeners.map((l) => l.addr as Deno.NetAddr);
  }

  /** Binds every election address (retrying) and starts accepting. Throws BindError when one stays taken. */
  async start(): Promise<void> {
    const targets = this.opts.listenOnAllIPs
      ? [...new Set(this.opts.electionAddrs.map((a) => a.port))].map((port) => ({
        host: "0.0.0.0",
        port,
      }))
      : this.opts.electionAddrs;
    for (const a of targets) this.listeners.push(await this.bind(a));
    for (const l of this.listeners) this.accepting(l);
  }

  private async bind(a: HostPort): Promise<Deno.TcpListener> {
    let lastErr: unknown;
    for (let i = 1; i <= PORT_BIND_MAX_RETRY; i++) {
      try {
        const l = Deno.listen({ hostname: a.host, port: a.port, transport: "tcp" });
        log.info(
          `${this.myid} is accepting connections now, my election bind port: ${
            formatElectionAddr(a)
          }`,
        );
        return l;
      } catch (e) {
        lastErr = e;
        log.error(
          `Exception while listening to address ${formatElectionAddr(a)}: ${(e as Error).message}`,
        );
        if (i < PORT_BIND_MAX_RETRY) {
          await new Promise((r) => setTimeout(r, this.opts.bindRetryDelay ?? 1000));
        }
      }
    }
    throw new BindError(
      `cannot bind the election port ${
        formatElectionAddr(a)
      } after ${PORT_BIND_MAX_RETRY} attempts: ${(lastErr as Error).message}`,
    );
  }

  private accepting(l: Deno.TcpListener): Promise<void> {
    // Shared loop: a failing accept (descriptors exhausted) backs off, logs rate-limited.
    return acceptLoop(
      l,
      { name: "election port", log, closing: () => this.halted },
      (conn) =>
        void this.handleIncoming(conn).catch((e) => log.warn(`incoming connection: ${e.message}`)),
    );
  }

  private async handleIncoming(raw: Deno.TcpConn): Promise<void> {
    try {
      raw.setNoDelay(true);
      raw.setKeepAlive(true);
    } catch { /* closed already */ }
    const conn = new FramedConn(raw, { maxFrame: PACKET_MAX_SIZE });
    let sid: bigint;
    let addrs: HostPort[] = [];
    try {
      conn.setReadDeadline(this.opts.handshakeTimeout ?? 10_000);
      const first = await conn.readLong();
      if (first === null) throw new FrameError("closed before the initial message");
      if (first >= 0n) {
        sid = first; // legacy form: the first long is the sid
      } else {
        if (first !== PROTOCOL_VERSION_V1 && first !== PROTOCOL_VERSION_V2) {
          throw new FrameError(`unrecognized protocol version ${first}`);
        }
        const s = await conn.readLong();
        const len = await conn.readInt();
        if (s === null || len === null) throw new FrameError("truncated initial message");
        sid = s;
        checkInitialLength(len);
        const b = await conn.readExact(len);
        if (b === null) throw new FrameError("truncated initial message");
        addrs = decodeInitialAddrs(b);
      }
      conn.setReadDeadline(null);
    } catch (e) {
      log.error(`Initial message parsing error from ${conn.remote}: ${(e as Error).message}`);
      conn.close();
      return;
    }
    if (this.halted) return conn.close();
    if (sid === OBSERVER_ID) {
      sid = this.observerCounter--;
      log.info(`Setting arbitrary identifier to observer: ${sid}`);
    }
    if (sid < this.myid) {
      // We win the tie-break: drop theirs, connect back ourselves.
      this.workers.get(sid)?.conn.close();
      this.workers.delete(sid);
      conn.close();
      this.connectOne(sid, addrs.length > 0 ? addrs : undefined);
    } else if (sid === this.myid) {
      log.warn(
        "We got a connection request from a server with our own ID. " +
          "This should be either a configuration error, or a bug.",
      );
      conn.close();
    } else {
      this.startWorker(sid, conn, "peer");
    }
  }

  private startWorker(sid: bigint, conn: FramedConn, initiator: "self" | "peer"): void {
    const old = this.workers.get(sid);
    if (old) old.conn.close();
    const w: Worker = { sid, conn, initiator };
    this.workers.set(sid, w);
    this.opts.onLink?.(sid, true, initiator);
    // Re-send the last message when nothing newer waits: the peer may have missed it.
    const again = this.sendSlots.connected(sid);
    if (again) conn.send(again);
    this.pump(sid);
    this.readLoop(w);
  }

  private async readLoop(w: Worker): Promise<void> {
    try {
      while (!this.halted) {
        const payload = await w.conn.readFrame();
        if (payload === null) break;
        if (payload.length === 0) throw new FrameError(`invalid packet length 0 from sid ${w.sid}`);
        this.recvQueue.push({ sid: w.sid, payload });
        this.opts.onMessage?.();
      }
    } catch (e) {
      if (!(e instanceof FrameError || e instanceof TimeoutError)) {
        log.warn(`connection to sid ${w.sid} broken: ${(e as Error).message}`);
      } else {
        log.warn(`closing connection to sid ${w.sid}: ${(e as Error).message}`);
      }
    } finally {
      w.conn.close();
      if (this.workers.get(w.sid) === w) {
        this.workers.delete(w.sid);
        if (!this.halted) this.opts.onLink?.(w.sid, false, w.initiator);
      }
    }
  }

  private pump(sid: bigint): void {
    const w = this.workers.get(sid);
    if (!w || w.conn.closed) return;
    const msg = this.sendSlots.take(sid);
    if (msg) w.conn.send(msg);
  }

  /** Queues a message for sid (to ourselves: straight to the receive queue) and connects if needed. */
  toSend(sid: bigint, payload: Uint8Array): void {
    if (this.halted) return;
    if (sid === this.myid) {
      this.recvQueue.push({ sid, payload });
      this.opts.onMessage?.();
      return;
    }
    this.sendSlots.offer(sid, payload); // capacity 1: the newest wins
    const w = this.workers.get(sid);
    if (w && !w.conn.closed) this.pump(sid);
    else this.connectOne(sid);
  }

  /** Takes every queued received message. */
  drain(): QcmMessage[] {
    return this.recvQueue.drain();
  }

  /** True when some peer's send slot is empty (3.8's haveDelivered). */
  haveDelivered(): boolean {
    return this.sendSlots.haveDelivered();
  }

  /** Connects to every peer we have queued messages for. */
  connectAll(): void {
    for (const sid of this.sendSlots.sids()) this.connectOne(sid);
  }

  /** True while a connection to sid is up. */
  isConnected(sid: bigint): boolean {
    const w = this.workers.get(sid);
    return w !== undefined && !w.conn.closed;
  }

  /** Starts connecting to sid unless connected or already connecting. */
  connectOne(sid: bigint, addrs?: HostPort[]): void {
    if (this.halted || this.isConnected(sid) || this.connecting.has(sid)) return;
    const targets = addrs ?? this.opts.addrOf(sid);
    if (!targets || targets.length === 0) {
      log.debug(`Invalid server id: ${sid}`);
      return;
    }
    this.connecting.add(sid);
    this.initiate(sid, targets).finally(() => this.connecting.delete(sid));
  }

  private async initiate(sid: bigint, targets: HostPort[]): Promise<void> {
    let raw: Deno.TcpConn | undefined;
    for (const a of targets) {
      raw = await connectWithTimeout(a, this.opts.cnxTimeout ?? 5000).catch((e) => {
        log.warn(
          `Cannot open channel to ${sid} at election address ${
            formatElectionAddr(a)
          }: ${e.message}`,
        );
        return undefined;
      });
      if (raw) break;
    }
    if (!raw) return;
    if (this.halted || this.isConnected(sid)) {
      raw.close();
      return;
    }
    try {
      raw.setNoDelay(true);
      raw.setKeepAlive(true);
    } catch { /* closed */ }
    const conn = new FramedConn(raw, { maxFrame: PACKET_MAX_SIZE });
    const version = this.opts.multiAddress ? PROTOCOL_VERSION_V2 : PROTOCOL_VERSION_V1;
    conn.sendRaw(encodeInitialMessage(this.myid, this.opts.electionAddrs, version));
    if (sid > this.myid) {
      // They win the tie-break: our initial message tells them to connect back.
      log.info(
        `Have smaller server identifier, so dropping the connection: (myId:${this.myid} --> sid:${sid})`,
      );
      await conn.closeAfterFlush();
      return;
    }
    this.startWorker(sid, conn, "self");
  }

  /** Messages waiting to go to sid (the send slot holds at most one). */
  queuedFor(sid: bigint): number {
    return this.sendSlots.queued(sid);
  }

  /** Closes the listeners and every connection. */
  halt(): void {
    this.halted = true;
    for (const l of this.listeners) {
      try {
        l.close();
      } catch { /* closed */ }
    }
    for (const w of this.workers.values()) w.conn.close();
    this.workers.clear();
  }
}

/** Deno.connect with a deadline; a connection that completes late is closed. */
export function connectWithTimeout(a: HostPort, ms: number): Promise<Deno.TcpConn> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`connect timed out after ${ms} ms`));
    }, ms);
    Deno.connect({ hostname: a.host, port: a.port, transport: "tcp" }).then((c) => {
      clearTimeout(timer);
      if (done) c.close();
      else {
        done = true;
        resolve(c);
      }
    }, (e) => {
      clearTimeout(timer);
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}
