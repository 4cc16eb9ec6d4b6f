// zookeeper.jute's org.apache.zookeeper.proto, part 2: the request records a
// client sends after its RequestHeader, one per op. Pattern: mod.ts.
import { type ACL, readACLs, writeACLs } from "./data.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

function readStrings(r: Reader): string[] | null {
  return r.vector((x) => x.string());
}

function writeStrings(w: Writer, v: readonly string[] | null): void {
  w.vector(v, (x, s) => x.ustring(s));
}

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
