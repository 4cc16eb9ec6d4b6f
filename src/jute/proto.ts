// Records of zookeeper.jute's module org.apache.zookeeper.proto (the client
// protocol), plus the framing of multi requests and responses. Pattern: see
// mod.ts (interface + readX/writeX per record).
import { OpCode } from "./constants.ts";
import {
  type ACL,
  type ClientInfo,
  readACLs,
  readClientInfo,
  readStat,
  type Stat,
  writeACLs,
  writeClientInfo,
  writeStat,
} from "./data.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

function readStrings(r: Reader): string[] | null {
  return r.vector((x) => x.string());
}

function writeStrings(w: Writer, v: readonly string[] | null): void {
  w.vector(v, (x, s) => x.ustring(s));
}

// --- session establishment -------------------------------------------------

/** The first frame a client sends. `readOnly` is absent from old clients. */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly?: boolean;
}

/** Reads a ConnectRequest; the trailing readOnly flag only when present. */
export function readConnectRequest(r: Reader): ConnectRequest {
  const v: ConnectRequest = {
    protocolVersion: r.int(),
    lastZxidSeen: r.long(),
    timeOut: r.int(),
    sessionId: r.long(),
    passwd: r.buffer(),
  };
  if (r.remaining > 0) v.readOnly = r.boolean();
  return v;
}

/** Writes a ConnectRequest (readOnly only when set). */
export function writeConnectRequest(w: Writer, v: ConnectRequest): void {
  w.int(v.protocolVersion).long(v.lastZxidSeen).int(v.timeOut).long(v.sessionId).buffer(v.passwd);
  if (v.readOnly !== undefined) w.boolean(v.readOnly);
}

/** The server's answer to ConnectRequest. */
export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  readOnly?: boolean;
}

/** Reads a ConnectResponse; the trailing readOnly flag only when present. */
export function readConnectResponse(r: Reader): ConnectResponse {
  const v: ConnectResponse = {
    protocolVersion: r.int(),
    timeOut: r.int(),
    sessionId: r.long(),
    passwd: r.buffer(),
  };
  if (r.remaining > 0) v.readOnly = r.boolean();
  return v;
}

/** Writes a ConnectResponse (readOnly only when set). */
export function writeConnectResponse(w: Writer, v: ConnectResponse): void {
  w.int(v.protocolVersion).int(v.timeOut).long(v.sessionId).buffer(v.passwd);
  if (v.readOnly !== undefined) w.boolean(v.readOnly);
}

// --- framing -----------------------------------------------------------------

/** Precedes every request body. */
export interface RequestHeader {
  xid: number;
  type: number;
}

/** Reads a RequestHeader. */
export function readRequestHeader(r: Reader): RequestHeader {
  return { xid: r.int(), type: r.int() };
}

/** Writes a RequestHeader. */
export function writeRequestHeader(w: Writer, v: RequestHeader): void {
  w.int(v.xid).int(v.type);
}

/** Precedes every reply body. */
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

/** Reads a ReplyHeader. */
export function readReplyHeader(r: Reader): ReplyHeader {
  return { xid: r.int(), zxid: r.long(), err: r.int() };
}

/** Writes a ReplyHeader. */
export function writeReplyHeader(w: Writer, v: ReplyHeader): void {
  w.int(v.xid).long(v.zxid).int(v.err);
}

/** Separates the ops of a multi request/response; type -1 with done=true ends it. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}

/** Reads a MultiHeader. */
export function readMultiHeader(r: Reader): MultiHeader {
  return { type: r.int(), done: r.boolean(), err: r.int() };
}

/** Writes a MultiHeader. */
export function writeMultiHeader(w: Writer, v: MultiHeader): void {
  w.int(v.type).boolean(v.done).int(v.err);
}

/** The MultiHeader that ends a multi. */
export const MULTI_END: MultiHeader = { type: -1, done: true, err: -1 };

/** An auth request (xid -4). */
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}

/** Reads an AuthPacket. */
export function readAuthPacket(r: Reader): AuthPacket {
  return { type: r.int(), scheme: r.string(), auth: r.buffer() };
}

