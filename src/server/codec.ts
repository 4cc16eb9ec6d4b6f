// The server's side of the client protocol: which jute record each op reads
// and which it answers with, plus the frames built from several records (the
// connect response with its trailing readOnly flag, replies, notifications,
// multi results). Every record's layout lives in src/jute; this file only
// composes them.
import { type ACL, type Stat, type StatPersisted, writeACL, writeStat } from "../jute/data.ts";
import { OpCode } from "../jute/constants.ts";
import {
  readAddWatchRequest,
  readAuthPacket as readAuth,
  readCheckVersionRequest,
  readCheckWatchesRequest,
  readConnectRequest as readConnect,
  readCreateRequest,
  readCreateTTLRequest,
  readDeleteRequest,
  readGetChildrenRequest,
  readMultiHeader,
  readRemoveWatchesRequest,
  readSetACLRequest,
  readSetDataRequest,
  readSetWatches,
  readSetWatches2,
  writeConnectResponse,
  writeMultiHeader,
  writeReplyHeader,
  writeWatcherEvent,
} from "../jute/proto.ts";
import type { TxnHeader } from "../jute/txn.ts";
import { Reader } from "../jute/reader.ts";
import { Writer } from "../jute/writer.ts";
import type { DataTree } from "../data/tree.ts";
import type { Txn } from "../persistence/records.ts";
import type { MultiOp, PreparedTxn, WriteRequest } from "./prep.ts";

/** A reply body: writes itself after the ReplyHeader. */
export type Body = (w: Writer) => void;

/** ConnectRequest plus the optional readOnly byte (null when an old client left it out). */
export interface ConnectReq {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly: boolean | null;
}

/** Decodes the connect request frame. */
export function readConnectRequest(bytes: Uint8Array, maxBuffer: number): ConnectReq {
  const r = new Reader(bytes, maxBuffer);
  const c = readConnect(r);
  const readOnly = c.readOnly ?? null;
  return {
    protocolVersion: c.protocolVersion,
    lastZxidSeen: c.lastZxidSeen,
    timeOut: c.timeOut,
    sessionId: c.sessionId,
    passwd: c.passwd ?? new Uint8Array(0),
    readOnly,
  };
}

/** The connect response frame; readOnly null leaves the flag out (old clients). */
export function connectResponseBytes(
  timeOut: number,
  sessionId: bigint,
  passwd: Uint8Array,
  readOnly: boolean | null,
): Uint8Array {
  const w = new Writer(64);
  writeConnectResponse(w, {
    protocolVersion: 0,
    timeOut,
    sessionId,
    passwd,
    ...(readOnly === null ? {} : { readOnly }),
  });
  return w.toBytes();
}

/** A ReplyHeader and, when given, a body. */
export function replyBytes(xid: number, zxid: bigint, err: number, body: Body | null): Uint8Array {
  const w = new Writer(64);
  writeReplyHeader(w, { xid, zxid, err });
  if (body) body(w);
  return w.toBytes();
}

/** A watch notification: xid -1, zxid -1, then the WatcherEvent. */
export function notificationBytes(type: number, state: number, path: string): Uint8Array {
  const w = new Writer(32 + path.length);
  writeReplyHeader(w, { xid: -1, zxid: -1n, err: 0 });
  writeWatcherEvent(w, { type, state, path });
  return w.toBytes();
}

/** The AuthPacket of an auth request. */
export function readAuthPacket(r: Reader): { scheme: string; auth: Uint8Array | null } {
  const p = readAuth(r);
  return { scheme: p.scheme, auth: p.auth };
}

/** A write request's record, by op code. */
export function readWriteRequest(type: number, r: Reader): WriteRequest {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer: {
      const c = readCreateRequest(r);
      return { type, path: c.path, data: c.data, acl: c.acl, flags: c.flags } as WriteRequest;
    }
    case OpCode.createTTL: {
      const c = readCreateTTLRequest(r);
      return { type: 21, path: c.path, data: c.data, acl: c.acl, flags: c.flags, ttl: c.ttl };
    }
    case OpCode.delete: {
      const d = readDeleteRequest(r);
      return { type: 2, path: d.path, version: d.version };
    }
    case OpCode.setData: {
      const s = readSetDataRequest(r);
      return { type: 5, path: s.path, data: s.data, version: s.version };
    }
    case OpCode.setACL: {
      const s = readSetACLRequest(r);
      return { type: 7, path: s.path, acl: s.acl, version: s.version };
    }
    case OpCode.check: {
      const c = readCheckVersionRequest(r);
      return { type: 13, path: c.path, version: c.version };
    }
  }
  r.fail(`op ${type} is not a write`);
}

const MULTI_WRITE_OPS = new Set<number>([
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.setData,
  OpCode.check,
]);

