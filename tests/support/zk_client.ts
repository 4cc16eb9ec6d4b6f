// A small ZooKeeper client for tests, built on our jute records: it speaks the
// client protocol to a server (zkt or Apache ZooKeeper) and exposes replies
// raw (error code, zxid, body) so tests can assert exactly what the wire says.
import { type ACL, readACL, readStat, type Stat } from "../../src/jute/data.ts";
import {
  type MultiOp,
  readConnectResponse,
  readMultiResponse,
  readReplyHeader,
  readWatcherEvent,
  writeAddWatchRequest,
  writeAuthPacket,
  writeConnectRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeGetChildrenRequest,
  writeMultiRequest,
  writeRemoveWatchesRequest,
  writeRequestHeader,
  writeSetACLRequest,
  writeSetDataRequest,
  writeSetWatches2,
} from "../../src/jute/proto.ts";
import { Reader } from "../../src/jute/reader.ts";
import { Writer } from "../../src/jute/writer.ts";
import { FramedConn } from "../../src/net/framed_conn.ts";

/** world:anyone with every permission. */
export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/** A raw reply. */
export interface Reply {
  xid: number;
  zxid: bigint;
  err: number;
  /** The body after the ReplyHeader. */
  r: Reader;
}

/** A watch notification as received. */
export interface Event {
  type: number;
  state: number;
  path: string;
}

/** Options for the handshake. */
export interface ConnectOptions {
  timeoutMs?: number;
  sessionId?: bigint;
  passwd?: Uint8Array;
  lastZxidSeen?: bigint;
  readOnly?: boolean;
  /** Leave the readOnly byte out, as clients before 3.4 did. */
  oldClient?: boolean;
}

/** The connect response. */
export interface Session {
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly: boolean | null;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Op codes the helpers send. */
export const OP = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches2: 105,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  addWatch: 106,
  whoAmI: 107,
  closeSession: -11,
} as const;

/** A connected test client. */
export class ZkClient {
  readonly events: Event[] = [];
  /** Every frame in arrival order, as "event:<path>" or "reply:<xid>" (to check ordering). */
  readonly arrivals: string[] = [];
  private xid = 1;
  private readonly pending: {
    xid: number;
    resolve: (r: Reply) => void;
    reject: (e: Error) => void;
  }[] = [];
  private readonly loop: Promise<void>;
  private closedErr: Error | null = null;
  private eventWaiters: (() => void)[] = [];

  private constructor(readonly conn: FramedConn, readonly session: Session) {
    this.loop = this.readLoop();
  }

  /** Opens a TCP connection and performs the handshake; throws if the server closes instead. */
  static async connect(port: number, opts: ConnectOptions = {}): Promise<ZkClient> {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    const conn = new FramedConn(c, { maxFrame: 16 * 1024 * 1024 });
    const session = await ZkClient.handshake(conn, opts);
    if (session === null) {
      conn.close();
      throw new Error("server closed the connection during the handshake");
    }
    return new ZkClient(conn, session);
  }

