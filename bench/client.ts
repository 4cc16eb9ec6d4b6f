// A lean pipelining ZooKeeper client for load generation. The same code drives
// zkt and Apache ZooKeeper, so the client's own cost is equal on both sides.
// Replies are matched to requests by order (the server answers in order) and
// only the reply header is decoded: the benchmark needs the error code, not the body.
import {
  readConnectResponse,
  readWatcherEvent,
  writeConnectRequest,
  writeCreateRequest,
  writeExistsRequest,
  writeGetChildrenRequest,
  writeGetDataRequest,
  writeRequestHeader,
  writeSetDataRequest,
} from "../src/jute/proto.ts";
import type { ACL } from "../src/jute/data.ts";
import { Reader } from "../src/jute/reader.ts";
import { Writer } from "../src/jute/writer.ts";
import { FramedConn } from "../src/net/framed_conn.ts";

const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const OP_CREATE = 1;
const OP_EXISTS = 3;
const OP_GET_DATA = 4;
const OP_GET_CHILDREN = 8;
const OP_SET_DATA = 5;
const OP_CLOSE = -11;

/** Called with the reply's error code (0 = ok), or -999 when the connection died first. */
export type Done = (err: number) => void;

/** Error code handed to callbacks whose connection closed before the reply. */
export const CONN_LOST = -999;

/** One client connection with a session; requests may be pipelined freely. */
export class BenchConn {
  private xid = 1;
  private queue: Done[] = [];
  private head = 0;
  private readonly loop: Promise<void>;
  /** Called for each watch notification (type, path). */
  onEvent: ((type: number, path: string) => void) | null = null;

  private constructor(private readonly conn: FramedConn, readonly sessionId: bigint) {
    this.loop = this.readLoop();
  }

  /** Connects to 127.0.0.1:port and establishes a session. */
  static async open(port: number, sessionTimeoutMs = 30_000): Promise<BenchConn> {
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
    tcp.setNoDelay(true);
    const conn = new FramedConn(tcp, { maxFrame: 4 * 1024 * 1024, readBufferSize: 64 * 1024 });
    const w = new Writer(64);
    writeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: sessionTimeoutMs,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
    conn.send(w.toBytes());
    conn.setReadDeadline(10_000);
    let frame: Uint8Array | null;
    try {
      frame = await conn.readFrame();
    } catch (e) {
      conn.close();
      throw e;
    }
    conn.setReadDeadline(null);
    if (frame === null) {
      conn.close();
      throw new Error(`server on port ${port} closed the connection during the handshake`);
    }
    const rsp = readConnectResponse(new Reader(frame));
    if (rsp.sessionId === 0n) {
      conn.close();
      throw new Error(`server on port ${port} refused the session`);
    }
    return new BenchConn(conn, rsp.sessionId);
  }

  /** Requests sent but not yet answered. */
  get outstanding(): number {
    return this.queue.length - this.head;
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.conn.readFrame();
        if (frame === null) break;
        const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
        const xid = dv.getInt32(0);
        if (xid === -1) {
          if (this.onEvent) {
            const r = new Reader(frame.subarray(16));
            const e = readWatcherEvent(r);
            this.onEvent(e.type, e.path);
          }
          continue;
        }
        if (xid === -2) continue; // ping reply
        const done = this.queue[this.head];
        if (done === undefined) throw new Error(`unexpected reply xid ${xid}`);
        this.queue[this.head++] = undefined as unknown as Done;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        done(dv.getInt32(12));
      }
    } catch { /* connection lost: fail what is pending below */ }
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const d of rest) d(CONN_LOST);
  }

  private send(type: number, body: ((w: Writer) => void) | null, done: Done): void {
    if (this.conn.closed) {
      done(CONN_LOST);
      return;
    }
    const w = new Writer(96);
    writeRequestHeader(w, { xid: this.xid++, type });
    body?.(w);
    this.queue.push(done);
    this.conn.send(w.toBytes());
  }

  /** Sends create(path, data) with an open ACL (flags: 0 persistent). */
  create(path: string, data: Uint8Array, flags: number, done: Done): void {
    this.send(OP_CREATE, (w) => writeCreateRequest(w, { path, data, acl: OPEN_ACL, flags }), done);
  }

  /** Sends getData(path, watch). */
  getData(path: string, watch: boolean, done: Done): void {
    this.send(OP_GET_DATA, (w) => writeGetDataRequest(w, { path, watch }), done);
  }

  /** Sends exists(path, watch). */
  exists(path: string, watch: boolean, done: Done): void {
    this.send(OP_EXISTS, (w) => writeExistsRequest(w, { path, watch }), done);
  }

  /** Sends getChildren(path, watch). */
  getChildren(path: string, watch: boolean, done: Done): void {
    this.send(OP_GET_CHILDREN, (w) => writeGetChildrenRequest(w, { path, watch }), done);
  }

  /** Sends setData(path, data, version -1). */
  setData(path: string, data: Uint8Array, done: Done): void {
    this.send(OP_SET_DATA, (w) => writeSetDataRequest(w, { path, data, version: -1 }), done);
  }

  /** Awaits one request (helper for sequential use). */
  call(fn: (done: Done) => void): Promise<number> {
    return new Promise((resolve) => fn(resolve));
  }

  /** Closes the session (closeSession, wait for the reply), then the socket. */
  async close(): Promise<void> {
    if (!this.conn.closed) {
      await this.call((d) => this.send(OP_CLOSE, null, d));
    }
    this.conn.close();
    await this.loop;
  }

  /** Drops the socket without closing the session. */
  async drop(): Promise<void> {
    this.conn.close();
    await this.loop;
  }
}