/** Writes an AuthPacket. */
export function writeAuthPacket(w: Writer, v: AuthPacket): void {
  w.int(v.type).ustring(v.scheme).buffer(v.auth);
}

/** A watch notification (xid -1). */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

/** Reads a WatcherEvent. */
export function readWatcherEvent(r: Reader): WatcherEvent {
  return { type: r.int(), state: r.int(), path: r.string() };
}

/** Writes a WatcherEvent. */
export function writeWatcherEvent(w: Writer, v: WatcherEvent): void {
  w.int(v.type).int(v.state).ustring(v.path);
}

// --- requests ----------------------------------------------------------------

/** create / create2 / createContainer. */
export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: ACL[] | null;
  flags: number;
}

/** Reads a CreateRequest. */
export function readCreateRequest(r: Reader): CreateRequest {
  return { path: r.string(), data: r.buffer(), acl: readACLs(r), flags: r.int() };
}

/** Writes a CreateRequest. */
export function writeCreateRequest(w: Writer, v: CreateRequest): void {
  w.ustring(v.path).buffer(v.data);
  writeACLs(w, v.acl);
  w.int(v.flags);
}

/** createTTL. */
export interface CreateTTLRequest extends CreateRequest {
  ttl: bigint;
}

/** Reads a CreateTTLRequest. */
export function readCreateTTLRequest(r: Reader): CreateTTLRequest {
  return { ...readCreateRequest(r), ttl: r.long() };
}

/** Writes a CreateTTLRequest. */
export function writeCreateTTLRequest(w: Writer, v: CreateTTLRequest): void {
  writeCreateRequest(w, v);
  w.long(v.ttl);
}

/** setData. */
export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}

/** Reads a SetDataRequest. */
export function readSetDataRequest(r: Reader): SetDataRequest {
  return { path: r.string(), data: r.buffer(), version: r.int() };
}

/** Writes a SetDataRequest. */
export function writeSetDataRequest(w: Writer, v: SetDataRequest): void {
  w.ustring(v.path).buffer(v.data).int(v.version);
}

/** setACL. */
export interface SetACLRequest {
  path: string;
  acl: ACL[] | null;
  version: number;
}

/** Reads a SetACLRequest. */
export function readSetACLRequest(r: Reader): SetACLRequest {
  return { path: r.string(), acl: readACLs(r), version: r.int() };
}

/** Writes a SetACLRequest. */
export function writeSetACLRequest(w: Writer, v: SetACLRequest): void {
  w.ustring(v.path);
  writeACLs(w, v.acl);
  w.int(v.version);
}

/** reconfig. */
export interface ReconfigRequest {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}

/** Reads a ReconfigRequest. */
export function readReconfigRequest(r: Reader): ReconfigRequest {
  return {
    joiningServers: r.ustring(),
    leavingServers: r.ustring(),
    newMembers: r.ustring(),
    curConfigId: r.long(),
  };
}

/** Writes a ReconfigRequest. */
export function writeReconfigRequest(w: Writer, v: ReconfigRequest): void {
  w.ustring(v.joiningServers).ustring(v.leavingServers).ustring(v.newMembers).long(v.curConfigId);
}

/** setWatches (3.5 clients). */
export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: string[] | null;
  existWatches: string[] | null;
  childWatches: string[] | null;
}

/** Reads a SetWatches. */
export function readSetWatches(r: Reader): SetWatches {
  return {
    relativeZxid: r.long(),
    dataWatches: readStrings(r),
    existWatches: readStrings(r),
    childWatches: readStrings(r),
  };
}

/** Writes a SetWatches. */
export function writeSetWatches(w: Writer, v: SetWatches): void {
  w.long(v.relativeZxid);
  writeStrings(w, v.dataWatches);
  writeStrings(w, v.existWatches);
  writeStrings(w, v.childWatches);
}

/** setWatches2 (3.6+ clients, with persistent watches). */
export interface SetWatches2 extends SetWatches {
  persistentWatches: string[] | null;
  persistentRecursiveWatches: string[] | null;
}