/** MultiOperationRecord: (MultiHeader, op record)* until a header with done set. */
export function readMultiOps(r: Reader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const h = readMultiHeader(r);
    if (h.done) break;
    if (!MULTI_WRITE_OPS.has(h.type)) {
      // 3.8 fails the whole record for a read op in a write multi.
      r.fail(`invalid op type ${h.type} in a multi`);
    }
    ops.push({ type: h.type, req: readWriteRequest(h.type, r) });
    if (ops.length > 100_000) r.fail("too many ops in a multi");
  }
  return ops;
}

/** A read op of a multiRead. */
export interface MultiReadOp {
  type: number;
  path: string;
  watch: boolean;
}

/** multiRead's record: getChildren/getData ops until done. */
export function readMultiReadOps(r: Reader): MultiReadOp[] {
  const ops: MultiReadOp[] = [];
  for (;;) {
    const h = readMultiHeader(r);
    if (h.done) break;
    if (h.type !== OpCode.getChildren && h.type !== OpCode.getData) {
      r.fail(`invalid op type ${h.type} in a multiRead`);
    }
    // GetDataRequest and GetChildrenRequest share one layout (path, watch).
    const g = readGetChildrenRequest(r);
    ops.push({ type: h.type, path: g.path, watch: g.watch });
    if (ops.length > 100_000) r.fail("too many ops in a multiRead");
  }
  return ops;
}

/** exists/getData/getChildren/getChildren2: (path, watch). */
export function readPathWatch(r: Reader): { path: string; watch: boolean } {
  const g = readGetChildrenRequest(r);
  return { path: g.path, watch: g.watch };
}

/** getACL/sync/getAllChildrenNumber/getEphemerals: a single path string. */
export function readPath(r: Reader): string {
  return r.string();
}

/** deleteContainer's body: the path's raw UTF-8 bytes, no length prefix. */
export function rawPath(r: Reader): string {
  return new TextDecoder().decode(r.raw(r.remaining));
}

