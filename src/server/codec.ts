// The server's side of the client protocol: which jute record each op reads
// and which it answers with, plus the frames built from several records (the
// connect response with its trailing readOnly flag, replies, notifications,
// multi results). Every record's layout lives in src/jute; this file only
// composes them.
import type { ACL, Stat, StatPersisted } from "../jute/data.ts";
import { OpCode } from "../jute/constants.ts";
import {
  type MultiResult,
  readAddWatchRequest,
  readAuthPacket as readAuth,
  readCheckVersionRequest,
  readCheckWatchesRequest,
  readConnectRequest as readConnect,
  readCreateRequest,
  readCreateTTLRequest,
  readDeleteRequest,
  readExistsRequest,
  readGetACLRequest,
  readGetAllChildrenNumberRequest,
  readGetChildren2Request,
  readGetChildrenRequest,
  readGetDataRequest,
  readGetEphemeralsRequest,
  readMultiRequest,
  readRemoveWatchesRequest,
  readSetACLRequest,
  readSetDataRequest,
  readSetWatches,
  readSetWatches2,
  readSyncRequest,
  writeConnectResponse,
  writeCreate2Response,
  writeCreateResponse,
  writeErrorResponse,
  writeExistsResponse,
  writeGetACLResponse,
  writeGetAllChildrenNumberResponse,
  writeGetChildren2Response,
  writeGetChildrenResponse,
  writeGetDataResponse,
  writeGetEphemeralsResponse,
  writeMultiResponse,
  writeReplyHeader,
  writeSetACLResponse,
  writeSetDataResponse,
  writeSyncResponse,
  writeWatcherEvent,
  writeWhoAmIResponse,
} from "../jute/proto.ts";
import type { TxnHeader } from "../jute/txn.ts";
import { Reader } from "../jute/reader.ts";
import { bytesOf, Writer } from "../jute/writer.ts";
import type { ApplyResult } from "../data/apply.ts";
import type { DataTree } from "../data/tree.ts";
import type { MultiOp, PreparedTxn, WriteRequest } from "./prep.ts";
import { nodeKind } from "../data/node_kind.ts";

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

/**
 * One reply frame, its 4-byte length prefix included (a single allocation: the
 * bytes are built in the scratch writer bytesOf lends, then copied out).
 */
export function replyFrame(xid: number, zxid: bigint, err: number, body: Body | null): Uint8Array {
  return bytesOf((w) => {
    writeReplyHeader(w.int(0), { xid, zxid, err });
    if (body) body(w);
    w.patchInt(0, w.pos - 4);
  });
}

/** A watch notification frame, length prefix included: xid -1, zxid -1, then the WatcherEvent. */
export function notificationFrame(type: number, state: number, path: string): Uint8Array {
  return bytesOf((w) => {
    writeReplyHeader(w.int(0), { xid: -1, zxid: -1n, err: 0 });
    writeWatcherEvent(w, { type, state, path });
    w.patchInt(0, w.pos - 4);
  });
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

/** MultiOperationRecord of a write multi; a read op in it is a decode error (3.8 fails the request). */
export function readMultiOps(r: Reader): MultiOp[] {
  return readMultiRequest(r).map((op): MultiOp => {
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return multiCreate(op.type, op.request as CreateLike);
      case OpCode.delete:
        return {
          type: op.type,
          req: { type: 2, path: op.request.path, version: op.request.version },
        };
      case OpCode.setData: {
        const q = op.request;
        return { type: op.type, req: { type: 5, path: q.path, data: q.data, version: q.version } };
      }
      case OpCode.check:
        return {
          type: op.type,
          req: { type: 13, path: op.request.path, version: op.request.version },
        };
    }
    r.fail(`invalid op type ${op.type} in a multi`);
  });
}

/** The fields of a CreateRequest / CreateTTLRequest. */
export interface CreateLike {
  path: string;
  data: Uint8Array | null;
  acl: ACL[] | null;
  flags: number;
  ttl?: bigint;
}

/**
 * A create inside a multi runs as the op its flags name, whatever its wire
 * type (3.8's Op.create): TTL modes as createTTL, CONTAINER as createContainer,
 * anything else as create (so a create2 answers with a path only). A TTL mode
 * sent without a TTL record fails the whole multi with MarshallingError.
 */