/** Reads a SetWatches2. */
export function readSetWatches2(r: Reader): SetWatches2 {
  return {
    ...readSetWatches(r),
    persistentWatches: readStrings(r),
    persistentRecursiveWatches: readStrings(r),
  };
}

/** Writes a SetWatches2. */
export function writeSetWatches2(w: Writer, v: SetWatches2): void {
  writeSetWatches(w, v);
  writeStrings(w, v.persistentWatches);
  writeStrings(w, v.persistentRecursiveWatches);
}

// --- records with plain fields -------------------------------------------------

/** getData. */
export interface GetDataRequest {
  path: string;
  watch: boolean;
}

/** Reads a GetDataRequest. */
export function readGetDataRequest(r: Reader): GetDataRequest {
  return { path: r.string(), watch: r.boolean() };
}

/** Writes a GetDataRequest. */
export function writeGetDataRequest(w: Writer, v: GetDataRequest): void {
  w.ustring(v.path);
  w.boolean(v.watch);
}

/** exists. */
export interface ExistsRequest {
  path: string;
  watch: boolean;
}

/** Reads an ExistsRequest. */
export function readExistsRequest(r: Reader): ExistsRequest {
  return { path: r.string(), watch: r.boolean() };
}

/** Writes an ExistsRequest. */
export function writeExistsRequest(w: Writer, v: ExistsRequest): void {
  w.ustring(v.path);
  w.boolean(v.watch);
}

/** getChildren. */
export interface GetChildrenRequest {
  path: string;
  watch: boolean;
}

/** Reads a GetChildrenRequest. */
export function readGetChildrenRequest(r: Reader): GetChildrenRequest {
  return { path: r.string(), watch: r.boolean() };
}

/** Writes a GetChildrenRequest. */
export function writeGetChildrenRequest(w: Writer, v: GetChildrenRequest): void {
  w.ustring(v.path);
  w.boolean(v.watch);
}

/** getChildren2. */
export interface GetChildren2Request {
  path: string;
  watch: boolean;
}

/** Reads a GetChildren2Request. */
export function readGetChildren2Request(r: Reader): GetChildren2Request {
  return { path: r.string(), watch: r.boolean() };
}

/** Writes a GetChildren2Request. */
export function writeGetChildren2Request(w: Writer, v: GetChildren2Request): void {
  w.ustring(v.path);
  w.boolean(v.watch);
}

/** delete. */
export interface DeleteRequest {
  path: string;
  version: number;
}

/** Reads a DeleteRequest. */
export function readDeleteRequest(r: Reader): DeleteRequest {
  return { path: r.string(), version: r.int() };
}

/** Writes a DeleteRequest. */
export function writeDeleteRequest(w: Writer, v: DeleteRequest): void {
  w.ustring(v.path);
  w.int(v.version);
}

/** check (inside a multi). */
export interface CheckVersionRequest {
  path: string;
  version: number;
}

/** Reads a CheckVersionRequest. */
export function readCheckVersionRequest(r: Reader): CheckVersionRequest {
  return { path: r.string(), version: r.int() };
}

/** Writes a CheckVersionRequest. */
export function writeCheckVersionRequest(w: Writer, v: CheckVersionRequest): void {
  w.ustring(v.path);
  w.int(v.version);
}

/** getAllChildrenNumber. */
export interface GetAllChildrenNumberRequest {
  path: string;
}

/** Reads a GetAllChildrenNumberRequest. */
export function readGetAllChildrenNumberRequest(r: Reader): GetAllChildrenNumberRequest {
  return { path: r.string() };
}

/** Writes a GetAllChildrenNumberRequest. */
export function writeGetAllChildrenNumberRequest(w: Writer, v: GetAllChildrenNumberRequest): void {
  w.ustring(v.path);
}

/** getMaxChildren (obsolete, still in the schema). */
export interface GetMaxChildrenRequest {
  path: string;
}

/** Reads a GetMaxChildrenRequest. */
export function readGetMaxChildrenRequest(r: Reader): GetMaxChildrenRequest {
  return { path: r.string() };
}

/** Writes a GetMaxChildrenRequest. */
export function writeGetMaxChildrenRequest(w: Writer, v: GetMaxChildrenRequest): void {
  w.ustring(v.path);
}