  /** Sends a connect request on a framed connection; null when the server closes instead. */
  static async handshake(conn: FramedConn, opts: ConnectOptions = {}): Promise<Session | null> {
    const w = new Writer(64);
    writeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: opts.lastZxidSeen ?? 0n,
      timeOut: opts.timeoutMs ?? 10_000,
      sessionId: opts.sessionId ?? 0n,
      passwd: opts.passwd ?? new Uint8Array(16),
      ...(opts.oldClient ? {} : { readOnly: opts.readOnly ?? false }),
    });
    conn.send(w.toBytes());
    let frame: Uint8Array | null;
    try {
      frame = await conn.readFrame();
    } catch {
      return null;
    }
    if (frame === null) return null;
    const r = new Reader(frame);
    const rsp = readConnectResponse(r);
    const readOnly = rsp.readOnly ?? null;
    return {
      timeOut: rsp.timeOut,
      sessionId: rsp.sessionId,
      passwd: rsp.passwd ?? new Uint8Array(0),
      readOnly,
    };
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.conn.readFrame();
        if (frame === null) break;
        const r = new Reader(frame);
        const h = readReplyHeader(r);
        if (h.xid === -1) {
          const e = readWatcherEvent(r);
          this.events.push(e);
          this.arrivals.push(`event:${e.path}`);
          for (const w of this.eventWaiters.splice(0)) w();
          continue;
        }
        this.arrivals.push(`reply:${h.xid}`);
        const p = this.pending.shift();
        if (!p) throw new Error(`unexpected reply xid ${h.xid}`);
        if (p.xid !== h.xid) {
          p.reject(new Error(`reply out of order: expected xid ${p.xid}, got ${h.xid}`));
          continue;
        }
        p.resolve({ xid: h.xid, zxid: h.zxid, err: h.err, r });
      }
      this.closedErr = new Error("connection closed by the server");
    } catch (e) {
      this.closedErr = e as Error;
    }
    for (const p of this.pending.splice(0)) p.reject(this.closedErr!);
    for (const w of this.eventWaiters.splice(0)) w();
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.closedErr !== null;
  }

  /** Resolves when the connection has ended. */
  ended(): Promise<void> {
    return this.loop;
  }

  /** Sends one request (type + body) and waits for its reply. */
  call(type: number, body?: (w: Writer) => void, xid?: number): Promise<Reply> {
    const id = xid ?? this.xid++;
    const w = new Writer(128);
    writeRequestHeader(w, { xid: id, type });
    body?.(w);
    return this.sendRaw(id, w.toBytes());
  }

  /** Sends an already encoded request frame expecting a reply with `xid`. */
  sendRaw(xid: number, frame: Uint8Array): Promise<Reply> {
    if (this.closedErr) return Promise.reject(this.closedErr);
    const p = new Promise<Reply>((resolve, reject) => this.pending.push({ xid, resolve, reject }));
    this.conn.send(frame);
    return p;
  }

  /** Waits until an event satisfying `pred` has arrived (or the connection ends). */
  async waitEvent(pred: (e: Event) => boolean): Promise<Event> {
    for (;;) {
      const e = this.events.find(pred);
      if (e) return e;
      if (this.closedErr) throw this.closedErr;
      await new Promise<void>((r) => this.eventWaiters.push(r));
    }
  }

  // ------------------------------------------------------------- helpers

  /** create (flags: 0 persistent, 1 ephemeral, 2 sequential, 3 ephemeral sequential, 4 container). */
  async create(
    path: string,
    data: string | null = "",
    flags = 0,
    acl: ACL[] | null = OPEN_ACL,
  ): Promise<{ err: number; path: string; zxid: bigint }> {
    const rep = await this.call(
      OP.create,
      (w) =>
        writeCreateRequest(w, { path, data: data === null ? null : enc.encode(data), acl, flags }),
    );
    return { err: rep.err, path: rep.err === 0 ? rep.r.string() : "", zxid: rep.zxid };
  }

  /** create2 / createContainer: path and stat. */
  async create2(
    path: string,
    flags = 0,
    type: number = OP.create2,
  ): Promise<{ err: number; path: string; stat: Stat | null }> {
    const rep = await this.call(
      type,
      (w) => writeCreateRequest(w, { path, data: new Uint8Array(0), acl: OPEN_ACL, flags }),
    );
    if (rep.err !== 0) return { err: rep.err, path: "", stat: null };
    return { err: 0, path: rep.r.string(), stat: readStat(rep.r) };
  }

  /** createTTL. */
  async createTTL(
    path: string,
    flags: number,
    ttl: bigint,
  ): Promise<{ err: number; path: string }> {
    const rep = await this.call(
      OP.createTTL,
      (w) => writeCreateTTLRequest(w, { path, data: new Uint8Array(0), acl: OPEN_ACL, flags, ttl }),
    );
    return { err: rep.err, path: rep.err === 0 ? rep.r.string() : "" };
  }

  async delete(path: string, version = -1): Promise<number> {
    return (await this.call(OP.delete, (w) => writeDeleteRequest(w, { path, version }))).err;
  }

  async exists(path: string, watch = false): Promise<{ err: number; stat: Stat | null }> {
    const rep = await this.call(OP.exists, (w) => writeGetChildrenRequest(w, { path, watch }));
    return { err: rep.err, stat: rep.err === 0 ? readStat(rep.r) : null };
  }

  async getData(
    path: string,
    watch = false,
  ): Promise<{ err: number; data: string | null; stat: Stat | null; zxid: bigint }> {
    const rep = await this.call(OP.getData, (w) => writeGetChildrenRequest(w, { path, watch }));
    if (rep.err !== 0) return { err: rep.err, data: null, stat: null, zxid: rep.zxid };
    const b = rep.r.buffer();
    return {
      err: 0,
      data: b === null ? null : dec.decode(b),
      stat: readStat(rep.r),
      zxid: rep.zxid,
    };
  }

  async setData(
    path: string,
    data: string,
    version = -1,
  ): Promise<{ err: number; stat: Stat | null }> {
    const rep = await this.call(
      OP.setData,
      (w) => writeSetDataRequest(w, { path, data: enc.encode(data), version }),
    );
    return { err: rep.err, stat: rep.err === 0 ? readStat(rep.r) : null };
  }

  async getChildren(path: string, watch = false): Promise<{ err: number; children: string[] }> {
    const rep = await this.call(OP.getChildren, (w) => writeGetChildrenRequest(w, { path, watch }));
    if (rep.err !== 0) return { err: rep.err, children: [] };
    return { err: 0, children: rep.r.vector((x) => x.string()) ?? [] };
  }

  async getACL(path: string): Promise<{ err: number; acl: ACL[] }> {
    const rep = await this.call(OP.getACL, (w) => void w.ustring(path));
    if (rep.err !== 0) return { err: rep.err, acl: [] };
    return { err: 0, acl: rep.r.vector(readACL) ?? [] };
  }

  async setACL(path: string, acl: ACL[], version = -1): Promise<number> {
    return (await this.call(OP.setACL, (w) => writeSetACLRequest(w, { path, acl, version }))).err;
  }

  /** Adds auth (e.g. digest "user:pw"); resolves with the reply's error code. */
  async addAuth(scheme: string, auth: string): Promise<number> {
    return (await this.call(
      OP.auth,
      (w) => writeAuthPacket(w, { type: 0, scheme, auth: enc.encode(auth) }),
      -4,
    )).err;
  }

  async addWatch(path: string, mode: number): Promise<number> {
    return (await this.call(OP.addWatch, (w) => writeAddWatchRequest(w, { path, mode }))).err;
  }

  async removeWatches(path: string, type: number, check = false): Promise<number> {
    return (await this.call(
      check ? OP.checkWatches : OP.removeWatches,
      (w) => writeRemoveWatchesRequest(w, { path, type }),
    )).err;
  }

  async setWatches(relativeZxid: bigint, lists: {
    data?: string[];
    exist?: string[];
    child?: string[];
    persistent?: string[];
    recursive?: string[];
  }): Promise<number> {
    return (await this.call(OP.setWatches2, (w) =>
      writeSetWatches2(w, {
        relativeZxid,
        dataWatches: lists.data ?? [],
        existWatches: lists.exist ?? [],
        childWatches: lists.child ?? [],
        persistentWatches: lists.persistent ?? [],
        persistentRecursiveWatches: lists.recursive ?? [],
      }), -8)).err;
  }

  /** multi: the header err and, per op, the result type and error code (0 unless an ErrorResult). */
  async multi(ops: MultiOp[]): Promise<{ err: number; results: { type: number; err: number }[] }> {
    const rep = await this.call(OP.multi, (w) => writeMultiRequest(w, ops));
    if (rep.err !== 0) return { err: rep.err, results: [] };
    const results = readMultiResponse(rep.r).map((res) => ({
      type: res.type,
      err: res.type === -1 ? res.response.err : 0,
    }));
    return { err: rep.err, results };
  }

  /** Sends closeSession and waits for its reply. */
  async close(): Promise<number> {
    const rep = await this.call(OP.closeSession);
    await this.loop;
    this.conn.close();
    return rep.err;
  }

  /** Drops the TCP connection without closing the session. */
  async drop(): Promise<void> {
    this.conn.close();
    await this.loop;
  }
}

/** A create op for multi. */
export function createOp(path: string, flags = 0): MultiOp {
  return { type: 1, request: { path, data: new Uint8Array(0), acl: OPEN_ACL, flags } };
}

/** A delete op for multi. */
export function deleteOp(path: string, version = -1): MultiOp {
  return { type: 2, request: { path, version } };
}

/** A check op for multi. */
export function checkOp(path: string, version: number): MultiOp {
  return { type: 13, request: { path, version } };
}