export function multiCreate(wireType: number, c: CreateLike): MultiOp {
  if (c.flags === 5 || c.flags === 6) {
    if (wireType !== OpCode.createTTL) {
      return { type: OpCode.createTTL, req: null, failsMulti: true };
    }
    return { type: OpCode.createTTL, req: createOf(OpCode.createTTL, c) };
  }
  const type = c.flags === 4 ? OpCode.createContainer : OpCode.create;
  return { type, req: createOf(type, c) };
}

function createOf(type: number, c: CreateLike): WriteRequest {
  if (type === OpCode.createTTL) {
    return { type: 21, path: c.path, data: c.data, acl: c.acl, flags: c.flags, ttl: c.ttl ?? -1n };
  }
  return { type: type as 1 | 15 | 19, path: c.path, data: c.data, acl: c.acl, flags: c.flags };
}

/** A read op of a multiRead. */
export interface MultiReadOp {
  type: number;
  path: string;
  watch: boolean;
}

/** multiRead's ops: getChildren/getData only. */
export function readMultiReadOps(r: Reader): MultiReadOp[] | "writes" {
  const ops = readMultiRequest(r);
  const isRead = (t: number) => t === OpCode.getChildren || t === OpCode.getData;
  const reads = ops.filter((op) => isRead(op.type)).length;
  // 3.8's MultiOperationRecord refuses to mix reads and writes while decoding;
  // write ops alone decode, and fail only when multiRead meets the first one.
  if (reads > 0 && reads < ops.length) r.fail("a multiRead mixing read and write ops");
  if (reads < ops.length) return "writes";
  return ops.map((op) => {
    const q = op.request as { path: string; watch: boolean };
    return { type: op.type, path: q.path, watch: q.watch };
  });
}

/** exists/getData/getChildren/getChildren2 requests: (path, watch). */
export function readPathWatch(type: number, r: Reader): { path: string; watch: boolean } {
  switch (type) {
    case OpCode.exists:
      return readExistsRequest(r);
    case OpCode.getData:
      return readGetDataRequest(r);
    case OpCode.getChildren2:
      return readGetChildren2Request(r);
  }
  return readGetChildrenRequest(r);
}

/** The path of getACL / sync / getAllChildrenNumber / getEphemerals (its prefixPath). */
export function readPath(type: number, r: Reader): string {
  switch (type) {
    case OpCode.getACL:
      return readGetACLRequest(r).path;
    case OpCode.sync:
      return readSyncRequest(r).path;
    case OpCode.getAllChildrenNumber:
      return readGetAllChildrenNumberRequest(r).path;
  }
  return readGetEphemeralsRequest(r).prefixPath;
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
  return fullStat(n.stat, n.data?.length ?? 0, n.numChildren, tree.extendedTypes);
}

/**
 * StatPersisted → the Stat clients see (DataNode.copyStat): cversion counts
 * changes (creates × 2 − children still present), and containers and TTL nodes
 * show ephemeralOwner 0. Which owners are TTL depends on extendedTypes
 * (zookeeper.extendedTypesEnabled), so the caller says.
 */