/** setMaxChildren (obsolete, still in the schema). */
export interface SetMaxChildrenRequest {
  path: string;
  max: number;
}

/** Reads a SetMaxChildrenRequest. */
export function readSetMaxChildrenRequest(r: Reader): SetMaxChildrenRequest {
  return { path: r.string(), max: r.int() };
}

/** Writes a SetMaxChildrenRequest. */
export function writeSetMaxChildrenRequest(w: Writer, v: SetMaxChildrenRequest): void {
  w.ustring(v.path);
  w.int(v.max);
}

/** sync. */
export interface SyncRequest {
  path: string;
}

/** Reads a SyncRequest. */
export function readSyncRequest(r: Reader): SyncRequest {
  return { path: r.string() };
}

/** Writes a SyncRequest. */
export function writeSyncRequest(w: Writer, v: SyncRequest): void {
  w.ustring(v.path);
}

/** getACL. */
export interface GetACLRequest {
  path: string;
}

/** Reads a GetACLRequest. */
export function readGetACLRequest(r: Reader): GetACLRequest {
  return { path: r.string() };
}

/** Writes a GetACLRequest. */
export function writeGetACLRequest(w: Writer, v: GetACLRequest): void {
  w.ustring(v.path);
}

/** addWatch; mode is an AddWatchMode. */
export interface AddWatchRequest {
  path: string;
  mode: number;
}

/** Reads an AddWatchRequest. */
export function readAddWatchRequest(r: Reader): AddWatchRequest {
  return { path: r.string(), mode: r.int() };
}

/** Writes an AddWatchRequest. */
export function writeAddWatchRequest(w: Writer, v: AddWatchRequest): void {
  w.ustring(v.path);
  w.int(v.mode);
}

/** checkWatches; type is a WatcherType. */
export interface CheckWatchesRequest {
  path: string;
  type: number;
}

/** Reads a CheckWatchesRequest. */
export function readCheckWatchesRequest(r: Reader): CheckWatchesRequest {
  return { path: r.string(), type: r.int() };
}

/** Writes a CheckWatchesRequest. */
export function writeCheckWatchesRequest(w: Writer, v: CheckWatchesRequest): void {
  w.ustring(v.path);
  w.int(v.type);
}

/** removeWatches; type is a WatcherType. */
export interface RemoveWatchesRequest {
  path: string;
  type: number;
}

/** Reads a RemoveWatchesRequest. */
export function readRemoveWatchesRequest(r: Reader): RemoveWatchesRequest {
  return { path: r.string(), type: r.int() };
}

/** Writes a RemoveWatchesRequest. */
export function writeRemoveWatchesRequest(w: Writer, v: RemoveWatchesRequest): void {
  w.ustring(v.path);
  w.int(v.type);
}

/** getEphemerals: the session's ephemerals under a path prefix. */
export interface GetEphemeralsRequest {
  prefixPath: string;
}

/** Reads a GetEphemeralsRequest. */
export function readGetEphemeralsRequest(r: Reader): GetEphemeralsRequest {
  return { prefixPath: r.string() };
}

/** Writes a GetEphemeralsRequest. */
export function writeGetEphemeralsRequest(w: Writer, v: GetEphemeralsRequest): void {
  w.ustring(v.prefixPath);
}

/** A SASL token from the client. */
export interface GetSASLRequest {
  token: Uint8Array | null;
}

/** Reads a GetSASLRequest. */
export function readGetSASLRequest(r: Reader): GetSASLRequest {
  return { token: r.buffer() };
}

/** Writes a GetSASLRequest. */
export function writeGetSASLRequest(w: Writer, v: GetSASLRequest): void {
  w.buffer(v.token);
}

/** A SASL token (unused by 3.8's client). */
export interface SetSASLRequest {
  token: Uint8Array | null;
}

/** Reads a SetSASLRequest. */
export function readSetSASLRequest(r: Reader): SetSASLRequest {
  return { token: r.buffer() };
}

