// Records of zookeeper.jute's module org.apache.zookeeper.proto (the client
// protocol). Same pattern as data.ts: interface + readX/writeX.
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

/** A path and a version: delete and check. */
export interface PathVersionRequest {
  path: string;
  version: number;
}

/** delete. */
export type DeleteRequest = PathVersionRequest;
/** check (CheckVersionRequest). */
export type CheckVersionRequest = PathVersionRequest;

function readPathVersion(r: Reader): PathVersionRequest {
  return { path: r.string(), version: r.int() };
}

function writePathVersion(w: Writer, v: PathVersionRequest): void {
  w.ustring(v.path).int(v.version);
}

/** Reads a DeleteRequest. */
export const readDeleteRequest = readPathVersion;
/** Writes a DeleteRequest. */
export const writeDeleteRequest = writePathVersion;
/** Reads a CheckVersionRequest. */
export const readCheckVersionRequest = readPathVersion;
/** Writes a CheckVersionRequest. */
export const writeCheckVersionRequest = writePathVersion;

/** A path and a watch flag: exists, getData, getChildren, getChildren2. */
export interface PathWatchRequest {
  path: string;
  watch: boolean;
}

/** exists. */
export type ExistsRequest = PathWatchRequest;
/** getData. */
export type GetDataRequest = PathWatchRequest;
/** getChildren. */
export type GetChildrenRequest = PathWatchRequest;
/** getChildren2. */
export type GetChildren2Request = PathWatchRequest;

function readPathWatch(r: Reader): PathWatchRequest {
  return { path: r.string(), watch: r.boolean() };
}

function writePathWatch(w: Writer, v: PathWatchRequest): void {
  w.ustring(v.path).boolean(v.watch);
}

/** Reads an ExistsRequest. */
export const readExistsRequest = readPathWatch;
/** Writes an ExistsRequest. */
export const writeExistsRequest = writePathWatch;
/** Reads a GetDataRequest. */
export const readGetDataRequest = readPathWatch;
/** Writes a GetDataRequest. */
export const writeGetDataRequest = writePathWatch;
/** Reads a GetChildrenRequest. */
export const readGetChildrenRequest = readPathWatch;
/** Writes a GetChildrenRequest. */
export const writeGetChildrenRequest = writePathWatch;
/** Reads a GetChildren2Request. */
export const readGetChildren2Request = readPathWatch;
/** Writes a GetChildren2Request. */
export const writeGetChildren2Request = writePathWatch;

/** A bare path: getACL, sync, getAllChildrenNumber, getEphemerals (prefixPath). */
export interface PathRequest {
  path: string;
}

/** Reads a one-path record (GetACLRequest, SyncRequest/Response, GetAllChildrenNumberRequest, GetEphemeralsRequest, CreateResponse). */
export function readPathRequest(r: Reader): PathRequest {
  return { path: r.string() };
}

/** Writes a one-path record. */
export function writePathRequest(w: Writer, v: PathRequest): void {
  w.ustring(v.path);
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

/** addWatch. */
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
  w.ustring(v.path).int(v.mode);
}

/** checkWatches / removeWatches. */
export interface WatchesRequest {
  path: string;
  type: number;
}

/** CheckWatchesRequest. */
export type CheckWatchesRequest = WatchesRequest;
/** RemoveWatchesRequest. */
export type RemoveWatchesRequest = WatchesRequest;

function readWatches(r: Reader): WatchesRequest {
  return { path: r.string(), type: r.int() };
}

function writeWatches(w: Writer, v: WatchesRequest): void {
  w.ustring(v.path).int(v.type);
}

/** Reads a CheckWatchesRequest. */
export const readCheckWatchesRequest = readWatches;
/** Writes a CheckWatchesRequest. */
export const writeCheckWatchesRequest = writeWatches;
/** Reads a RemoveWatchesRequest. */
export const readRemoveWatchesRequest = readWatches;
/** Writes a RemoveWatchesRequest. */
export const writeRemoveWatchesRequest = writeWatches;

/** SASL token records (GetSASLRequest, SetSASLRequest, SetSASLResponse). */
export interface SaslToken {
  token: Uint8Array | null;
}

/** Reads a SASL token record. */
export function readSaslToken(r: Reader): SaslToken {
  return { token: r.buffer() };
}

/** Writes a SASL token record. */
export function writeSaslToken(w: Writer, v: SaslToken): void {
  w.buffer(v.token);
}

/** getMaxChildren/setMaxChildren (deprecated, still in the protocol). */
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
  w.ustring(v.path).int(v.max);
}

// --- responses ---------------------------------------------------------------

/** A Stat alone: SetDataResponse, SetACLResponse, ExistsResponse. */
export interface StatResponse {
  stat: Stat;
}

/** Reads a one-Stat response. */
export function readStatResponse(r: Reader): StatResponse {
  return { stat: readStat(r) };
}

/** Writes a one-Stat response. */
export function writeStatResponse(w: Writer, v: StatResponse): void {
  writeStat(w, v.stat);
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

/** getChildren response (also GetEphemeralsResponse's shape). */
export interface GetChildrenResponse {
  children: string[] | null;
}

/** Reads a GetChildrenResponse or GetEphemeralsResponse. */
export function readGetChildrenResponse(r: Reader): GetChildrenResponse {
  return { children: readStrings(r) };
}

/** Writes a GetChildrenResponse or GetEphemeralsResponse. */
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

/** One int: GetAllChildrenNumberResponse (totalNumber), GetMaxChildrenResponse (max). */
export interface IntResponse {
  value: number;
}

/** Reads a one-int response. */
export function readIntResponse(r: Reader): IntResponse {
  return { value: r.int() };
}

/** Writes a one-int response. */
export function writeIntResponse(w: Writer, v: IntResponse): void {
  w.int(v.value);
}

/** whoAmI response. */
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