/** setWatches/setWatches2 lists. */
export interface SetWatchesReq {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

/** Decodes SetWatches or SetWatches2. */
export function readSetWatchesReq(r: Reader, v2: boolean): SetWatchesReq {
  if (v2) {
    const s = readSetWatches2(r);
    return {
      relativeZxid: s.relativeZxid,
      dataWatches: s.dataWatches ?? [],
      existWatches: s.existWatches ?? [],
      childWatches: s.childWatches ?? [],
      persistentWatches: s.persistentWatches ?? [],
      persistentRecursiveWatches: s.persistentRecursiveWatches ?? [],
    };
  }
  const s = readSetWatches(r);
  return {
    relativeZxid: s.relativeZxid,
    dataWatches: s.dataWatches ?? [],
    existWatches: s.existWatches ?? [],
    childWatches: s.childWatches ?? [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
  };
}

/** AddWatchRequest. */
export function readAddWatch(r: Reader): { path: string; mode: number } {
  const a = readAddWatchRequest(r);
  return { path: a.path, mode: a.mode };
}

/** CheckWatchesRequest / RemoveWatchesRequest (same layout). */
export function readWatchTypePath(r: Reader, remove: boolean): { path: string; type: number } {
  const x = remove ? readRemoveWatchesRequest(r) : readCheckWatchesRequest(r);
  return { path: x.path, type: x.type };
}

/** The Stat clients see: the persisted stat plus data length and child count. */
export function statOf(tree: DataTree, path: string): Stat | null {
  const n = tree.get(path);
  if (!n) return null;
  return fullStat(n.stat, n.data?.length ?? 0, n.children.size);
}

/** StatPersisted → Stat. */
export function fullStat(s: StatPersisted, dataLength: number, numChildren: number): Stat {
  return {
    czxid: s.czxid,
    mzxid: s.mzxid,
    ctime: s.ctime,
    mtime: s.mtime,
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: s.ephemeralOwner,
    dataLength,
    numChildren,
    pzxid: s.pzxid,
  };
}

const EMPTY_STAT: Stat = fullStat(
  {
    czxid: 0n,
    mzxid: 0n,
    ctime: 0n as unknown as Stat["ctime"],
    mtime: 0n as unknown as Stat["mtime"],
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 0n,
  } as StatPersisted,
  0,
  0,
);

function statOrEmpty(tree: DataTree, path: string): Stat {
  return statOf(tree, path) ?? EMPTY_STAT;
}

/** ExistsResponse / SetDataResponse / SetACLResponse: a Stat. */
export function statBody(tree: DataTree, path: string): Body {
  const st = statOrEmpty(tree, path);
  return (w) => writeStat(w, st);
}

/** GetDataResponse: data, stat. */
export function getDataBody(tree: DataTree, path: string): Body {
  const data = tree.get(path)?.data ?? null;
  const st = statOrEmpty(tree, path);
  return (w) => {
    w.buffer(data);
    writeStat(w, st);
  };
}

/** GetChildrenResponse / GetChildren2Response. */
export function childrenBody(tree: DataTree, path: string, withStat: boolean): Body {
  const kids = [...(tree.children(path) ?? [])];
  const st = withStat ? statOrEmpty(tree, path) : null;
  return (w) => {
    w.vector(kids, (x, s) => x.ustring(s));
    if (st) writeStat(w, st);
  };
}

/** GetACLResponse: acl, stat. */
export function getAclBody(tree: DataTree, path: string, acl: ACL[]): Body {
  const st = statOrEmpty(tree, path);
  return (w) => {
    w.vector(acl, writeACL);
    writeStat(w, st);
  };
}

/** A single int (GetAllChildrenNumberResponse, ErrorResponse). */
export function intBody(n: number): Body {
  return (w) => void w.int(n);
}

/** A vector of strings (GetEphemeralsResponse). */
export function stringListBody(list: string[]): Body {
  return (w) => void w.vector(list, (x, s) => x.ustring(s));
}

/** A single path (SyncResponse, CreateResponse). */
export function pathBody(path: string): Body {
  return (w) => void w.ustring(path);
}

/** WhoAmIResponse: vector<ClientInfo{authScheme, user}>. */
export function whoAmIBody(infos: { authScheme: string; user: string }[]): Body {
  return (w) => void w.vector(infos, (x, c) => x.ustring(c.authScheme).ustring(c.user));
}

/** The response body of a successful single write. */
export function writeResponse(tree: DataTree, type: number, t: PreparedTxn): Body | null {
  const path = txnPath(t);
  switch (type) {
    case OpCode.create:
      return pathBody(path);
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer: {
      const st = statOrEmpty(tree, path);
      return (w) => {
        w.ustring(path);
        writeStat(w, st);
      };
    }
    case OpCode.setData:
    case OpCode.setACL:
      return statBody(tree, path);
  }
  return null;
}

/** MultiResponse: per-op results, then the done header {-1, true, -1}. */
export function multiResponse(tree: DataTree, t: PreparedTxn, errs: number[] | null): Body {
  const subs = t.type === OpCode.multi ? t.subs : [];
  const parts: Body[] = subs.map((s, i) => {
    if (errs) {
      const err = errs[i];
      return (w) => {
        writeMultiHeader(w, { type: OpCode.error, done: false, err });
        w.int(err);
      };
    }
    const path = txnPath(s);
    switch (s.type) {
      case OpCode.create:
        return (w) => {
          writeMultiHeader(w, { type: s.type, done: false, err: 0 });
          w.ustring(path);
        };
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer: {
        const st = statOrEmpty(tree, path);
        return (w) => {
          writeMultiHeader(w, { type: s.type, done: false, err: 0 });
          w.ustring(path);
          writeStat(w, st);
        };
      }
      case OpCode.setData: {
        const st = statOrEmpty(tree, path);
        return (w) => {
          writeMultiHeader(w, { type: s.type, done: false, err: 0 });
          writeStat(w, st);
        };
      }
      default: // delete, check: header only
        return (w) => writeMultiHeader(w, { type: s.type, done: false, err: 0 });
    }
  });
  return (w) => {
    for (const p of parts) p(w);
    writeMultiHeader(w, { type: -1, done: true, err: -1 });
  };
}

/** A multiRead result for one op. */
export interface MultiReadResult {
  type: number;
  err: number;
  path: string;
}

/** multiRead's MultiResponse: GetChildrenResult / GetDataResult / ErrorResult each. */
export function multiReadBody(tree: DataTree, results: MultiReadResult[]): Body {
  const parts: Body[] = results.map((res) => {
    if (res.err !== 0) {
      return (w) => {
        writeMultiHeader(w, { type: OpCode.error, done: false, err: res.err });
        w.int(res.err);
      };
    }
    if (res.type === OpCode.getData) {
      const body = getDataBody(tree, res.path);
      return (w) => {
        writeMultiHeader(w, { type: res.type, done: false, err: 0 });
        body(w);
      };
    }
    const body = childrenBody(tree, res.path, false);
    return (w) => {
      writeMultiHeader(w, { type: res.type, done: false, err: 0 });
      body(w);
    };
  });
  return (w) => {
    for (const p of parts) p(w);
    writeMultiHeader(w, { type: -1, done: true, err: -1 });
  };
}

/** The path a txn names ("" for session and error txns). */
function txnPath(t: PreparedTxn): string {
  const r = t.record as { path?: string } | null;
  return r?.path ?? "";
}

/** The TxnHeader of a txn. */
export function txnHeader(
  clientId: bigint,
  cxid: number,
  zxid: bigint,
  time: number,
  type: number,
): TxnHeader {
  return { clientId, cxid, zxid, time, type };
}