/** Writes a SetSASLRequest. */
export function writeSetSASLRequest(w: Writer, v: SetSASLRequest): void {
  w.buffer(v.token);
}

/** The server's SASL challenge. */
export interface SetSASLResponse {
  token: Uint8Array | null;
}

/** Reads a SetSASLResponse. */
export function readSetSASLResponse(r: Reader): SetSASLResponse {
  return { token: r.buffer() };
}

/** Writes a SetSASLResponse. */
export function writeSetSASLResponse(w: Writer, v: SetSASLResponse): void {
  w.buffer(v.token);
}

/** setData response. */
export interface SetDataResponse {
  stat: Stat;
}

/** Reads a SetDataResponse. */
export function readSetDataResponse(r: Reader): SetDataResponse {
  return { stat: readStat(r) };
}

/** Writes a SetDataResponse. */
export function writeSetDataResponse(w: Writer, v: SetDataResponse): void {
  writeStat(w, v.stat);
}

/** setACL response. */
export interface SetACLResponse {
  stat: Stat;
}

/** Reads a SetACLResponse. */
export function readSetACLResponse(r: Reader): SetACLResponse {
  return { stat: readStat(r) };
}

/** Writes a SetACLResponse. */
export function writeSetACLResponse(w: Writer, v: SetACLResponse): void {
  writeStat(w, v.stat);
}

/** exists response. */
export interface ExistsResponse {
  stat: Stat;
}

/** Reads an ExistsResponse. */
export function readExistsResponse(r: Reader): ExistsResponse {
  return { stat: readStat(r) };
}

/** Writes an ExistsResponse. */
export function writeExistsResponse(w: Writer, v: ExistsResponse): void {
  writeStat(w, v.stat);
}

/** sync response. */
export interface SyncResponse {
  path: string;
}

/** Reads a SyncResponse. */
export function readSyncResponse(r: Reader): SyncResponse {
  return { path: r.string() };
}

/** Writes a SyncResponse. */
export function writeSyncResponse(w: Writer, v: SyncResponse): void {
  w.ustring(v.path);
}

/** The body of a failed op inside a multi response. */
export interface ErrorResponse {
  err: number;
}

/** Reads an ErrorResponse. */
export function readErrorResponse(r: Reader): ErrorResponse {
  return { err: r.int() };
}

/** Writes an ErrorResponse. */
export function writeErrorResponse(w: Writer, v: ErrorResponse): void {
  w.int(v.err);
}

/** create response: the created path (with sequence suffix). */
export interface CreateResponse {
  path: string;
}

/** Reads a CreateResponse. */
export function readCreateResponse(r: Reader): CreateResponse {
  return { path: r.string() };
}

/** Writes a CreateResponse. */
export function writeCreateResponse(w: Writer, v: CreateResponse): void {
  w.ustring(v.path);
}

/** create2/createContainer/createTTL response. */
export interface Create2Response {
  path: string;
  stat: Stat;
}

/** Reads a Create2Response. */
export function readCreate2Response(r: Reader): Create2Response {
  return { path: r.string(), stat: readStat(r) };
}

/** Writes a Create2Response. */
export function writeCreate2Response(w: Writer, v: Create2Response): void {
  w.ustring(v.path);
  writeStat(w, v.stat);
}

/** getData response. */
export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}

/** Reads a GetDataResponse. */
export function readGetDataResponse(r: Reader): GetDataResponse {
  return { data: r.buffer(), stat: readStat(r) };
}

/** Writes a GetDataResponse. */
export function writeGetDataResponse(w: Writer, v: GetDataResponse): void {
  w.buffer(v.data);
  writeStat(w, v.stat);
}

/** getChildren response. */
export interface GetChildrenResponse {
  children: string[] | null;
}

/** Reads a GetChildrenResponse. */
export function readGetChildrenResponse(r: Reader): GetChildrenResponse {
  return { children: readStrings(r) };
}

/** Writes a GetChildrenResponse. */
export function writeGetChildrenResponse(w: Writer, v: GetChildrenResponse): void {
  writeStrings(w, v.children);
}

/** getChildren2 response. */
export interface GetChildren2Response {
  children: string[] | null;
  stat: Stat;
}