export function fullStat(
  s: StatPersisted,
  dataLength: number,
  numChildren: number,
  extendedTypes: boolean,
): Stat {
  const kind = nodeKind(s.ephemeralOwner, extendedTypes);
  return {
    czxid: s.czxid,
    mzxid: s.mzxid,
    ctime: s.ctime,
    mtime: s.mtime,
    version: s.version,
    cversion: (s.cversion * 2 - numChildren) | 0,
    aversion: s.aversion,
    ephemeralOwner: kind === "ephemeral" ? s.ephemeralOwner : 0n,
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
  false,
);

function statOrEmpty(tree: DataTree, path: string): Stat {
  return statOf(tree, path) ?? EMPTY_STAT;
}

/** ExistsResponse / SetDataResponse / SetACLResponse: a Stat. */
export function statBody(tree: DataTree, path: string, type: number = OpCode.exists): Body {
  const stat = statOrEmpty(tree, path);
  if (type === OpCode.setData) return (w) => writeSetDataResponse(w, { stat });
  if (type === OpCode.setACL) return (w) => writeSetACLResponse(w, { stat });
  return (w) => writeExistsResponse(w, { stat });
}

/** GetDataResponse: data, stat. */
export function getDataBody(tree: DataTree, path: string): Body {
  const data = tree.get(path)?.data ?? null;
  const stat = statOrEmpty(tree, path);
  return (w) => writeGetDataResponse(w, { data, stat });
}

/** GetChildrenResponse / GetChildren2Response. */
export function childrenBody(
  tree: DataTree,
  path: string,
  withStat: boolean,
  children: string[] = tree.childNames(path) ?? [],
): Body {
  if (!withStat) return (w) => writeGetChildrenResponse(w, { children });
  const stat = statOrEmpty(tree, path);
  return (w) => writeGetChildren2Response(w, { children, stat });
}

/** GetACLResponse: acl, stat. */
export function getAclBody(tree: DataTree, path: string, acl: ACL[]): Body {
  const stat = statOrEmpty(tree, path);
  return (w) => writeGetACLResponse(w, { acl, stat });
}

/** GetAllChildrenNumberResponse. */
export function allChildrenBody(totalNumber: number): Body {
  return (w) => writeGetAllChildrenNumberResponse(w, { totalNumber });
}

/** ErrorResponse (addWatch answers with ErrorResponse(0)). */
export function errorBody(err: number): Body {
  return (w) => writeErrorResponse(w, { err });
}

/** GetEphemeralsResponse. */
export function ephemeralsBody(ephemerals: string[]): Body {
  return (w) => writeGetEphemeralsResponse(w, { ephemerals });
}

/** SyncResponse. */
export function syncBody(path: string): Body {
  return (w) => writeSyncResponse(w, { path });
}

/** WhoAmIResponse: vector<ClientInfo{authScheme, user}>. */
export function whoAmIBody(clientInfo: { authScheme: string; user: string }[]): Body {
  return (w) => writeWhoAmIResponse(w, { clientInfo });
}

/** The response body of a successful single write. */
export function writeResponse(
  tree: DataTree,
  type: number,
  t: PreparedTxn,
  applied?: ApplyResult,
): Body | null {
  const path = txnPath(t);
  switch (type) {
    case OpCode.create:
      return (w) => writeCreateResponse(w, { path });
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer: {
      const at = applied?.statAt;
      const stat = at
        ? fullStat(at.stat, at.dataLength, at.numChildren, tree.extendedTypes)
        : statOrEmpty(tree, path);
      return (w) => writeCreate2Response(w, { path, stat });
    }
    case OpCode.setData:
    case OpCode.setACL:
      return statBody(tree, path, type);
  }
  return null;
}

/**
 * MultiResponse of a write multi. 3.8 answers create with CreateResult(path)
 * and create2/createTTL/createContainer with CreateResult(path, stat) (type create2).
 */
export function multiResponse(
  tree: DataTree,
  t: PreparedTxn,
  errs: number[] | null,
  applied: readonly ApplyResult[] = [],
): Body {
  const subs = t.type === OpCode.multi ? t.subs : [];
  const results: MultiResult[] = subs.map((s, i): MultiResult => {
    if (errs) return { type: OpCode.error, response: { err: errs[i] } };
    const path = txnPath(s);
    // Each sub-op answers with its node's stat as it was right after that sub-op.
    const at = applied[i]?.statAt;
    const stat = () =>
      at
        ? fullStat(at.stat, at.dataLength, at.numChildren, tree.extendedTypes)
        : statOrEmpty(tree, path);
    switch (s.type) {
      case OpCode.create:
        return { type: OpCode.create, response: { path } };
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        return { type: OpCode.create2, response: { path, stat: stat() } };
      case OpCode.setData:
        return { type: OpCode.setData, response: { stat: stat() } };
      case OpCode.delete:
      case OpCode.deleteContainer:
        return { type: OpCode.delete };
      default:
        return { type: OpCode.check };
    }
  });
  return (w) => writeMultiResponse(w, results);
}

/** A multiRead result for one op. */
export interface MultiReadResult {
  type: number;
  err: number;
  path: string;
}

/** multiRead's MultiResponse: GetChildrenResult / GetDataResult / ErrorResult each. */
export function multiReadBody(
  tree: DataTree,
  results: MultiReadResult[],
  childrenOf: (path: string) => string[],
): Body {
  const out: MultiResult[] = results.map((res): MultiResult => {
    if (res.err !== 0) return { type: OpCode.error, response: { err: res.err } };
    const n = tree.get(res.path);
    if (res.type === OpCode.getData) {
      return {
        type: OpCode.getData,
        response: { data: n?.data ?? null, stat: statOrEmpty(tree, res.path) },
      };
    }
    return { type: OpCode.getChildren, response: { children: n ? childrenOf(res.path) : [] } };
  });
  return (w) => writeMultiResponse(w, out);
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