/** Reads a GetChildren2Response. */
export function readGetChildren2Response(r: Reader): GetChildren2Response {
  return { children: readStrings(r), stat: readStat(r) };
}

/** Writes a GetChildren2Response. */
export function writeGetChildren2Response(w: Writer, v: GetChildren2Response): void {
  writeStrings(w, v.children);
  writeStat(w, v.stat);
}

/** getAllChildrenNumber response. */
export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}

/** Reads a GetAllChildrenNumberResponse. */
export function readGetAllChildrenNumberResponse(r: Reader): GetAllChildrenNumberResponse {
  return { totalNumber: r.int() };
}

/** Writes a GetAllChildrenNumberResponse. */
export function writeGetAllChildrenNumberResponse(
  w: Writer,
  v: GetAllChildrenNumberResponse,
): void {
  w.int(v.totalNumber);
}

/** getMaxChildren response. */
export interface GetMaxChildrenResponse {
  max: number;
}

/** Reads a GetMaxChildrenResponse. */
export function readGetMaxChildrenResponse(r: Reader): GetMaxChildrenResponse {
  return { max: r.int() };
}

/** Writes a GetMaxChildrenResponse. */
export function writeGetMaxChildrenResponse(w: Writer, v: GetMaxChildrenResponse): void {
  w.int(v.max);
}

/** getACL response. */
export interface GetACLResponse {
  acl: ACL[] | null;
  stat: Stat;
}

/** Reads a GetACLResponse. */
export function readGetACLResponse(r: Reader): GetACLResponse {
  return { acl: readACLs(r), stat: readStat(r) };
}

/** Writes a GetACLResponse. */
export function writeGetACLResponse(w: Writer, v: GetACLResponse): void {
  writeACLs(w, v.acl);
  writeStat(w, v.stat);
}

/** getEphemerals response. */
export interface GetEphemeralsResponse {
  ephemerals: string[] | null;
}

/** Reads a GetEphemeralsResponse. */
export function readGetEphemeralsResponse(r: Reader): GetEphemeralsResponse {
  return { ephemerals: readStrings(r) };
}

/** Writes a GetEphemeralsResponse. */
export function writeGetEphemeralsResponse(w: Writer, v: GetEphemeralsResponse): void {
  writeStrings(w, v.ephemerals);
}

/** whoAmI response: the client's authenticated identities. */
export interface WhoAmIResponse {
  clientInfo: ClientInfo[] | null;
}

/** Reads a WhoAmIResponse. */
export function readWhoAmIResponse(r: Reader): WhoAmIResponse {
  return { clientInfo: r.vector(readClientInfo) };
}

/** Writes a WhoAmIResponse. */
export function writeWhoAmIResponse(w: Writer, v: WhoAmIResponse): void {
  w.vector(v.clientInfo, writeClientInfo);
}

// --- multi framing -------------------------------------------------------------
// A multi request/response body is a run of (MultiHeader, record) pairs closed
// by a MultiHeader with done=true (written as type -1, done true, err -1).
// Reading stops at the first done header, whatever its type, as ZooKeeper does.

/** One op of a multi request (multi or multiRead), by op code. */
export type MultiOp =
  | {
    type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
    request: CreateRequest;
  }
  | { type: typeof OpCode.createTTL; request: CreateTTLRequest }
  | { type: typeof OpCode.delete; request: DeleteRequest }
  | { type: typeof OpCode.setData; request: SetDataRequest }
  | { type: typeof OpCode.check; request: CheckVersionRequest }
  | { type: typeof OpCode.getChildren; request: GetChildrenRequest }
  | { type: typeof OpCode.getData; request: GetDataRequest };

/** Reads the body of a multi/multiRead request; an op type ZooKeeper does not allow is a DecodeError. */
export function readMultiRequest(r: Reader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const at = r.pos;
    const h = readMultiHeader(r);
    if (h.done) return ops;
    switch (h.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        ops.push({ type: h.type, request: readCreateRequest(r) });
        break;
      case OpCode.createTTL:
        ops.push({ type: h.type, request: readCreateTTLRequest(r) });
        break;
      case OpCode.delete:
        ops.push({ type: h.type, request: readDeleteRequest(r) });
        break;
      case OpCode.setData:
        ops.push({ type: h.type, request: readSetDataRequest(r) });
        break;
      case OpCode.check:
        ops.push({ type: h.type, request: readCheckVersionRequest(r) });
        break;
      case OpCode.getChildren:
        ops.push({ type: h.type, request: readGetChildrenRequest(r) });
        break;
      case OpCode.getData:
        ops.push({ type: h.type, request: readGetDataRequest(r) });
        break;
      default:
        r.pos = at;
        r.fail(`invalid op type ${h.type} in a multi request`);
    }
  }
}

/** Writes the body of a multi/multiRead request, end marker included. */
export function writeMultiRequest(w: Writer, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    writeMultiHeader(w, { type: op.type, done: false, err: -1 });
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        writeCreateRequest(w, op.request);
        break;
      case OpCode.createTTL:
        writeCreateTTLRequest(w, op.request);
        break;
      case OpCode.delete:
        writeDeleteRequest(w, op.request);
        break;
      case OpCode.setData:
        writeSetDataRequest(w, op.request);
        break;
      case OpCode.check:
        writeCheckVersionRequest(w, op.request);
        break;
      case OpCode.getChildren:
        writeGetChildrenRequest(w, op.request);
        break;
      case OpCode.getData:
        writeGetDataRequest(w, op.request);
        break;
    }
  }
  writeMultiHeader(w, MULTI_END);
}

/** One result of a multi response, by op code (delete and check carry no body). */
export type MultiResult =
  | { type: typeof OpCode.create; response: CreateResponse }
  | { type: typeof OpCode.create2; response: Create2Response }
  | { type: typeof OpCode.delete | typeof OpCode.check }
  | { type: typeof OpCode.setData; response: SetDataResponse }
  | { type: typeof OpCode.getChildren; response: GetChildrenResponse }
  | { type: typeof OpCode.getData; response: GetDataResponse }
  | { type: typeof OpCode.error; response: ErrorResponse };

/** Reads the body of a multi/multiRead response. */
export function readMultiResponse(r: Reader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const at = r.pos;
    const h = readMultiHeader(r);
    if (h.done) return results;
    switch (h.type) {
      case OpCode.create:
        results.push({ type: h.type, response: readCreateResponse(r) });
        break;
      case OpCode.create2:
        results.push({ type: h.type, response: readCreate2Response(r) });
        break;
      case OpCode.delete:
      case OpCode.check:
        results.push({ type: h.type });
        break;
      case OpCode.setData:
        results.push({ type: h.type, response: readSetDataResponse(r) });
        break;
      case OpCode.getChildren:
        results.push({ type: h.type, response: readGetChildrenResponse(r) });
        break;
      case OpCode.getData:
        results.push({ type: h.type, response: readGetDataResponse(r) });
        break;
      case OpCode.error:
        results.push({ type: h.type, response: readErrorResponse(r) });
        break;
      default:
        r.pos = at;
        r.fail(`invalid result type ${h.type} in a multi response`);
    }
  }
}

/** Writes the body of a multi/multiRead response; an error result's code also goes in its header. */
export function writeMultiResponse(w: Writer, results: readonly MultiResult[]): void {
  for (const res of results) {
    const err = res.type === OpCode.error ? res.response.err : 0;
    writeMultiHeader(w, { type: res.type, done: false, err });
    switch (res.type) {
      case OpCode.create:
        writeCreateResponse(w, res.response);
        break;
      case OpCode.create2:
        writeCreate2Response(w, res.response);
        break;
      case OpCode.delete:
      case OpCode.check:
        break;
      case OpCode.setData:
        writeSetDataResponse(w, res.response);
        break;
      case OpCode.getChildren:
        writeGetChildrenResponse(w, res.response);
        break;
      case OpCode.getData:
        writeGetDataResponse(w, res.response);
        break;
      case OpCode.error:
        writeErrorResponse(w, res.response);
        break;
    }
  }
  writeMultiHeader(w, MULTI_END);
}
